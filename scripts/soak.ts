// npm run soak -- [kill trials] [concurrency rounds] [load seconds] [alert kill trials]
// The fault tests of __tests__/faults with larger counts than CI runs
// (defaults 500 ingest kills, 50 rounds of four concurrent ingest runs and of
// four concurrent alert runs, 60 s of load, 300 alert kills).
// Runs jest in band, like npm test; exits with its status.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function count(arg: string | undefined, fallback: number, name: string): string {
  const value = arg === undefined ? fallback : Number(arg);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`soak: ${name} must be a positive integer, got "${arg}"\n`);
    process.exit(2);
  }
  return String(value);
}

const [trials, rounds, seconds, alertTrials] = process.argv.slice(2);
const env = {
  ...process.env,
  LOGMON_KILL_TRIALS: count(trials, 500, 'kill trials'),
  LOGMON_CONCURRENCY_ROUNDS: count(rounds, 50, 'concurrency rounds'),
  LOGMON_LOAD_SECONDS: count(seconds, 60, 'load seconds'),
  LOGMON_ALERT_KILL_TRIALS: count(alertTrials, 300, 'alert kill trials'),
};
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
