import { timeOfText } from './json';
import type { LineWrapper, WrappedLine } from './types';

/**
 * Container runtimes' records around an application's line. Both split a
 * line longer than 16 KiB into several records (`partial: true` on all but
 * the last); the reader joins them without a newline.
 */

type Stream = WrappedLine['stream'];

function own(record: object, name: string): unknown {
  return Object.hasOwn(record, name) ? (record as Record<string, unknown>)[name] : undefined;
}

/** True when a canonical time carries its offset (`Z` or `±hh:mm`): runtimes always write one. */
function hasOffset(time: string): boolean {
  return /(?:Z|[+-]\d\d:\d\d)$/.test(time);
}

function streamOf(value: unknown): Stream | null {
  return value === 'stdout' || value === 'stderr' ? value : null;
}

const DOCKER_START = '{"log":';

/**
 * Docker's json-file logging driver record,
 * `{"log":"text\n","stream":"stderr","time":"2026-11-23T10:00:00.123456789Z"}`
 * (optionally `"attrs":{…}` after `time`). The driver writes `log` first, so
 * anything else is not its record. A `log` without its trailing `\n` is a
 * partial line (Docker splits lines over 16 KiB, and a container's last
 * output may lack a newline).
 *
 * @example
 *   unwrapDockerJson('{"log":"boom\\n","stream":"stderr","time":"2026-11-23T10:00:00.123456789Z"}')
 *   // { inner: 'boom', partial: false, time: '2026-11-23 10:00:00.123456Z', stream: 'stderr' }
 */
export function unwrapDockerJson(line: string): WrappedLine | null {
  if (!line.startsWith(DOCKER_START) || line.charCodeAt(line.length - 1) !== 0x7d) return null;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  const log = own(record, 'log');
  const stream = streamOf(own(record, 'stream'));
  const timeText = own(record, 'time');
  if (typeof log !== 'string' || stream === null || typeof timeText !== 'string') return null;
  const time = timeOfText(timeText);
  if (!hasOffset(time)) return null;
  const partial = !log.endsWith('\n');
  let end = log.length;
  if (!partial) end -= log.length > 1 && log.charCodeAt(log.length - 2) === 0x0d ? 2 : 1;
  return { inner: end === log.length ? log : log.slice(0, end), partial, time, stream };
}

/** Shortest and longest RFC 3339 times CRI writes (`…:00Z` to nanoseconds with `+hh:mm`). */
const CRI_TIME_MIN = 20;
const CRI_TIME_MAX = 35;

/**
 * A CRI log line (containerd, CRI-O; Kubernetes `/var/log/pods/…`):
 * `2026-11-23T10:00:00.123456789Z stderr F text`. The tag is `F` (full line)
 * or `P` (partial: the line goes on in the next record), possibly followed by
 * further `:`-separated tags; the time is RFC 3339 with nanoseconds and `Z`
 * or an offset (CRI-O writes the node's, e.g. `+01:00`).
 *
 * @example
 *   unwrapCri('2026-11-23T10:00:00.123456789+00:00 stdout P part one')?.partial // true
 */
export function unwrapCri(line: string): WrappedLine | null {
  const first = line.charCodeAt(0);
  // RFC 3339 only: a digit, then `T` at 10 (a space there is a text log's timestamp).
  if (first < 0x30 || first > 0x39 || line.charCodeAt(10) !== 0x54) return null;
  const space = line.indexOf(' ');
  if (space < CRI_TIME_MIN || space > CRI_TIME_MAX) return null;
  let stream: Stream;
  if (line.startsWith('stdout ', space + 1)) stream = 'stdout';
  else if (line.startsWith('stderr ', space + 1)) stream = 'stderr';
  else return null;
  const tagStart = space + 8;
  const tag = line.charCodeAt(tagStart);
  if (tag !== 0x46 && tag !== 0x50) return null;
  const after = line.charCodeAt(tagStart + 1);
  let innerStart: number;
  if (Number.isNaN(after)) {
    // An empty line, its separator trimmed by whatever copied the file.
    innerStart = line.length;
  } else if (after === 0x20) {
    innerStart = tagStart + 2;
  } else if (after === 0x3a) {
    const tagEnd = line.indexOf(' ', tagStart);
    innerStart = tagEnd === -1 ? line.length : tagEnd + 1;
  } else {
    return null;
  }
  const time = timeOfText(line.slice(0, space));
  if (!hasOffset(time)) return null;
  return { inner: line.slice(innerStart), partial: tag === 0x50, time, stream };
}

/** Docker's json-file driver: see `unwrapDockerJson`. */
export const DOCKER_JSON_WRAPPER: LineWrapper = {
  name: 'docker-json',
  unwrap: unwrapDockerJson,
};

/** CRI (containerd, CRI-O): see `unwrapCri`. */
export const CRI_WRAPPER: LineWrapper = {
  name: 'cri',
  unwrap: unwrapCri,
};
