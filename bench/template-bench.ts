// The error templates' grouping accuracy for `npm run bench`, on the LogHub
// 2k samples as the benchmark defines them (bench/template-accuracy.ts):
// logmon's stored template id (masking), masking then the Drain-style miner,
// the miner alone on the raw messages (this run's Drain baseline), and
// Drain's published figures. No LogHub data is kept in this repository:
// BENCH_LOGHUB names a directory of <System>_2k.log_structured.csv files, or
// a git directory of the LogHub repository (its files are read with git show).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { templateOf } from '../lib/ingest/template';
import { mineGroups } from '../lib/ingest/template-miner';
import { DRAIN_PUBLISHED, LOGHUB_SYSTEMS, groupingAccuracy, parseCsv } from './template-accuracy';

export interface SystemAccuracy {
  system: string;
  masking: number;
  maskingAndMiner: number;
  minerAlone: number;
  drainPublished: number;
}

export interface TemplateAccuracyResult {
  status: 'measured' | 'skipped';
  /** Where the samples came from, or why the measurement was skipped. */
  source: string;
  systems: SystemAccuracy[];
  average: Omit<SystemAccuracy, 'system'> | null;
  /** Templating speed over all the samples' messages (templateOf, caches warm), messages per second. */
  messagesPerSec: number | null;
}

function readSample(source: string, system: string): string | null {
  const name = `${system}_2k.log_structured.csv`;
  const flat = path.join(source, name);
  if (fs.existsSync(flat)) return fs.readFileSync(flat, 'utf8');
  try {
    return execFileSync('git', ['--git-dir', source, 'show', `HEAD:${system}/${name}`], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
}

function columns(csv: string): { contents: string[]; events: string[] } {
  const [header, ...rows] = parseCsv(csv).filter((r) => r.length > 1);
  const content = header!.indexOf('Content');
  const event = header!.indexOf('EventId');
  return { contents: rows.map((r) => r[content]!), events: rows.map((r) => r[event]!) };
}

/**
 * Measure the grouping accuracy on every LogHub system found in `source`
 * (null: skipped, saying how to enable it).
 *
 * @example
 *   const r = measureTemplateAccuracy(process.env.BENCH_LOGHUB ?? null);
 */
export function measureTemplateAccuracy(source: string | null): TemplateAccuracyResult {
  if (source === null || source.trim() === '')
    return {
      status: 'skipped',
      source: 'BENCH_LOGHUB unset (a folder of LogHub *_2k.log_structured.csv, or a LogHub git directory)',
      systems: [],
      average: null,
      messagesPerSec: null,
    };
  const systems: SystemAccuracy[] = [];
  const all: string[] = [];
  for (const system of LOGHUB_SYSTEMS) {
    const csv = readSample(source, system);
    if (csv === null) continue;
    const { contents, events } = columns(csv);
    all.push(...contents);
    const templates = contents.map((c) => templateOf(c));
    systems.push({
      system,
      masking: groupingAccuracy(
        events,
        templates.map((t) => t.id),
      ),
      maskingAndMiner: groupingAccuracy(events, mineGroups(templates.map((t) => t.template))),
      minerAlone: groupingAccuracy(events, mineGroups(contents)),
      drainPublished: DRAIN_PUBLISHED[system],
    });
  }
  if (systems.length === 0) return { status: 'skipped', source: `no LogHub 2k sample found in ${source}`, systems, average: null, messagesPerSec: null };
  const avg = (k: keyof Omit<SystemAccuracy, 'system'>): number => systems.reduce((s, r) => s + r[k], 0) / systems.length;
  const started = process.hrtime.bigint();
  let rounds = 0;
  while (rounds < 5 || process.hrtime.bigint() - started < 500_000_000n) {
    for (const c of all) templateOf(c);
    rounds += 1;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    status: 'measured',
    source,
    systems,
    average: { masking: avg('masking'), maskingAndMiner: avg('maskingAndMiner'), minerAlone: avg('minerAlone'), drainPublished: avg('drainPublished') },
    messagesPerSec: (all.length * rounds) / seconds,
  };
}

/** The Markdown table of a measured result. */
export function formatTemplateAccuracy(r: TemplateAccuracyResult): string {
  if (r.status === 'skipped' || r.average === null) return `Template grouping accuracy: skipped (${r.source})`;
  const f = (x: number): string => x.toFixed(3);
  const lines = [
    `Template grouping accuracy, LogHub 2k samples (${r.systems.length} systems), templating ${Math.round(r.messagesPerSec ?? 0).toLocaleString('en-US')} messages/s`,
    '',
    '| system | stored template (masking) | masking + miner | miner alone (this run) | Drain (published) |',
    '| --- | --- | --- | --- | --- |',
    ...r.systems.map((s) => `| ${s.system} | ${f(s.masking)} | ${f(s.maskingAndMiner)} | ${f(s.minerAlone)} | ${f(s.drainPublished)} |`),
    `| **average** | **${f(r.average.masking)}** | ${f(r.average.maskingAndMiner)} | ${f(r.average.minerAlone)} | ${f(r.average.drainPublished)} |`,
  ];
  return lines.join('\n');
}
