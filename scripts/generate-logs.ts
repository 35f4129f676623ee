// npm run generate-logs -- [file] [intervalSeconds]: the brief's generate_logs.sh, in this stack.
import { machineTimeZone } from '../lib/ingest/sources';
import { readDemoOptions, startLogGenerator } from './log-generator';
import { readOptions } from './options';

const { file, intervalSeconds } = readOptions('generate-logs', () => readDemoOptions(process.env, { file: process.argv[2], seconds: process.argv[3] }));
process.stderr.write(`appending a log line to ${file} every ${intervalSeconds}s (Ctrl-C stops)\n`);
startLogGenerator({
  file,
  intervalMs: intervalSeconds * 1000,
  timeZone: process.env.LOG_TIMEZONE || machineTimeZone(),
  onLine: (l) => process.stdout.write(l),
});
