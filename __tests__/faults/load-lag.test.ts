// Load: a log grows at 50,000 lines/s (a writer process of its own) while
// ingest runs on a compressed schedule (a run starts every second, or as soon
// as the previous one ends when it took longer). A sampler measures the lag:
// the age of the oldest byte not yet committed. Timing is only asserted
// generously (the machine may be a loaded 2-core CI box): the lag must stay
// under MAX_LAG_SECONDS and return to 0 after the writer stops. The measured
// figures are printed; docs/reliability.md records them.
//
// LOGMON_LOAD_SECONDS sets how long the writer writes (default 12).
import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { sleep, spawnProcess } from '../support/children';
import { makeTempDir } from '../support/files';

const RATE = 50_000;
const WRITE_SECONDS = Number(process.env.LOGMON_LOAD_SECONDS ?? 12);
const SCHEDULE_MS = 1000;
const SAMPLE_MS = 100;
const MAX_LAG_SECONDS = 10;
const CATCH_UP_DEADLINE_MS = 60_000;
// must match load-writer.mjs: seq % 20 picks the level
const CYCLE = [
  'INFO',
  'ERROR',
  'INFO',
  'WARNING',
  'INFO',
  'ERROR',
  'INFO',
  'FATAL',
  'INFO',
  'ERROR',
  'INFO',
  'WARNING',
  'INFO',
  'ERROR',
  'INFO',
  'FATAL',
  'INFO',
  'ERROR',
  'WARNING',
  'INFO',
];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

describe('Fault: load while ingest runs on its schedule', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = makeTempDir('logmon-load-');
  });

  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    `keeps the lag under ${MAX_LAG_SECONDS} s while the log grows at ${RATE} lines/s, and catches up to 0 when writing stops`,
    async () => {
      // Prepare
      const file = path.join(dir, 'busy.log');
      fs.writeFileSync(file, '');
      const config = readIngestConfig({ LOG_FILES: file, MULTILINE_FLUSH_MS: '1000' });
      const history: { t: number; size: number }[] = [];
      const lags: number[] = [];
      const runMs: number[] = [];
      let committed = 0;
      let writerDone = false;
      let stoppedAt = 0;
      let caughtUpAt = 0;

      const sample = async (): Promise<void> => {
        const t = Date.now();
        const size = fs.statSync(file).size;
        history.push({ t, size });
        const r = await db.pool.query<{ o: string }>('SELECT read_offset AS o FROM log_sources WHERE path = $1', [file]);
        committed = r.rows[0] ? Number(r.rows[0].o) : 0;
        // the oldest uncommitted byte was written when the file first grew past it
        const writtenAt = committed >= size ? t : (history.find((h) => h.size > committed)?.t ?? t);
        lags.push((t - writtenAt) / 1000);
        if (writerDone && committed >= size && caughtUpAt === 0) caughtUpAt = t;
      };
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await sample();
          await sleep(SAMPLE_MS);
        }
      })();

      // Act
      const writer = spawnProcess(
        process.execPath,
        [path.join(__dirname, '..', 'support', 'load-writer.mjs'), file, String(RATE), String(WRITE_SECONDS)],
        process.env,
      );
      const written = writer.exited.then((r) => {
        writerDone = true;
        stoppedAt = Date.now();
        return JSON.parse(r.stdout) as { lines: number; bytes: number; ms: number };
      });
      const deadline = Date.now() + WRITE_SECONDS * 1000 + CATCH_UP_DEADLINE_MS;
      while (caughtUpAt === 0 && Date.now() < deadline) {
        const started = Date.now();
        await runIngest({ pool: db.pool, config });
        runMs.push(Date.now() - started);
        await sleep(Math.max(0, SCHEDULE_MS - (Date.now() - started)));
      }
      sampling = false;
      await sampler;
      const writes = await written;

      // Assess
      const maxLag = Math.max(...lags);
      const report =
        `[load] writer: ${writes.lines} lines in ${(writes.ms / 1000).toFixed(1)} s ` +
        `(${Math.round(writes.lines / (writes.ms / 1000))} lines/s, ${(writes.bytes / writes.ms / 1000).toFixed(1)} MB/s); ` +
        `ingest every ${SCHEDULE_MS} ms: ${runMs.length} runs, run p50 ${percentile(runMs, 50)} ms, max ${Math.max(...runMs)} ms; ` +
        `lag p50 ${percentile(lags, 50).toFixed(1)} s, p95 ${percentile(lags, 95).toFixed(1)} s, max ${maxLag.toFixed(1)} s; ` +
        `lag 0 again ${caughtUpAt ? ((caughtUpAt - stoppedAt) / 1000).toFixed(1) : 'never'} s after the writer stopped\n`;
      process.stdout.write(report);
      expect(writes.lines).toBe(RATE * WRITE_SECONDS);
      expect(caughtUpAt).toBeGreaterThan(0);
      expect(maxLag).toBeLessThan(MAX_LAG_SECONDS);

      const rows = await db.pool.query<{ seq: number; level: string }>(
        "SELECT substring(message from '^seq=([0-9]+) ')::int AS seq, level FROM log_entries ORDER BY 1",
      );
      const expected: { seq: number; level: string }[] = [];
      for (let seq = 1; seq <= writes.lines; seq += 1) {
        const level = CYCLE[seq % CYCLE.length]!;
        if (level === 'ERROR' || level === 'FATAL') expected.push({ seq, level });
      }
      const mismatches = expected.filter((e, i) => rows.rows[i]?.seq !== e.seq || rows.rows[i]?.level !== e.level);
      expect(rows.rows.length).toBe(expected.length);
      expect(mismatches.slice(0, 5)).toEqual([]);
    },
    WRITE_SECONDS * 1000 + CATCH_UP_DEADLINE_MS + 30_000,
  );
});
