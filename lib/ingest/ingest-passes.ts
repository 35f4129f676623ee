import { addCounts, emptyCounts } from './entry-scanner';
import type { RunTotals } from './file-summary';
import type { IngestSummary } from './ingest';

// One ingest invocation is one or more passes (each a runIngest: discovery,
// every file read, one ingest_runs row). After a pass that stored entries the
// invocation asks for an alert evaluation right away (the alert function,
// invoked asynchronously), so a FATAL does not wait for the alert's own
// schedule. Further passes (issue 13, "Fast"):
// - settle: a file's last entry is held for continuation lines until the file
//   has been quiet for MULTILINE_FLUSH_MS; the invocation reads again at that
//   moment instead of leaving the entry to the next scheduled run (a minute);
// - poll (INGEST_POLL_INTERVAL, the low-latency mode): a pass every interval
//   until the next scheduled invocation takes over.

/** How an invocation's passes are spaced (IngestConfig). */
export interface PassPlan {
  /** INGEST_POLL_INTERVAL in ms; 0: one pass, plus one settle pass. */
  pollIntervalMs: number;
  /** The schedule's period: no pass starts in the last second before the next scheduled invocation. */
  periodMs: number;
  /** A pass starts only while this much of the function's time would be left (INGEST_STOP_MARGIN_MS). */
  stopMarginMs: number;
}

/** Where the invocation stands after a pass. */
export interface PassState {
  /** When the invocation started (ms). */
  startedAt: number;
  /** When the pass that just ended started (ms). */
  passStartedAt: number;
  /** Settle passes done so far. */
  settlePasses: number;
  now: number;
  /** The function's time left (ms; Infinity outside Lambda). */
  remainingMs: number;
}

/** Time left before the next scheduled invocation in which no pass starts. */
const PERIOD_END_MARGIN_MS = 1000;
/** A settle pass starts this long after the held entry's settlesAt (mtime has a coarse grain on some file systems). */
const SETTLE_SLACK_MS = 50;

/**
 * When the next pass starts (ms), or null: the invocation is done. A pass
 * that stopped early (the time limit), found no file, could not list an S3
 * location, or failed ends it.
 *
 * @example
 *   nextPassAt({ pollIntervalMs: 0, periodMs: 60_000, stopMarginMs: 10_000 }, pass, { startedAt: 0, passStartedAt: 0, settlePasses: 0, now: 800, remainingMs: 59_000 });
 *   // → pass.settlesAt + 50 when an entry is held at a file's end, else null
 */
export function nextPassAt(plan: PassPlan, pass: IngestSummary, state: PassState): number | null {
  if (pass.stoppedEarly || pass.noFileFor !== null || pass.s3ListingFailures.length > 0) return null;
  const candidates: number[] = [];
  if (plan.pollIntervalMs > 0) candidates.push(state.passStartedAt + plan.pollIntervalMs);
  // polling reads again soon anyway; without it, one settle pass stores what the first held (decidePending: held that long)
  if (pass.settlesAt !== null && (plan.pollIntervalMs > 0 || state.settlePasses === 0)) candidates.push(pass.settlesAt + SETTLE_SLACK_MS);
  if (candidates.length === 0) return null;
  const at = Math.max(state.now, Math.min(...candidates));
  if (at + PERIOD_END_MARGIN_MS > state.startedAt + plan.periodMs) return null;
  if (at - state.now + plan.stopMarginMs > state.remainingMs) return null;
  return at;
}

export interface PassDeps {
  plan: PassPlan;
  /** One pass: runIngest. */
  runPass: () => Promise<IngestSummary>;
  /** After each pass (the handler logs it and emits its metrics). */
  afterPass?: (pass: IngestSummary, index: number) => void;
  /** After a pass that stored entries: ask for an alert evaluation now. Must not throw (a failed request only costs latency). */
  requestEvaluation?: (pass: IngestSummary) => Promise<void>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  remainingMs?: () => number;
  /** The invocation is being stopped (Lambda time limit): no further pass. */
  aborted?: () => boolean;
}

/** What one invocation did: its totals over every pass, each pass's summary in order, and how many evaluations it asked for. */
export interface IngestInvocationSummary {
  totals: RunTotals;
  passes: IngestSummary[];
  evaluationsRequested: number;
}

/**
 * The totals of an invocation: counts summed over its passes; `files` and
 * `lagBytes` as the last pass saw them (they are states, not counts),
 * `filesWithErrors` the most any pass had.
 */
export function invocationTotals(passes: readonly IngestSummary[]): RunTotals {
  const totals: RunTotals = { ...emptyCounts(), entriesStored: 0, bytesConsumed: 0, bytesLost: 0, lagBytes: 0, files: 0, filesWithErrors: 0 };
  for (const { totals: t } of passes) {
    addCounts(totals, t);
    totals.entriesStored += t.entriesStored;
    totals.bytesConsumed += t.bytesConsumed;
    totals.bytesLost += t.bytesLost;
    totals.filesWithErrors = Math.max(totals.filesWithErrors, t.filesWithErrors);
    totals.files = t.files;
    totals.lagBytes = t.lagBytes;
  }
  return totals;
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run an invocation's passes (see the top of this file). A pass's error ends
 * the invocation with that error (each batch committed before it stays).
 *
 * @example
 *   const { passes } = await runIngestPasses({ plan, runPass: () => runIngest(deps), requestEvaluation: trigger });
 */
export async function runIngestPasses(deps: PassDeps): Promise<IngestInvocationSummary> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? sleepMs;
  const remainingMs = deps.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const aborted = deps.aborted ?? (() => false);
  const startedAt = now();
  const passes: IngestSummary[] = [];
  let evaluationsRequested = 0;
  let settlePasses = 0;
  for (;;) {
    const passStartedAt = now();
    const pass = await deps.runPass();
    passes.push(pass);
    deps.afterPass?.(pass, passes.length - 1);
    if (pass.totals.entriesStored > 0 && deps.requestEvaluation) {
      await deps.requestEvaluation(pass);
      evaluationsRequested += 1;
    }
    if (aborted()) break;
    const at = nextPassAt(deps.plan, pass, { startedAt, passStartedAt, settlePasses, now: now(), remainingMs: remainingMs() });
    if (at === null) break;
    if (pass.settlesAt !== null && (deps.plan.pollIntervalMs === 0 || at < passStartedAt + deps.plan.pollIntervalMs)) settlePasses += 1;
    const wait = at - now();
    if (wait > 0) await sleep(wait);
    if (aborted()) break;
  }
  return { totals: invocationTotals(passes), passes, evaluationsRequested };
}
