// npm run soak -- [kill trials] [concurrency rounds] [load seconds] [alert kill trials]
// The fault tests of __tests__/faults with larger counts than CI runs
// (defaults 500 ingest kills, 50 rounds of four concurrent ingest runs and of
// four concurrent alert runs, 60 s of load, 300 alert kills).
// Runs jest in band, like npm test; exits with its status.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { intOption } from '../lib/platform/env';
import { readOptions } from './options';

const ROOT = path.resolve(__dirname, '..');

const [trials, rounds, seconds, alertTrials] = process.argv.slice(2);
const counts = readOptions('soak', () => ({
  LOGMON_KILL_TRIALS: intOption(trials, 'kill trials (1st argument)', 500, 1),
  LOGMON_CONCURRENCY_ROUNDS: intOption(rounds, 'concurrency rounds (2nd argument)', 50, 1),
  LOGMON_LOAD_SECONDS: intOption(seconds, 'load seconds (3rd argument)', 60, 1),
  LOGMON_ALERT_KILL_TRIALS: intOption(alertTrials, 'alert kill trials (4th argument)', 300, 1),
}));
const env = { ...process.env, ...Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, String(n)])) };
process.stdout.write(
  `soak: ${env.LOGMON_KILL_TRIALS} ingest kill -9 trials, ${env.LOGMON_CONCURRENCY_ROUNDS} rounds of concurrent runs, ` +
    `${env.LOGMON_LOAD_SECONDS} s of load, ${env.LOGMON_ALERT_KILL_TRIALS} alert kill -9 trials\n`,
);
const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const tests = [
  '__tests__/faults/kill-ingest',
  '__tests__/faults/concurrent-ingest',
  '__tests__/faults/load-lag',
  '__tests__/faults/kill-alert',
  '__tests__/faults/concurrent-alert',
];
const result = spawnSync(process.execPath, [jest, '--runInBand', '--verbose', ...tests], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
