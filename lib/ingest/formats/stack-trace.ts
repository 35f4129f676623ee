import type { Level } from './severity';

/**
 * First lines of the traces runtimes print for an uncaught exception, with
 * the level such an exit means. They continue the entry above when it is a
 * warning or worse (`logger.exception` writes an ERROR line, then the
 * traceback); otherwise, or with no entry above (a program's stderr in its
 * log file), they start an entry of their own: a crash is never hidden inside
 * an INFO line.
 *
 * Known limit: Node.js prints an uncaught exception as `file:line`, the
 * source line, a caret and then `Error: …`; that first line is too generic
 * to recognise, so such a trace continues the entry above.
 */
const STARTS: ReadonlyArray<readonly [string, Level]> = [
  ['Traceback (most recent call last):', 'ERROR'], // Python
  ['panic: ', 'FATAL'], // Go
  ['fatal error: ', 'FATAL'], // Go runtime (e.g. concurrent map writes)
  ['Exception in thread "', 'ERROR'], // Java, uncaught in a thread
  ['Unhandled exception. ', 'ERROR'], // .NET
  ['Unhandled Exception: ', 'ERROR'], // .NET Framework
  ["thread '", 'ERROR'], // Rust: thread 'main' panicked at …
];

/**
 * The level of a trace's first line, or null when `line` does not start a trace.
 *
 * @example
 *   traceStartLevel('panic: runtime error: index out of range') // 'FATAL'
 */
export function traceStartLevel(line: string): Level | null {
  const c = line.charCodeAt(0);
  // T, p, f, E, U, t: the first letters of STARTS
  if (c !== 0x54 && c !== 0x70 && c !== 0x66 && c !== 0x45 && c !== 0x55 && c !== 0x74) return null;
  for (const [start, level] of STARTS) {
    if (line.startsWith(start)) {
      if (start === "thread '" && !line.includes("' panicked at")) return null;
      return level;
    }
  }
  return null;
}
