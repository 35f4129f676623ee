import fs from 'node:fs';
import path from 'node:path';
import type { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../lib/alert/alert';
import { readAlertConfig } from '../lib/alert/config';
import { INGEST_SCHEDULE_PERIOD_MS, readIngestConfig } from '../lib/ingest/config';
import { runIngest } from '../lib/ingest/ingest';
import { runIngestPasses } from '../lib/ingest/ingest-passes';
import { formatLocalTimestamp } from '../lib/platform/local-time';
import type { BenchServer } from './bench-database';
import { createScratchDatabase } from './bench-database';
import { seededRandom } from './log-data';

// Detection latency, end to end (issue 13): a writer appends lines to files
// at a steady rate and a FATAL at random instants; ingest and alert run on
// their real schedule logic in this process — an invocation of each at every
// minute boundary (as EventBridge and serverless offline fire `rate(1 minute)`),
// ingest's passes (runIngestPasses) and its evaluation requests (an
// asynchronous runAlert, as Lambda's Event invoke) — against real PostgreSQL,
// with an SNS stand-in that records when each message is published. The
// latency of a FATAL is from its write to the publish of the FIRING that
// names its file (the default rules: any-fatal per file).

export const LATENCY_MODES = ['default', 'low-latency'] as const;
export type LatencyMode = (typeof LATENCY_MODES)[number];

export interface LatencyResult {
  mode: LatencyMode;
  /** INGEST_POLL_INTERVAL of the mode (0: off). */
  pollIntervalMs: number;
  /** FATALs written. */
  fatals: number;
  /** Each delivered FATAL's latency, ascending (ms). */
  latenciesMs: number[];
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** FATALs no FIRING named before the bench stopped waiting. */
  undelivered: number;
  /** Ingest invocations and the evaluations they requested. */
  ingestInvocations: number;
  evaluationsRequested: number;
}

export interface LatencyOptions {
  mode: LatencyMode;
  /** How long FATALs are written (ms); the bench then waits for the last ones to be delivered. */
  windowMs: number;
  seed: number;
  workDir: string;
  log: (line: string) => void;
}

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-bench-latency';
const POLL_INTERVAL_MS: Record<LatencyMode, number> = { default: 0, 'low-latency': 5000 };
/** Steady lines: one every this many ms, to a random file. */
const LINE_EVERY_MS = 250;
/** One FATAL per this many ms of the window, on average. */
const FATAL_EVERY_MS = 10_000;
/** The function's time limit (serverless.yml) less middy's early abort. */
const INGEST_TIME_LIMIT_MS = 75_000 - 2000;
/** After the window, the bench waits at most this long for the last FIRINGs. */
const DRAIN_MS = 150_000;

/** The value at quantile q (0..1) of ascending values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Measure one mode's detection latency (see the top of this file), in its
 * own scratch database and folder.
 *
 * @example
 *   const result = await measureLatency(server, { mode: 'default', windowMs: 180_000, seed: 1, workDir, log: say });
 */
export async function measureLatency(server: BenchServer, options: LatencyOptions): Promise<LatencyResult> {
  const rand = seededRandom(options.seed);
  const fatalCount = Math.max(1, Math.round(options.windowMs / FATAL_EVERY_MS));
  const files = Array.from({ length: fatalCount + 4 }, (_, i) => `f${String(i + 1).padStart(2, '0')}.log`);
  const dir = fs.mkdtempSync(path.join(options.workDir, `latency-${options.mode}-`));
  const db = await createScratchDatabase(server, `latency_${options.mode.replace('-', '_')}`);
  const published: { at: number; input: PublishCommandInput }[] = [];
  const sns = {
    send: async (command: PublishCommand) => {
      published.push({ at: Date.now(), input: command.input });
      return { MessageId: `bench-${published.length}` };
    },
  } as unknown as Pick<SNSClient, 'send'>;
  const ingestConfig = readIngestConfig({
    LOG_FILES: path.join(dir, '*.log'),
    LOG_TIMEZONE: 'UTC',
    INGEST_POLL_INTERVAL: `${POLL_INTERVAL_MS[options.mode] / 1000}s`,
  });
  const alertConfig = readAlertConfig({ ALERT_TOPIC_ARN: TOPIC });
  const alert = (requested: boolean) =>
    runAlert({ pool: db.pool, rules: alertConfig.rules, health: alertConfig.health, sns, topicArn: TOPIC, graceMs: alertConfig.graceMs, requested });
  const line = (level: string, message: string): string => `${formatLocalTimestamp(new Date(), 'UTC')} [${level}] ${message}\n`;
  for (const f of files) fs.writeFileSync(path.join(dir, f), line('INFO', 'started'));

  const running = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    const tracked = p.catch((err: unknown) => options.log(`  ${options.mode}: a run failed: ${err instanceof Error ? err.message : String(err)}`));
    running.add(tracked);
    void tracked.finally(() => running.delete(tracked));
  };
  let ingestInvocations = 0;
  let evaluationsRequested = 0;
  const ingestInvocation = async (pollIntervalMs = ingestConfig.pollIntervalMs): Promise<void> => {
    ingestInvocations += 1;
    const started = Date.now();
    const remainingMs = (): number => INGEST_TIME_LIMIT_MS - (Date.now() - started);
    const invocation = await runIngestPasses({
      plan: { pollIntervalMs, periodMs: INGEST_SCHEDULE_PERIOD_MS, stopMarginMs: ingestConfig.stopMarginMs },
      runPass: () => runIngest({ pool: db.pool, config: ingestConfig, shouldStop: () => remainingMs() < ingestConfig.stopMarginMs }),
      // Lambda's Event invoke: queued, the caller does not wait for the run
      requestEvaluation: async () => track(alert(true)),
      remainingMs,
    });
    evaluationsRequested += invocation.evaluationsRequested;
  };

  // the schedule: both functions at every minute boundary until stopped
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    track(ingestInvocation());
    track(alert(false));
    scheduleNext();
  };
  const untilBoundary = (): number => INGEST_SCHEDULE_PERIOD_MS - (Date.now() % INGEST_SCHEDULE_PERIOD_MS);
  const scheduleNext = (): void => {
    timer = setTimeout(tick, untilBoundary());
  };
  // a first pass: the checkpoints, the cursor and the catalogue start before any FATAL is written. Then
  // the schedule starts at a minute boundary and the writer with it, as in production, where an invocation
  // comes every minute: a polling warm-up started mid-minute would end mid-minute and leave the FATALs of the
  // rest of that minute to the first tick (up to a minute in the low-latency mode, the bench's doing).
  await ingestInvocation(0);
  await alert(false);
  await sleep(untilBoundary());
  tick();

  const writtenAt = new Map<string, number>();
  const windowStart = Date.now();
  const fatalAt = Array.from({ length: fatalCount }, () => windowStart + rand() * options.windowMs).sort((a, b) => a - b);
  const writer = (async () => {
    let next = 0;
    while (Date.now() < windowStart + options.windowMs) {
      const now = Date.now();
      while (next < fatalAt.length && fatalAt[next]! <= now) {
        const file = files[next]!;
        fs.appendFileSync(path.join(dir, file), line('FATAL', `worker ${next} crashed: out of memory`));
        writtenAt.set(file, Date.now());
        next += 1;
      }
      fs.appendFileSync(path.join(dir, files[Math.floor(rand() * files.length)]!), line('INFO', `request ${Math.floor(rand() * 1e6)} served`));
      await sleep(LINE_EVERY_MS);
    }
  })();
  await writer;

  const deliveredAt = (file: string): number | null => {
    const hit = published.find((p) => {
      const message = p.input.Message ?? '';
      return message.includes('Rule "any-fatal" is FIRING') && message.includes(path.join(dir, file));
    });
    return hit?.at ?? null;
  };
  const drainUntil = Date.now() + DRAIN_MS;
  while (Date.now() < drainUntil && [...writtenAt.keys()].some((f) => deliveredAt(f) === null)) await sleep(1000);
  clearTimeout(timer);
  while (running.size > 0) await Promise.allSettled([...running]);

  const latencies = [...writtenAt].flatMap(([file, at]) => {
    const d = deliveredAt(file);
    return d === null ? [] : [d - at];
  });
  latencies.sort((a, b) => a - b);
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    mode: options.mode,
    pollIntervalMs: POLL_INTERVAL_MS[options.mode],
    fatals: writtenAt.size,
    latenciesMs: latencies,
    p50Ms: quantile(latencies, 0.5),
    p95Ms: quantile(latencies, 0.95),
    maxMs: latencies.length > 0 ? latencies[latencies.length - 1]! : null,
    undelivered: writtenAt.size - latencies.length,
    ingestInvocations,
    evaluationsRequested,
  };
}
