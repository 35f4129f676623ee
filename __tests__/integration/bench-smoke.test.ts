import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../support/files';

const ROOT = path.resolve(__dirname, '..', '..');

// The benchmark is not a test: this only checks that a tiny run completes and
// writes results with the expected shape. Nothing here depends on timing.
describe('Command: npm run bench -- --tiny', () => {
  let dir: string;
  let run: SpawnSyncReturns<string>;
  let results: Record<string, unknown>;

  beforeAll(() => {
    // Prepare
    dir = makeTempDir('logmon-bench-smoke-');
    const out = path.join(dir, 'results.json');
    const env = {
      ...process.env,
      DATABASE_URL: process.env.LOGMON_TEST_ADMIN_URL,
      BENCH_BUILD_DIR: path.join(dir, 'build'),
      BENCH_LINES: '2000',
      BENCH_REPEATS: '1',
      BENCH_FORMATS: '',
    };

    // Act
    run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bench/run.ts', '--tiny', '--out', out], { cwd: ROOT, env, encoding: 'utf8' });
    results = run.status === 0 ? (JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
  }, 120000);

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes results JSON with every section, on a 2,000-line file', () => {
    // Assess
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(Object.keys(results)).toEqual(
      expect.arrayContaining(['command', 'postgres', 'data', 'baseline', 'ingest', 'ratio', 'formats', 'backlog', 'alert', 'bundles', 'targets']),
    );
    expect(results.data).toMatchObject({ lines: 2000 });
    expect(results.ingest).toEqual(
      expect.objectContaining({ linesPerSec: expect.any(Number), peakRssMb: expect.any(Number), checkpoint: (results.data as { bytes: number }).bytes }),
    );
    expect(['measured', 'skipped']).toContain((results.baseline as { status: string }).status);
    expect(results.backlog).toMatchObject({ status: 'skipped' });
    expect(results.alert).toMatchObject({ status: 'skipped' });
    expect(results.bundles).toEqual(
      expect.arrayContaining([expect.objectContaining({ handler: 'ingest', bytes: expect.any(Number), coldInitMs: expect.any(Number) })]),
    );
    expect(Object.keys(results.targets as object).sort()).toEqual([
      'alertEvaluationMs',
      'briefFormatRate',
      'bundleBytes',
      'coldInitMs',
      'ingestVsBareCopy',
      'ingestVsBaseline',
      'latencyP95DefaultMs',
      'latencyP95LowLatencyMs',
      'manyFilesIdleMs',
      'peakRssMb',
      'retentionDayMs',
      'templateAccuracy',
    ]);
    // the same lines as files and as S3 objects from s3rver: the same entries either way
    expect(results.s3).toMatchObject({ status: 'measured', lines: 2000, objects: 8, gzipObjects: 4, sameEntries: true, s3VsFiles: expect.any(Number) });
    // retention of a day at two table sizes (500 entries a day in --tiny: 4 and 16 days)
    expect(results.retention).toMatchObject({
      status: 'measured',
      dayRows: 500,
      sizes: [
        { rows: 2000, days: 4, removedRows: expect.any(Number), dayMs: expect.any(Number), hourMs: expect.any(Number) },
        { rows: 8000, days: 16, removedRows: expect.any(Number), dayMs: expect.any(Number), hourMs: expect.any(Number) },
      ],
      ratio: expect.any(Number),
      plainDayMs: expect.any(Number),
    });
    // --tiny skips the detection latency (minutes on the real schedule)
    expect(results.latency).toEqual([]);
    expect(['measured', 'skipped']).toContain((results.templates as { status: string }).status);
    // A 2,000-line ratio is not judged against the 1,000,000-line reference.
    expect(results.targets).toMatchObject({ briefFormatRate: { target: 0.9, met: null } });
  });

  it('measures each format on a file of the same number of lines, against \\copy of the same rows', () => {
    // Prepare
    const formats = (results.formats ?? []) as Record<string, unknown>[];
    const measured = (results.baseline as { status: string } | undefined)?.status === 'measured';

    // Assess
    expect(formats.map((f) => f.format)).toEqual(['brief', 'json', 'logfmt', 'timestamp-level']);
    for (const f of formats) {
      const data = f.data as { rows: number };
      expect(f.data).toMatchObject({ lines: 2000, bytes: expect.any(Number), rows: expect.any(Number) });
      expect(data.rows).toBeGreaterThan(0);
      expect(f.ingest).toEqual(
        expect.objectContaining({
          seconds: [expect.any(Number)],
          cpuSeconds: [expect.any(Number)],
          linesPerSec: expect.any(Number),
          rows: data.rows,
          detected: f.format,
        }),
      );
      expect(f.copy).toMatchObject(measured ? { status: 'measured', seconds: [expect.any(Number)], linesPerSec: expect.any(Number) } : { status: 'skipped' });
      expect(f).toMatchObject(measured ? { ratio: expect.any(Number), ratioBest: expect.any(Number), sameRows: true } : { ratio: null, sameRows: null });
      expect(f.pipeline === null).toBe(f.format !== 'brief');
    }
    const traced = formats.find((f) => f.format === 'timestamp-level')?.data as { continuationLines: number } | undefined;
    expect(traced?.continuationLines).toBeGreaterThan(0);
  });
});
