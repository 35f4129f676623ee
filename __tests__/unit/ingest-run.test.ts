import { runOutcome, silentSources, unmatchedPatterns } from '../../lib/ingest/ingest-run';
import { totalsOf } from '../../lib/ingest/file-summary';
import { parseSourcesConfig } from '../../lib/ingest/sources';

const MIN = 60_000;
const sources = parseSourcesConfig(
  {
    sources: [
      { name: 'api', paths: ['/logs/api/*.log', '/logs/api.log'], expectActivityWithin: '30m' },
      { name: 'db', path: '/logs/{host}/db.log' },
    ],
  },
  { timeZone: 'UTC', minLevel: 'ERROR' },
);
const stat = (path: string, mtimeMs: number, source: string) => ({ path, dev: '1', ino: path, birthTimeNs: '0', size: 10, mtimeMs, source });

describe('Function: unmatchedPatterns', () => {
  it('lists the configured paths and globs, as written, that no file present matches', () => {
    // Act
    const unmatched = unmatchedPatterns(sources, [stat('/logs/api/a.log', 0, 'api'), stat('/logs/web1/db.log', 0, 'db')], '/');

    // Assess
    expect(unmatched).toEqual(['/logs/api.log']);
  });
});

describe('Function: silentSources', () => {
  it.each<[string, number[], boolean]>([
    ['changed within the limit', [100 * MIN - 10 * MIN], false],
    ['unchanged for longer', [100 * MIN - 31 * MIN], true],
    ['without any file', [], true],
  ])('a source with expectActivityWithin whose files %s is silent: %p', (_, mtimes, silent) => {
    // Act
    const found = silentSources(
      sources,
      mtimes.map((m) => stat('/logs/api/a.log', m, 'api')),
      100 * MIN,
    );

    // Assess
    expect(found.map((s) => s.source)).toEqual(silent ? ['api'] : []);
  });

  it('never reports a source without expectActivityWithin', () => {
    expect(silentSources(sources, [stat('/logs/api/a.log', 100 * MIN, 'api')], 100 * MIN)).toEqual([]);
  });
});

describe('Function: runOutcome', () => {
  it('says stopped_early before file_errors before complete', () => {
    const ok = totalsOf([]);
    const errors = { ...ok, filesWithErrors: 1 };

    expect([runOutcome(false, ok), runOutcome(false, errors), runOutcome(true, errors)]).toEqual(['complete', 'file_errors', 'stopped_early']);
  });
});
