import { EntryScanner, MAX_UNPARSED_SAMPLES } from './entry-scanner';
import type { EntryRecord, ScanCounts, UnparsedSample } from './entry-scanner';
import { FormatDetector } from './formats/detector';
import { ALL_FORMATS, WRAPPERS } from './formats/index';
import { LEVEL_NAMES } from './formats/severity';
import { epochTime, wallClockMs } from './formats/timestamp';
import type { SourceConfig } from './sources';

/** What `npm run inspect` found in a file: every entry (all levels), what was not understood, and the counts. */
export interface InspectReport {
  entries: EntryRecord[];
  unparsed: UnparsedSample[];
  formats: Map<string, number>;
  counts: ScanCounts;
  /** Entries the source's minimum level would store. */
  stored: number;
}

/**
 * Read `content` the way ingest reads a file of `source`, without a
 * database: every entry of every level is returned (`stored` counts those
 * the source keeps), with the lines no format understood.
 *
 * @example
 *   const report = inspectContent(fs.readFileSync('app.log'), source, { mtimeMs: Date.now(), maxLineBytes: 65536 });
 */
export function inspectContent(content: Buffer, source: SourceConfig, options: { mtimeMs: number; maxLineBytes: number; nowMs?: number }): InspectReport {
  const entries: EntryRecord[] = [];
  const unparsed: UnparsedSample[] = [];
  const scanner = new EntryScanner(
    {
      levels: [LEVEL_NAMES[0]!],
      maxLineBytes: options.maxLineBytes,
      emit: (e) => entries.push(e),
      detector: new FormatDetector(source.format, ALL_FORMATS, WRAPPERS, { referenceMs: wallClockMs(options.mtimeMs, source.timeZone) }),
      briefFastPath: source.format.kind === 'auto' || (source.format.kind === 'named' && source.format.name === 'brief'),
      multilineStart: source.multilineStart,
      readTime: epochTime(options.nowMs ?? Date.now()),
      onUnparsed: (s) => unparsed.push(s),
    },
    0,
  );
  scanner.scan(content, true);
  scanner.flush();
  const min = LEVEL_NAMES.indexOf(source.minLevel);
  const stored = entries.filter((e) => LEVEL_NAMES.indexOf(e.level as (typeof LEVEL_NAMES)[number]) >= min).length;
  return { entries, unparsed, formats: scanner.formats, counts: scanner.counts, stored };
}

const REASONS: Record<UnparsedSample['reason'], string> = {
  no_format: 'no format matched and no entry was open to continue',
  bad_timestamp: 'starts like a timestamp but is not a valid one',
  unknown_level: 'timestamp followed by an unknown [LEVEL]',
  orphan_continuation: 'a continuation line with no entry above it',
};

function firstLine(message: string, width: number): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** The report as text for a terminal: one line per entry, then what was not understood, then totals. */
export function formatInspectReport(report: InspectReport, file: string, source: SourceConfig, options: { all: boolean }): string {
  const out: string[] = [];
  const formats = [...report.formats].sort((a, b) => b[1] - a[1]);
  out.push(
    `${file}: format ${source.format.kind === 'auto' ? 'auto' : source.format.kind === 'named' ? source.format.name : 'regex'}; detected: ${formats.map(([f, n]) => `${f} (${n} entries)`).join(', ') || 'nothing'}`,
  );
  out.push(`time zone for times without an offset: ${source.timeZone}; stored: ${source.minLevel} and above`);
  out.push('');
  const min = LEVEL_NAMES.indexOf(source.minLevel);
  for (const e of report.entries) {
    const kept = LEVEL_NAMES.indexOf(e.level as (typeof LEVEL_NAMES)[number]) >= min;
    if (!kept && !options.all) continue;
    const lines = e.message.split('\n').length;
    const time =
      e.timeSource === 'line' ? e.timestamp : `${e.timestamp} (${e.timeSource === 'read' ? 'no time on the line: read time' : 'container runtime time'})`;
    const level = e.levelText !== '' ? `${e.level}(${e.levelText})` : e.level;
    out.push(`${kept ? '*' : ' '} @${e.offset} ${level.padEnd(10)} ${time}  ${firstLine(e.message, 100)}${lines > 1 ? `  [+${lines - 1} lines]` : ''}`);
  }
  if (report.unparsed.length > 0) {
    out.push('');
    out.push(`not understood (${report.counts.unparseableLines} lines; the first ${Math.min(report.unparsed.length, MAX_UNPARSED_SAMPLES)} shown):`);
    for (const u of report.unparsed) out.push(`  @${u.offset} ${REASONS[u.reason]}: ${JSON.stringify(u.line.toString('utf8', 0, 160))}`);
  }
  const c = report.counts;
  out.push('');
  out.push(
    `${c.lines} lines: ${report.entries.length} entries (${report.stored} stored, marked *), ${c.continuationLines} continuation lines, ` +
      `${c.blankLines} blank, ${c.unparseableLines} not understood, ${c.truncatedLines} truncated`,
  );
  return `${out.join('\n')}\n`;
}
