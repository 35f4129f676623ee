import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../support/files';

const ROOT = path.resolve(__dirname, '..', '..');

// The benchmark is not a test: this only checks that a tiny run completes and
// writes results with the expected shape. Nothing here depends on timing.
describe('Command: npm run bench -- --tiny', () => {
  let dir: string;

  beforeAll(() => {
    dir = makeTempDir('logmon-bench-smoke-');
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes results JSON with every section, on a 2,000-line file', () => {
    // Prepare
    const out = path.join(dir, 'results.json');
    const env = {
      ...process.env,
      DATABASE_URL: process.env.LOGMON_TEST_ADMIN_URL,
      BENCH_BUILD_DIR: path.join(dir, 'build'),
      BENCH_LINES: '2000',
    };

    // Act
    const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bench/run.ts', '--tiny', '--out', out], { cwd: ROOT, env, encoding: 'utf8' });

    // Assess
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const results = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(results)).toEqual(
      expect.arrayContaining(['command', 'postgres', 'data', 'baseline', 'ingest', 'ratio', 'backlog', 'alert', 'bundles', 'targets']),
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
    expect(Object.keys(results.targets as object).sort()).toEqual(['alertEvaluationMs', 'bundleBytes', 'coldInitMs', 'ingestVsBaseline', 'peakRssMb']);
  }, 120000);
});
