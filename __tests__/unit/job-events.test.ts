import fs from 'node:fs';
import path from 'node:path';
import { isS3Event, s3EventObjects } from '../../lib/platform/job-events';

const readEvent = (name: string): unknown => JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../events', name), 'utf8'));

describe('S3 event notifications for ingest', () => {
  it('reads events/s3-object-created.json as one object: its key decoded (+ is a space), its ETag, size and time', () => {
    // Prepare
    const event = readEvent('s3-object-created.json');

    // Act
    const objects = isS3Event(event) ? s3EventObjects(event) : null;

    // Assess
    expect(objects).toEqual([
      {
        bucket: 'acme-app-logs',
        key: 'fluent-bit/payments/web-1/2026/12/02/10-15-00 part 1.log.gz',
        etag: '0123456789abcdef0123456789abcdef',
        size: 48213,
        eventTime: new Date('2026-12-02T10:15:30.123Z'),
      },
    ]);
  });

  it('is not taken for the schedule, and keeps only ObjectCreated records', () => {
    // Prepare
    const created = readEvent('s3-object-created.json') as { Records: Array<Record<string, unknown>> };
    const removed = { Records: [{ ...created.Records[0], eventName: 'ObjectRemoved:Delete' }] };

    // Act / Assess
    expect(isS3Event(readEvent('scheduled.json'))).toBe(false);
    expect(isS3Event(removed) ? s3EventObjects(removed) : null).toEqual([]);
  });
});
