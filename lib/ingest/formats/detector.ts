import type { FormatSpec } from '../sources';
import { levelOfWord } from './severity';
import type { Level } from './severity';
import { traceStartLevel } from './stack-trace';
import { canonicalOffset, canonicalTime, epochTime } from './timestamp';
import type { FormatName, LineFormat, LineWrapper, ParseContext, ParsedLine } from './types';

/** What one line is, as far as entries go. */
export const LINE_KINDS = {
  /** Starts an entry (`parsed` says what it holds). */
  entry: 1,
  /** Not recognised: continues the entry above, or is unparseable when there is none. */
  other: 2,
} as const;

export interface DetectedLine {
  kind: (typeof LINE_KINDS)[keyof typeof LINE_KINDS];
  /** For `entry`: the parsed start. */
  parsed: ParsedLine | null;
  /** The text to keep: the line, or the application's line inside a container record. */
  text: string;
  /** For container records: the runtime's time (canonical), '' otherwise. */
  wrapperTime: string;
  /** The container record is a partial line: the next record continues it without a newline. */
  partial: boolean;
  /** The line is a stack-trace start (`Traceback …`, `panic: …`) with this level, when no entry is open to hold it. */
  traceLevel: Level | null;
}

/**
 * Decides, line by line, which format a line is in: container records are
 * unwrapped first (Docker json-file, CRI), then the source's format is tried,
 * or for `auto` every format, the one that matched last first (files are
 * mostly one format, but may change mid-file, e.g. a container's start-up
 * noise before its JSON logs). Pure: no I/O, no clock.
 *
 * @example
 *   const detector = new FormatDetector({ kind: 'auto' }, ALL_FORMATS, WRAPPERS, { referenceMs: Date.now() });
 *   detector.detect('{"level":50,"time":1795428000000,"msg":"boom"}').parsed?.level // 'ERROR'
 */
export class FormatDetector {
  private readonly formats: LineFormat[];
  private readonly out: DetectedLine = { kind: LINE_KINDS.other, parsed: null, text: '', wrapperTime: '', partial: false, traceLevel: null };
  /** Index in `formats` of the format that matched last. */
  private last = 0;

  public constructor(
    spec: FormatSpec,
    formats: readonly LineFormat[],
    private readonly wrappers: readonly LineWrapper[],
    private readonly context: ParseContext,
  ) {
    if (spec.kind === 'regex') this.formats = [regexFormat(spec.regex, spec.levels)];
    else if (spec.kind === 'named') this.formats = formats.filter((f) => f.name === spec.name);
    else this.formats = [...formats];
  }

  /** Classify one line (no terminator). The returned object is reused by the next call. */
  public detect(line: string): DetectedLine {
    const out = this.out;
    out.kind = LINE_KINDS.other;
    out.parsed = null;
    out.text = line;
    out.wrapperTime = '';
    out.partial = false;
    out.traceLevel = null;
    const first = line.charCodeAt(0);
    // Container records: `{"log":` (Docker) or an RFC 3339 time then ` stdout `/` stderr ` (CRI).
    if (first === 0x7b || (first >= 0x30 && first <= 0x39)) {
      for (const w of this.wrappers) {
        const wrapped = w.unwrap(line);
        if (wrapped !== null) {
          out.text = wrapped.inner;
          out.wrapperTime = wrapped.time;
          out.partial = wrapped.partial;
          break;
        }
      }
    }
    const text = out.text;
    const parsed = this.parse(text);
    if (parsed !== null) {
      out.kind = LINE_KINDS.entry;
      out.parsed = parsed;
      return out;
    }
    out.traceLevel = traceStartLevel(text);
    return out;
  }

  /** Parse `text` as an entry start, or null. */
  public parse(text: string): ParsedLine | null {
    const formats = this.formats;
    const n = formats.length;
    if (n === 0) return null;
    const lastFormat = formats[this.last]!;
    const hit = lastFormat.parse(text, this.context);
    if (hit !== null) return hit;
    for (let i = 0; i < n; i += 1) {
      if (i === this.last) continue;
      const parsed = formats[i]!.parse(text, this.context);
      if (parsed !== null) {
        this.last = i;
        return parsed;
      }
    }
    return null;
  }
}

/** Times a user's `(?<time>…)` group may hold: ISO-like text (offset optional) or an epoch number. */
function userTime(text: string): string {
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s?(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/.exec(text.trim());
  if (m !== null) {
    const offset = canonicalOffset(m[8] ?? '');
    if (offset === null) return '';
    return canonicalTime(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ?? '', offset);
  }
  if (/^\d+(\.\d+)?$/.test(text.trim())) return epochTime(Number(text));
  return '';
}

/**
 * A source's own format: a regular expression with named groups `message`
 * (required), `time` and `level` (optional); `levels` maps level texts of the
 * file to canonical levels before the usual level words are tried.
 */
export function regexFormat(regex: RegExp, levels: Record<string, string>): LineFormat {
  const name: FormatName = 'regex';
  return {
    name,
    parse(line: string): ParsedLine | null {
      const m = regex.exec(line);
      if (m === null || m.groups === undefined) return null;
      const g = m.groups;
      const levelText = g.level ?? '';
      const mapped = levels[levelText];
      const level = mapped !== undefined ? levelOfWord(mapped) : levelText === '' ? null : levelOfWord(levelText.trim());
      const time = g.time === undefined ? '' : userTime(g.time);
      if (g.time !== undefined && time === '') return null;
      return { format: name, time, level, levelText, message: g.message ?? '', fields: null };
    },
  };
}
