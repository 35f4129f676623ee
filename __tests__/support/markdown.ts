// Reading the README and docs/*.md as data, for tests that pin what they say
// to what the code does (defaults, the variables each function reads).
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** A Markdown file of the project, by its path from the project root. */
export function readDoc(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

/** One row of a Markdown table, by (lower-case) column header. */
export type TableRow = Record<string, string>;

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/**
 * The table whose header row has `firstHeader` as its first cell, in the part
 * of `markdown` after the heading `heading` (e.g. "## Configuration").
 * Throws when there is none, so a renamed section fails the test loudly.
 */
export function markdownTable(markdown: string, heading: string, firstHeader: string): TableRow[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const headerAt = lines.findIndex((l, i) => i > start && l.trim().startsWith('|') && cells(l)[0]?.toLowerCase() === firstHeader.toLowerCase());
  if (headerAt < 0) throw new Error(`no table starting with "${firstHeader}" under "${heading}"`);
  const headers = cells(lines[headerAt]!).map((h) => h.toLowerCase());
  const rows: TableRow[] = [];
  for (const line of lines.slice(headerAt + 2)) {
    if (!line.trim().startsWith('|')) break;
    const values = cells(line);
    rows.push(Object.fromEntries(headers.map((h, i) => [h, values[i] ?? ''])));
  }
  return rows;
}

/** The `code` spans of a cell: "`A`, `B`" → ["A", "B"]. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}
