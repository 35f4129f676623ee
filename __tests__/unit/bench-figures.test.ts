import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeVersion, resultsStaleness } from '../../bench/code-version';

const ROOT = path.resolve(__dirname, '..', '..');
const MARKER = '**These figures are older than the code**';

describe("The README's benchmark figures and the code they describe", () => {
  it('says they are older than the code exactly when bench/results.json measured other code', () => {
    // Prepare
    const staleness = resultsStaleness(ROOT, path.join(ROOT, 'bench', 'results.json'));
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

    // Assess: run `npm run bench` (and drop the sentence), or keep the sentence
    expect({ stale: staleness.stale, readmeSaysSo: readme.includes(MARKER), why: staleness.message }).toEqual({
      stale: readme.includes(MARKER),
      readmeSaysSo: staleness.stale,
      why: staleness.message,
    });
  });

  it('quotes the commit of the run whose figures it shows, when the run recorded it', () => {
    // Prepare
    const results = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'results.json'), 'utf8')) as { code?: { commit: string | null } };
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

    // Assess
    if (results.code?.commit) expect(readme).toContain(results.code.commit.slice(0, 7));
  });

  it('leaves no placeholder of a draft in the README or docs/ (a figure to fill in later is a figure never filled in)', () => {
    // Prepare
    const files = [
      'README.md',
      ...fs
        .readdirSync(path.join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => path.join('docs', f)),
    ];

    // Assess
    const left = files.flatMap((f) =>
      fs
        .readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\b[A-Z][A-Z_]*_(?:PLACEHOLDER|RESULT|TBD)\b|\bTBD\b/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(left).toEqual([]);
  });

  describe('resultsStaleness', () => {
    let dir: string;

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-bench-code-'));
    });

    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const write = (results: unknown): string => {
      const file = path.join(dir, 'results.json');
      fs.writeFileSync(file, JSON.stringify(results));
      return file;
    };

    it('finds results of the code as it is up to date', () => {
      // Prepare
      const now = codeVersion(ROOT);
      const file = write({ startedAt: '2026-12-02T10:00:00Z', code: now });

      // Act
      const s = resultsStaleness(ROOT, file, now);

      // Assess
      expect(s).toMatchObject({ stale: false, changed: [] });
      expect(s.message).toContain('measured the code as it is');
    });

    it('warns about results of other code, saying which commit they measured', () => {
      // Prepare
      const now = codeVersion(ROOT);
      const file = write({ startedAt: '2026-12-02T10:00:00Z', code: { ...now, digest: 'f'.repeat(64) } });

      // Act
      const s = resultsStaleness(ROOT, file, now);

      // Assess
      expect(s.stale).toBe(true);
      expect(s.message).toMatch(/^WARNING: .*results\.json measured other code \(commit [0-9a-f]{7}.*are older than the code; run `npm run bench`$/);
    });

    it('warns about results that do not say which code they measured, and about no results', () => {
      expect(resultsStaleness(ROOT, write({ startedAt: '2026-11-24T16:41:00Z' })).message).toContain('does not say which code it measured');
      expect(resultsStaleness(ROOT, path.join(dir, 'none.json')).stale).toBe(true);
    });

    it('changes the digest with the content of a measured file, not with the docs', () => {
      // Prepare: a copy of a measured file and of a doc, in a scratch checkout of two files
      const repo = path.join(dir, 'repo');
      fs.mkdirSync(path.join(repo, 'lib'), { recursive: true });
      fs.writeFileSync(path.join(repo, 'lib', 'a.ts'), 'export const a = 1;\n');
      fs.writeFileSync(path.join(repo, 'lib', 'notes.md'), 'notes\n');
      const git = (args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
      git(['init', '-q']);
      git(['add', '.']);

      // Act
      const before = codeVersion(repo).digest;
      fs.writeFileSync(path.join(repo, 'lib', 'notes.md'), 'other notes\n');
      const afterDoc = codeVersion(repo).digest;
      fs.writeFileSync(path.join(repo, 'lib', 'a.ts'), 'export const a = 2;\n');
      const afterCode = codeVersion(repo).digest;

      // Assess
      expect(afterDoc).toBe(before);
      expect(afterCode).not.toBe(before);
    });
  });
});
