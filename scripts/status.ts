// npm run status [-- --json | --watch [seconds]]: per file checkpoint and lag,
// per rule state and last notification, recent ingest anomalies, and stored
// entries per minute over the last hour as a chart with the rules' thresholds.
// --json prints the snapshot for scripts; --watch redraws it every N seconds
// (default 10) until Ctrl-C. Colours only on a terminal (and never with NO_COLOR).
// Database: DATABASE_URL, or the one `npm start` is running.
import { createPool } from '../lib/platform/db';
import { ConfigError, describeError } from '../lib/platform/errors';
import { readStatus } from '../lib/status/status';
import { formatStatusReport } from '../lib/status/status-report';
import { localDatabaseUrl } from './local-database';
import { readOptions } from './options';

interface StatusOptions {
  json: boolean;
  /** Seconds between redraws; null: once. */
  watchSeconds: number | null;
}

function readStatusOptions(argv: readonly string[]): StatusOptions {
  const options: StatusOptions = { json: false, watchSeconds: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') options.json = true;
    else if (arg === '--watch') {
      const next = argv[i + 1];
      if (next !== undefined && /^\d+$/.test(next)) {
        options.watchSeconds = Number(next);
        i += 1;
      } else options.watchSeconds = 10;
      if (options.watchSeconds < 1) throw new ConfigError('--watch takes a number of seconds >= 1');
    } else throw new ConfigError(`unknown option "${arg}" (known: --json, --watch [seconds])`);
  }
  if (options.json && options.watchSeconds !== null) throw new ConfigError('--json and --watch do not go together');
  return options;
}

async function main(): Promise<void> {
  const options = readOptions('status', () => readStatusOptions(process.argv.slice(2)));
  const pool = createPool(localDatabaseUrl());
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  try {
    for (;;) {
      const snapshot = await readStatus({ pool });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
        return;
      }
      const report = formatStatusReport(snapshot, { timeZone, color });
      // a terminal is cleared before each redraw; a pipe gets the reports one after the other
      process.stdout.write(options.watchSeconds !== null && process.stdout.isTTY ? `\x1b[H\x1b[2J${report}` : report);
      if (options.watchSeconds === null) return;
      await new Promise((resolve) => setTimeout(resolve, options.watchSeconds! * 1000));
    }
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`status failed: ${describeError(err)}\n`);
  process.exit(1);
});
