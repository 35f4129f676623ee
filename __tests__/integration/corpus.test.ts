// Recall and precision of error-level entries over every fixture that comes
// with its ground truth (`X.log` + `X.records.jsonl`, what the program
// reported about each log call, or `X.expected.jsonl` for documented samples):
// the whole read path (auto detection, multi-line, levels) without a database.
import fs from 'node:fs';
import path from 'node:path';
import { inspectContent } from '../../lib/ingest/inspect';
import { LEVELS, levelOfWord } from '../../lib/ingest/formats/severity';
import { shorthandSource } from '../../lib/ingest/sources';

const ROOT = path.join(__dirname, '../fixtures/logs');

function findCases(dir: string): { log: string; truth: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return findCases(p);
    if (!d.name.endsWith('.log')) return [];
    const base = p.slice(0, -'.log'.length);
    // `.pipeline.jsonl`: what the whole read path stores where it differs from the parser's view (an uncaught panic after the last line).
    const truth = [`${base}.pipeline.jsonl`, `${base}.records.jsonl`, `${base}.expected.jsonl`].find((t) => fs.existsSync(t));
    return truth ? [{ log: p, truth }] : [];
  });
}

/** Levels the ground truth names, as logmon's scale (program-specific words included). */
function truthLevel(word: string | null): string | null {
  if (word === null) return null;
  const extra: Record<string, string> = { silly: 'TRACE', verbose: 'TRACE', http: 'INFO', mark: 'INFO', off: 'TRACE' };
  return levelOfWord(word) ?? extra[word.toLowerCase()] ?? null;
}

const cases = findCases(ROOT);
const source = shorthandSource({ LOG_FILES: 'x.log' }, { timeZone: 'UTC', minLevel: 'ERROR' });

describe('Corpus: every error-level entry of the fixtures, and nothing else', () => {
  it('has fixtures with ground truth', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  it.each(cases.map((c) => [path.relative(ROOT, c.log), c]))('%s', (_name, c) => {
    const truth = fs
      .readFileSync(c.truth, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { level: string | null });
    const expected = truth
      .map((r) => truthLevel(r.level))
      .filter((l): l is keyof typeof LEVELS => l !== null && LEVELS[l as keyof typeof LEVELS] >= LEVELS.ERROR);
    const report = inspectContent(fs.readFileSync(c.log), source, { mtimeMs: fs.statSync(c.log).mtimeMs, maxLineBytes: 65536 });
    const stored = report.entries.filter((e) => e.severity >= LEVELS.ERROR).map((e) => e.level);
    expect(stored).toEqual(expected);
  });
});
