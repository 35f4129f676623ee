// npm run generate-logs -- [file] [intervalSeconds]: the brief's generate_logs.sh, in this stack.
import { startLogGenerator } from './log-generator';

const file = process.argv[2] ?? process.env.DEMO_LOG_FILE ?? 'logs/app.log';
const seconds = Number(process.argv[3] ?? process.env.DEMO_INTERVAL_SECONDS ?? 5);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`interval must be a positive number of seconds, got "${process.argv[3]}"`);
  process.exit(2);
}
console.error(`appending a log line to ${file} every ${seconds}s (Ctrl-C stops)`);
startLogGenerator({ file, intervalMs: seconds * 1000, timeZone: process.env.LOG_TIMEZONE || 'UTC', onLine: (l) => process.stdout.write(l) });
