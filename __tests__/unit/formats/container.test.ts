import { CRI_WRAPPER, DOCKER_JSON_WRAPPER } from '../../../lib/ingest/formats/container';
import type { WrappedLine } from '../../../lib/ingest/formats/types';

describe('Wrapper: docker-json', () => {
  it.each<[string, string, WrappedLine]>([
    [
      'a full stderr line',
      '{"log":"2026-11-23 10:00:00 ERROR boom\\n","stream":"stderr","time":"2026-11-23T10:00:00.123456789Z"}',
      { inner: '2026-11-23 10:00:00 ERROR boom', partial: false, time: '2026-11-23 10:00:00.123456Z', stream: 'stderr' },
    ],
    [
      'an application JSON line',
      '{"log":"{\\"level\\":50,\\"msg\\":\\"boom\\"}\\n","stream":"stdout","time":"2026-11-23T10:00:00.1Z"}',
      { inner: '{"level":50,"msg":"boom"}', partial: false, time: '2026-11-23 10:00:00.1Z', stream: 'stdout' },
    ],
    [
      'a partial line (no trailing newline)',
      '{"log":"first 16 KiB of a long line","stream":"stdout","time":"2026-11-23T10:00:00Z"}',
      { inner: 'first 16 KiB of a long line', partial: true, time: '2026-11-23 10:00:00Z', stream: 'stdout' },
    ],
    [
      'a CRLF line',
      '{"log":"boom\\r\\n","stream":"stdout","time":"2026-11-23T10:00:00.123456789Z"}',
      { inner: 'boom', partial: false, time: '2026-11-23 10:00:00.123456Z', stream: 'stdout' },
    ],
    [
      'an empty line',
      '{"log":"\\n","stream":"stdout","time":"2026-11-23T10:00:00.123456789Z"}',
      { inner: '', partial: false, time: '2026-11-23 10:00:00.123456Z', stream: 'stdout' },
    ],
    [
      'a record with attrs (--log-opt labels)',
      '{"log":"boom\\n","stream":"stderr","attrs":{"service":"shop"},"time":"2026-11-23T10:00:00.123456789Z"}',
      { inner: 'boom', partial: false, time: '2026-11-23 10:00:00.123456Z', stream: 'stderr' },
    ],
  ])('unwraps %s', (_name, line, expected) => {
    expect(DOCKER_JSON_WRAPPER.unwrap(line)).toEqual(expected);
  });

  it.each([
    ['an application JSON line', '{"level":"error","msg":"boom"}'],
    ['a record whose log is not first', '{"stream":"stderr","log":"boom\\n","time":"2026-11-23T10:00:00Z"}'],
    ['an unknown stream', '{"log":"boom\\n","stream":"stdin","time":"2026-11-23T10:00:00Z"}'],
    ['a missing time', '{"log":"boom\\n","stream":"stdout"}'],
    ['a time without an offset', '{"log":"boom\\n","stream":"stdout","time":"2026-11-23T10:00:00"}'],
    ['an invalid time', '{"log":"boom\\n","stream":"stdout","time":"2026-11-31T10:00:00Z"}'],
    ['a log that is not text', '{"log":["boom"],"stream":"stdout","time":"2026-11-23T10:00:00Z"}'],
    ['truncated JSON', '{"log":"boom\\n","stream":"stdout","time":"2026-11-23T10:00:00Z"'],
    ['broken JSON', '{"log":"boom\\n","stream":"stdout",}'],
    ['a text line', '2026-11-23 10:00:00 ERROR boom'],
  ])('returns null for %s', (_name, line) => {
    expect(DOCKER_JSON_WRAPPER.unwrap(line)).toBeNull();
  });
});

describe('Wrapper: cri', () => {
  it.each<[string, string, WrappedLine]>([
    [
      'a full containerd line',
      '2026-11-23T10:00:00.123456789Z stderr F 2026-11-23 10:00:00 ERROR boom',
      { inner: '2026-11-23 10:00:00 ERROR boom', partial: false, time: '2026-11-23 10:00:00.123456Z', stream: 'stderr' },
    ],
    [
      'a partial line',
      '2026-11-23T10:00:00.123456789Z stdout P first 16 KiB',
      { inner: 'first 16 KiB', partial: true, time: '2026-11-23 10:00:00.123456Z', stream: 'stdout' },
    ],
    [
      'a CRI-O line with an offset',
      '2026-11-23T11:00:00.123456789+01:00 stdout F {"level":"error","msg":"boom"}',
      { inner: '{"level":"error","msg":"boom"}', partial: false, time: '2026-11-23 11:00:00.123456+01:00', stream: 'stdout' },
    ],
    [
      'a time with trailing zeros trimmed (RFC3339Nano)',
      '2026-11-23T10:00:00Z stdout F hello',
      { inner: 'hello', partial: false, time: '2026-11-23 10:00:00Z', stream: 'stdout' },
    ],
    ['an empty line', '2026-11-23T10:00:00.1Z stdout F ', { inner: '', partial: false, time: '2026-11-23 10:00:00.1Z', stream: 'stdout' }],
    [
      'an empty line whose separator was trimmed',
      '2026-11-23T10:00:00.1Z stdout F',
      { inner: '', partial: false, time: '2026-11-23 10:00:00.1Z', stream: 'stdout' },
    ],
    ['several tags', '2026-11-23T10:00:00.1Z stdout P:x text', { inner: 'text', partial: true, time: '2026-11-23 10:00:00.1Z', stream: 'stdout' }],
    [
      'spaces inside the content',
      '2026-11-23T10:00:00.1Z stderr F   indented  text ',
      { inner: '  indented  text ', partial: false, time: '2026-11-23 10:00:00.1Z', stream: 'stderr' },
    ],
  ])('unwraps %s', (_name, line, expected) => {
    expect(CRI_WRAPPER.unwrap(line)).toEqual(expected);
  });

  it.each([
    ['a timestamp-level line', '2026-11-23T10:00:00.123Z ERROR boom'],
    ['a line with stdout later', '2026-11-23T10:00:00.123Z app stdout F boom'],
    ['an unknown tag', '2026-11-23T10:00:00.123Z stdout X boom'],
    ['a tag glued to the text', '2026-11-23T10:00:00.123Z stdout Fboom'],
    ['a time without an offset', '2026-11-23T10:00:00.123456 stdout F boom'],
    ['an invalid time', '2026-11-31T10:00:00.123Z stdout F boom'],
    ['a space-separated time', '2026-11-23 10:00:00.123Z stdout F boom'],
    ['a short number', '12 stdout F boom'],
    ['a Docker record', '{"log":"boom\\n","stream":"stdout","time":"2026-11-23T10:00:00Z"}'],
    ['an empty line', ''],
  ])('returns null for %s', (_name, line) => {
    expect(CRI_WRAPPER.unwrap(line)).toBeNull();
  });
});
