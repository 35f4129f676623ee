import type { EntryRecord } from './entry-scanner';

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const REPLACEMENT: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Escape a value for PostgreSQL's COPY text format (the data never becomes SQL). */
export function escapeCopyText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, (c) => REPLACEMENT[c]!) : value;
}

/**
 * One COPY text row for `log_entries (logged_at, level, message, source_id,
 * byte_offset, severity, level_text, fields, time_source, template_id)`;
 * `\N` is NULL. The template id is a decimal integer (templateId): it needs
 * no escaping.
 *
 * @example
 *   encodeCopyRow({ offset: 0, timestamp: '2026-11-23 10:00:00', level: 'ERROR', message: 'a\tb', severity: 17, levelText: '', fields: null, timeSource: 'line' }, 7, '-42')
 *   // '2026-11-23 10:00:00\tERROR\ta\\tb\t7\t0\t17\t\\N\t\\N\tline\t-42\n'
 */
export function encodeCopyRow(entry: EntryRecord, sourceId: number, templateId: string): string {
  const levelText = entry.levelText === '' ? '\\N' : escapeCopyText(entry.levelText);
  const fields = entry.fields === null ? '\\N' : escapeCopyText(entry.fields);
  return `${entry.timestamp}\t${entry.level}\t${escapeCopyText(entry.message)}\t${sourceId}\t${entry.offset}\t${entry.severity}\t${levelText}\t${fields}\t${entry.timeSource}\t${templateId}\n`;
}
