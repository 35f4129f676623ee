import fs from 'node:fs';

/** What was written: the denominators of every lines/s figure. */
export interface LogFileStats {
  path: string;
  lines: number;
  bytes: number;
  /** ERROR and FATAL lines: the rows both the baseline and the ingest must store. */
  wantedLines: number;
}

export interface LogSize {
  /** Stop after this many lines... */
  lines?: number;
  /** ...or once the file holds at least this many bytes. */
  bytes?: number;
}

/** Level mix: about half ERROR/FATAL, like the reference file. */
const LEVELS: readonly (readonly [string, number])[] = [
  ['INFO', 0.35],
  ['WARNING', 0.15],
  ['ERROR', 0.4],
  ['FATAL', 0.1],
];
export const WANTED: ReadonlySet<string> = new Set(['ERROR', 'FATAL']);

/** Message shapes with quotes, backslashes, SQL-looking text and multi-byte UTF-8 (no tabs: the awk baseline splits on them). */
export const MESSAGES: readonly ((n: number, m: number) => string)[] = [
  (n, m) => `database timeout after ${m} ms on "orders" (attempt ${n % 5})`,
  (n) => `user 'alice${n % 97}' failed to log in from 10.0.${n % 256}.${(n >> 8) % 256}`,
  (n) => `cannot open C:\\logs\\app${n % 10}\\today.txt: access denied`,
  (n, m) => `payload {"id": ${n}, "path": "a\\\\b", "ok": false} rejected with ${m}`,
  (n) => `Zahlung für Kunde ${n} fehlgeschlagen: Verbindung verweigert`,
  (n) => `ユーザー ${n} のセッションが期限切れです`,
  (n) => `deploy 🚀 step ${n % 12} failed: disk full on /var/lib/app`,
  (n) => `SELECT * FROM users WHERE name = 'x${n}'; -- rejected by policy`,
  (n, m) => `request ${n} served in ${m} ms`,
  (n) => `cache miss for key session:${n.toString(16)}`,
];

/** mulberry32: a tiny deterministic PRNG, so the same seed writes the same file. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** INFO, WARNING, ERROR or FATAL, in the shares of LEVELS, for a uniform `r` in [0, 1). */
export function pickLevel(r: number): string {
  let acc = 0;
  for (const [level, share] of LEVELS) {
    acc += share;
    if (r < acc) return level;
  }
  return LEVELS[LEVELS.length - 1]![0];
}

/** Log time of the first line, and lines per second of log time. */
export const START_MS = Date.UTC(2026, 10, 23, 0, 0, 0);
export const LINES_PER_SECOND = 16;
/** Lines generated per write. */
export const LINES_PER_WRITE = 8192;

/**
 * Write a deterministic seed-format log (`2026-11-23 10:00:00 [ERROR] message`)
 * to `file`, streaming so a 1 GB backlog never sits in memory.
 *
 * @example
 *   const stats = writeBenchLog('/tmp/app.log', { lines: 1_000_000 }, 42);
 */
export function writeBenchLog(file: string, size: LogSize, seed: number): LogFileStats {
  const random = seededRandom(seed);
  const maxLines = size.lines ?? Number.MAX_SAFE_INTEGER;
  const maxBytes = size.bytes ?? Number.MAX_SAFE_INTEGER;
  const fd = fs.openSync(file, 'w');
  let lines = 0;
  let bytes = 0;
  let wantedLines = 0;
  let second = -1;
  let stamp = '';
  try {
    while (lines < maxLines && bytes < maxBytes) {
      const parts: string[] = [];
      const upTo = Math.min(maxLines, lines + LINES_PER_WRITE);
      for (; lines < upTo; lines += 1) {
        const s = Math.floor(lines / LINES_PER_SECOND);
        if (s !== second) {
          second = s;
          stamp = new Date(START_MS + s * 1000).toISOString().slice(0, 19).replace('T', ' ');
        }
        const level = pickLevel(random());
        if (WANTED.has(level)) wantedLines += 1;
        const message = MESSAGES[Math.floor(random() * MESSAGES.length)]!(lines, Math.floor(random() * 30000));
        parts.push(`${stamp} [${level}] ${message}\n`);
      }
      const chunk = Buffer.from(parts.join(''), 'utf8');
      fs.writeSync(fd, chunk);
      bytes += chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { path: file, lines, bytes, wantedLines };
}
