// A log writer that knows what it wrote: fault tests compare the database with
// this model, never with another run of the code under test.
//
// It writes entries of every level, multi-line entries (stack traces), CRLF
// lines, blank lines between entries, multi-byte UTF-8 and characters COPY must
// escape. A chunk may end in the middle of an entry's first line (a half-written
// line), never inside its continuation lines: with MULTILINE_FLUSH_MS=0 an entry
// is finished when its file ends, so a cut inside a stack trace would split it
// by design, not by fault.

import { seededRandom as seededRng } from './random';

/** The seeded PRNG of ./random as a bare `() => number`: the same seed writes the same file. */
export function seededRandom(seed: number): () => number {
  return seededRng(seed).next;
}

/** What a stored entry must look like: `logged_at` as ISO text. */
export interface ExpectedEntry {
  offset: number;
  timestamp: string;
  level: string;
  message: string;
}

const LEVELS: [string, number][] = [
  ['INFO', 0.4],
  ['WARNING', 0.15],
  ['DEBUG', 0.1],
  ['ERROR', 0.25],
  ['FATAL', 0.1],
];
const WORDS = [
  'timeout',
  'db',
  'connection',
  'refused',
  'retrying',
  'user',
  'quota',
  'Zürich',
  '東京',
  '🚨',
  "it's",
  '"quoted"',
  'back\\slash',
  'tab\there',
  '50%',
  '--',
  "');",
  'DROP',
  'TABLE',
  '$1',
  '\\.',
  'NULL',
  '\\N',
];
const BASE_MS = Date.UTC(2026, 10, 23, 0, 0, 0);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return d.getUTCMilliseconds() === 0 ? base : `${base}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export interface LogModelOptions {
  seed: number;
  /** Levels the ingest keeps. */
  levels?: string[];
}

export class LogModel {
  private readonly random: () => number;
  private readonly levels: ReadonlySet<string>;
  private seq = 0;
  private written = 0;
  /** Rest of an entry whose first line was cut by the previous chunk. */
  private carry = '';
  private readonly expected: ExpectedEntry[] = [];
  private pendingExpected: ExpectedEntry | null = null;

  public constructor(options: LogModelOptions) {
    this.random = seededRandom(options.seed);
    this.levels = new Set(options.levels ?? ['ERROR', 'FATAL']);
  }

  /** Bytes written so far (chunks returned). */
  public get size(): number {
    return this.written;
  }

  /** Entries a complete ingest of everything written so far must have stored. */
  public expectedEntries(): ExpectedEntry[] {
    return [...this.expected];
  }

  /**
   * The next chunk to append: whole entries up to about `targetBytes`, and,
   * when `cutLine` is set, the first bytes of one more entry's first line.
   */
  public nextChunk(targetBytes: number, cutLine = false): string {
    const parts: string[] = [];
    let bytes = 0;
    const push = (text: string): void => {
      parts.push(text);
      bytes += Buffer.byteLength(text);
    };
    if (this.carry) {
      push(this.carry);
      this.carry = '';
      if (this.pendingExpected) this.expected.push(this.pendingExpected);
      this.pendingExpected = null;
    }
    while (bytes < targetBytes) {
      const { text, entry } = this.entry(this.written + bytes);
      push(text);
      if (entry) this.expected.push(entry);
    }
    if (cutLine) {
      const { text, entry } = this.entry(this.written + bytes);
      const firstLineEnd = text.indexOf('\n');
      // cut on a character boundary inside the first line, before its newline
      const chars = Array.from(text.slice(0, firstLineEnd));
      const cutAt = 1 + Math.floor(this.random() * (chars.length - 1));
      const head = chars.slice(0, cutAt).join('');
      push(head);
      this.carry = text.slice(head.length);
      this.pendingExpected = entry;
    }
    const chunk = parts.join('');
    this.written += bytes;
    return chunk;
  }

  /** The rest of a cut entry, if any: after it the file ends on a complete entry. */
  public finish(): string {
    return this.carry ? this.nextChunk(0, false) : '';
  }

  private pickLevel(): string {
    let r = this.random();
    for (const [level, p] of LEVELS) {
      if (r < p) return level;
      r -= p;
    }
    return 'INFO';
  }

  private words(n: number): string {
    const out: string[] = [];
    for (let i = 0; i < n; i += 1) out.push(WORDS[Math.floor(this.random() * WORDS.length)]!);
    return out.join(' ');
  }

  /** One entry at byte `offset`: its text and, when its level is kept, what must be stored. */
  private entry(offset: number): { text: string; entry: ExpectedEntry | null } {
    this.seq += 1;
    const level = this.pickLevel();
    const ms = BASE_MS + this.seq * 250;
    const crlf = this.random() < 0.05;
    const eol = crlf ? '\r\n' : '\n';
    const first = `seq=${this.seq} ${this.words(2 + Math.floor(this.random() * 8))}`;
    const lines = [first];
    if (this.random() < 0.1) {
      const depth = 1 + Math.floor(this.random() * 6);
      for (let i = 0; i < depth; i += 1) lines.push(`    at handler${i} (/srv/app/${this.words(1).replace(/\s/g, '_')}.js:${i + 1}:7)`);
    }
    let text = `${formatTimestamp(ms)} [${level}] ${lines.join(eol)}${eol}`;
    // blank lines between entries are ignored by ingest
    if (this.random() < 0.03) text += eol;
    const entry = this.levels.has(level) ? { offset, timestamp: new Date(ms).toISOString(), level, message: lines.join('\n') } : null;
    return { text, entry };
  }
}

/** `timestamp|level|message` keys, for comparing multisets with a sorted list. */
export function entryKeys(entries: readonly { timestamp: string; level: string; message: string }[]): string[] {
  return entries.map((e) => `${e.timestamp}|${e.level}|${e.message}`).sort();
}
