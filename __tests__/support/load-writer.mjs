// Appends log lines at a fixed rate, in a process of its own so the ingest
// under test cannot slow it down. argv: file, lines per second, seconds.
// Line `seq` (from 1) has the level LEVEL_OF(seq), so the reader of the
// database knows which entries must be there without a list.
// Prints `{"lines":…,"bytes":…,"ms":…}` when done.
import fs from 'node:fs';

const [file, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const durationMs = Number(secondsArg) * 1000;
const TICK_MS = 10;
// 20-step cycle: 10 INFO, 3 WARNING, 5 ERROR, 2 FATAL (35% kept)
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

function stamp(date) {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

const fd = fs.openSync(file, 'a');
const started = Date.now();
let seq = 0;
let bytes = 0;

function tick() {
  const now = Date.now();
  const elapsed = Math.min(now - started, durationMs);
  const due = Math.floor((rate * elapsed) / 1000);
  if (due > seq) {
    const ts = stamp(new Date(now));
    const parts = [];
    while (seq < due) {
      seq += 1;
      parts.push(`${ts} [${CYCLE[seq % CYCLE.length]}] seq=${seq} request failed: upstream timeout after 30000 ms\n`);
    }
    const chunk = parts.join('');
    fs.writeSync(fd, chunk);
    bytes += Buffer.byteLength(chunk);
  }
  if (elapsed >= durationMs) {
    fs.closeSync(fd);
    process.stdout.write(`${JSON.stringify({ lines: seq, bytes, ms: Date.now() - started })}\n`);
    return;
  }
  setTimeout(tick, TICK_MS);
}

tick();
