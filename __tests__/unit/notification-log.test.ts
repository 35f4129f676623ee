import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SNSEventRecord } from 'aws-lambda';
import { formatReceivedNotification, fromSnsRecord, recordNotifications } from '../../lib/alert/notification-log';

const record = {
  EventSource: 'aws:sns',
  Sns: {
    Subject: '[logmon] RESOLVED error-burst: 0 ERROR/FATAL in 5m (threshold 5), fired 12m',
    Message: 'Rule "error-burst" is RESOLVED.\r\n\r\nCount:      0\n\n',
    MessageAttributes: { state: { Type: 'String', Value: 'resolved' }, severity: { Type: 'String', Value: 'warning' } },
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:logmon-alerts',
    MessageId: 'm-1',
    Timestamp: '2026-11-23T10:05:01.000Z',
  },
} as unknown as SNSEventRecord;

describe('Function: formatReceivedNotification', () => {
  it('shows subject, sorted attributes, origin, then the body in one block', () => {
    // Act
    const text = formatReceivedNotification(fromSnsRecord(record));

    // Assess
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^┌─+$/);
    expect(lines.slice(1, 4)).toEqual([
      '│ [logmon] RESOLVED error-burst: 0 ERROR/FATAL in 5m (threshold 5), fired 12m',
      '│ attributes: severity=warning  state=resolved',
      '│ 2026-11-23T10:05:01.000Z  arn:aws:sns:us-east-1:123456789012:logmon-alerts  m-1',
    ]);
    expect(lines.slice(5)).toEqual(['│ Rule "error-burst" is RESOLVED.', '│', '│ Count:      0', expect.stringMatching(/^└─+$/), '']);
  });

  it('copes with a record without subject or attributes', () => {
    const bare = { Sns: { Message: 'hello' } } as unknown as SNSEventRecord;

    const text = formatReceivedNotification(fromSnsRecord(bare));

    expect(text).toContain('│ (no subject)\n│ attributes: (none)\n');
    expect(text).toContain('│ hello\n');
  });
});

describe('Function: recordNotifications', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-notes-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file 0600 in a 0700 folder: it holds log text', async () => {
    // Act
    const file = path.join(dir, '.data', 'notifications.log');
    const count = await recordNotifications([record], { file, write: () => undefined });

    // Assess
    expect(count).toBe(1);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(file, 'utf8')).toContain('Rule "error-burst" is RESOLVED.');
  });

  it('makes a file others could read 0600 before appending to it', async () => {
    // Prepare: a file left 0644 by an earlier version
    const file = path.join(dir, 'notifications.log');
    fs.writeFileSync(file, 'earlier\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);

    // Act
    await recordNotifications([record], { file, write: () => undefined });

    // Assess
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^earlier\n┌/);
  });
});
