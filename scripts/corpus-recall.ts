// npm run corpus-recall -- DIR
// Recall and precision of error-level entries (ERROR and above) with format
// auto, over a folder of log files with their ground truth: `X.log` with
// LogHub's `X.csv` (the `*_2k.log_structured.csv` of logpai/loghub, one row per
// line, a `Level` column), as docs/sources.md reports. No database. Files
// whose truth has no Level column count only their found entries (as
// "found, no truth"), not as false positives.
import fs from 'node:fs';
import { LEVELS, levelOfLetter, levelOfWord } from '../lib/ingest/formats/severity';
import { inspectContent } from '../lib/ingest/inspect';
import { shorthandSource } from '../lib/ingest/sources';

/** RFC 4180 CSV (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          f += '"';
          i++;
        } else q = false;
      } else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(f);
      f = '';
    } else if (c === '\n') {
      row.push(f);
      rows.push(row);
      row = [];
      f = '';
    } else if (c !== '\r') f += c;
  }
  if (f !== '' || row.length) {
    row.push(f);
    rows.push(row);
  }
  return rows;
}
const dir = process.argv[2];
if (!dir || !fs.existsSync(dir)) {
  process.stderr.write('usage: npm run corpus-recall -- DIR (X.log files with LogHub X.csv structured truth)\n');
  process.exit(2);
}
const source = shorthandSource({ LOG_FILES: 'x.log' }, { timeZone: 'UTC', minLevel: 'ERROR' });
let tp = 0;
let fp = 0;
let fn = 0;
let untruthed = 0;
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.log'))) {
  const base = name.slice(0, -4);
  const content = fs.readFileSync(`${dir}/${name}`);
  const csv = parseCsv(fs.readFileSync(`${dir}/${base}.csv`, 'utf8'));
  const header = csv[0]!;
  const li = header.indexOf('Level');
  const lines = content.toString('utf8').split('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += Buffer.byteLength(l) + 1;
  }
  const expected = new Set<number>();
  if (li >= 0)
    csv.slice(1).forEach((r, i) => {
      const w = (r[li] ?? '').trim();
      const lv = w.length === 1 ? levelOfLetter(w) : levelOfWord(w);
      if (lv && LEVELS[lv] >= LEVELS.ERROR) expected.add(i);
    });
  const report = inspectContent(content, source, { mtimeMs: fs.statSync(`${dir}/${name}`).mtimeMs, maxLineBytes: 65536 });
  const got = new Set<number>();
  for (const e of report.entries) if (e.severity >= LEVELS.ERROR) got.add(starts.indexOf(e.offset));
  let t = 0,
    p = 0,
    n = 0;
  const fps: number[] = [];
  const fns: number[] = [];
  for (const g of got)
    if (expected.has(g)) t++;
    else {
      p++;
      fps.push(g);
    }
  for (const e of expected)
    if (!got.has(e)) {
      n++;
      fns.push(e);
    }
  if (li < 0) {
    untruthed += got.size;
    console.log(
      `${base.padEnd(12)} no Level column: found ${got.size} error-level entries, formats ${JSON.stringify(Object.fromEntries(report.formats))}, not understood ${report.counts.unparseableLines}`,
    );
    continue;
  }
  tp += t;
  fp += p;
  fn += n;
  console.log(
    `${base.padEnd(12)} expected ${String(expected.size).padStart(4)} got ${String(got.size).padStart(4)} tp ${t} fp ${p} fn ${n} formats ${JSON.stringify(Object.fromEntries(report.formats))} unparsed ${report.counts.unparseableLines}`,
  );
  for (const x of fps.slice(0, 2)) console.log(`   FP: ${lines[x]?.slice(0, 160)}`);
  for (const x of fns.slice(0, 2)) console.log(`   FN: ${lines[x]?.slice(0, 160)}`);
}
console.log(
  `TOTAL recall ${(tp / Math.max(1, tp + fn)).toFixed(3)} precision ${(tp / Math.max(1, tp + fp)).toFixed(3)} (true positives ${tp}, false positives ${fp}, missed ${fn}; ${untruthed} found in files without a Level column)`,
);
