// Grouping accuracy of the error templates on the LogHub 2k samples, as the
// LogHub benchmark defines it (Zhu et al., "Tools and Benchmarks for Automated
// Log Parsing", ICSE-SEIP 2019): a message is parsed correctly when the set of
// messages in its predicted group equals the set in its ground-truth group
// (EventId); accuracy is the share of such messages.
//
//   npx tsx bench/template-accuracy.ts DIR
//
// DIR holds <System>_2k.log_structured.csv files (columns Content, EventId),
// e.g. from the LogHub repository:
//   git -C /work/.mirror/logpai+loghub/repo show HEAD:HDFS/HDFS_2k.log_structured.csv > DIR/HDFS_2k.log_structured.csv
// No LogHub data is kept in this repository.
import fs from 'node:fs';
import path from 'node:path';
import { templateOf } from '../lib/ingest/template';
import { mineGroups } from '../lib/ingest/template-miner';

export const LOGHUB_SYSTEMS = [
  'Android',
  'Apache',
  'BGL',
  'HDFS',
  'HPC',
  'Hadoop',
  'HealthApp',
  'Linux',
  'Mac',
  'OpenSSH',
  'OpenStack',
  'Proxifier',
  'Spark',
  'Thunderbird',
  'Windows',
  'Zookeeper',
] as const;

/** Drain's grouping accuracy in Zhu et al. 2019, Table III (16 systems, with the benchmark's per-system preprocessing). */
export const DRAIN_PUBLISHED: Record<(typeof LOGHUB_SYSTEMS)[number], number> = {
  Android: 0.911,
  Apache: 1.0,
  BGL: 0.963,
  HDFS: 0.998,
  HPC: 0.887,
  Hadoop: 0.948,
  HealthApp: 0.78,
  Linux: 0.69,
  Mac: 0.787,
  OpenSSH: 0.788,
  OpenStack: 0.733,
  Proxifier: 0.527,
  Spark: 0.92,
  Thunderbird: 0.955,
  Windows: 0.997,
  Zookeeper: 0.967,
};

/** RFC 4180 rows: quoted fields, `""` escapes, newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** LogHub's grouping accuracy of `predicted` against `truth` (one label per message). */
export function groupingAccuracy(truth: readonly string[], predicted: readonly string[]): number {
  const byTruth = new Map<string, number[]>();
  const byPredicted = new Map<string, number[]>();
  truth.forEach((t, i) => {
    byTruth.set(t, [...(byTruth.get(t) ?? []), i]);
    byPredicted.set(predicted[i]!, [...(byPredicted.get(predicted[i]!) ?? []), i]);
  });
  let correct = 0;
  for (const members of byPredicted.values()) {
    const labels = new Set(members.map((i) => truth[i]!));
    if (labels.size === 1 && byTruth.get(truth[members[0]!]!)!.length === members.length) correct += members.length;
  }
  return correct / truth.length;
}

function readSystem(dir: string, system: string): { contents: string[]; events: string[] } | null {
  const file = path.join(dir, `${system}_2k.log_structured.csv`);
  if (!fs.existsSync(file)) return null;
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8')).filter((r) => r.length > 1);
  const content = header!.indexOf('Content');
  const event = header!.indexOf('EventId');
  return { contents: rows.map((r) => r[content]!), events: rows.map((r) => r[event]!) };
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: npx tsx bench/template-accuracy.ts DIR (with <System>_2k.log_structured.csv files)\n');
    process.exit(2);
  }
  const results: { system: string; masking: number; miner: number; drain: number }[] = [];
  for (const system of LOGHUB_SYSTEMS) {
    const data = readSystem(dir, system);
    if (data === null) {
      process.stderr.write(`${system}: ${system}_2k.log_structured.csv not found in ${dir}, skipped\n`);
      continue;
    }
    const templates = data.contents.map((c) => templateOf(c));
    results.push({
      system,
      masking: groupingAccuracy(
        data.events,
        templates.map((t) => t.id),
      ),
      miner: groupingAccuracy(data.events, mineGroups(templates.map((t) => t.template))),
      drain: DRAIN_PUBLISHED[system],
    });
  }
  const pad = (s: string, n: number): string => s.padEnd(n);
  const f = (x: number): string => x.toFixed(3);
  process.stdout.write('masking: the stored template id; +miner: masking then mineGroups (benchmark only, order-dependent)\n');
  process.stdout.write(`${pad('system', 12)} ${pad('masking', 8)} ${pad('+miner', 8)} Drain (Zhu et al. 2019)\n`);
  for (const r of results) process.stdout.write(`${pad(r.system, 12)} ${pad(f(r.masking), 8)} ${pad(f(r.miner), 8)} ${f(r.drain)}\n`);
  const avg = (k: 'masking' | 'miner' | 'drain'): number => results.reduce((s, r) => s + r[k], 0) / Math.max(1, results.length);
  process.stdout.write(`${pad('average', 12)} ${pad(f(avg('masking')), 8)} ${pad(f(avg('miner')), 8)} ${f(avg('drain'))}\n`);
}

if (require.main === module) main();
