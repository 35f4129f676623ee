import { parseAlertRules } from '../lib/alert/rules';
import { benchAlertRules, loadAlertRows, measureAlertEvaluation, measureWindowCounts } from './alert-load';
import { createScratchDatabase, openBenchServer } from './bench-database';

// A measurement, not part of `npm run bench` (issue 16: "alert evaluation
// ≤ 100 ms at 100 million stored entries and 200 rules"): loads
// BENCH_ALERT_ROWS entries (default 100M) at the bench's density (one every
// 60 ms, so 100M span 69 days: the windows hold as many entries as in the
// bench, the table ten times more), then measures what the bench's alert
// section measures: the 20 rules' steady state and window counts against
// the same counts from the entries alone, and the 200-rule steady state.
// Needs ~2.5 GB of disk per 10M rows. Prints one JSON line.
//   npx tsx bench/alert-scale.ts

const ROWS = Number(process.env.BENCH_ALERT_ROWS ?? 100_000_000);
const REPEATS = 11;

async function main(): Promise<void> {
  const say = (line: string): void => void process.stderr.write(`[alert-scale] ${line}\n`);
  const server = await openBenchServer(process.env, say);
  const db = await createScratchDatabase(server, 'scale');
  try {
    const load = await loadAlertRows(db.pool, ROWS);
    say(`loaded ${ROWS.toLocaleString('en-US')} rows over ${load.spanHours.toFixed(0)} h in ${load.seconds.toFixed(0)} s`);
    const rules = parseAlertRules(benchAlertRules());
    const twenty = await measureAlertEvaluation(db.pool, rules, REPEATS);
    say(`20 rules: first ${twenty.firstRunMs.toFixed(0)} ms, steady median ${twenty.medianMs.toFixed(1)} ms`);
    const counts = await measureWindowCounts(db.pool, rules, REPEATS);
    say(`window counts ${counts.totalMs.toFixed(1)} ms, from the entries alone ${counts.rawTotalMs.toFixed(1)} ms`);
    const many = parseAlertRules(benchAlertRules(200).map((spec, i) => ({ ...spec, name: `bench-many-${i + 1}` })));
    const hundreds = await measureAlertEvaluation(db.pool, many, REPEATS);
    say(`200 rules: first ${hundreds.firstRunMs.toFixed(0)} ms, steady median ${hundreds.medianMs.toFixed(1)} ms`);
    process.stdout.write(
      `${JSON.stringify({
        rows: ROWS,
        spanHours: load.spanHours,
        loadSeconds: load.seconds,
        twentyRules: { medianMs: twenty.medianMs, runsMs: twenty.runsMs, firstRunMs: twenty.firstRunMs },
        windowCounts: { totalMs: counts.totalMs, rawTotalMs: counts.rawTotalMs },
        twoHundredRules: { medianMs: hundreds.medianMs, runsMs: hundreds.runsMs, firstRunMs: hundreds.firstRunMs, firing: hundreds.firstRunFiring },
      })}\n`,
    );
  } finally {
    await db.drop();
    await server.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
