import { invocationTotals, nextPassAt, runIngestPasses } from '../../lib/ingest/ingest-passes';
import type { PassPlan, PassState } from '../../lib/ingest/ingest-passes';
import type { IngestSummary } from '../../lib/ingest/ingest';
import { emptyCounts } from '../../lib/ingest/entry-scanner';

const T0 = Date.parse('2026-12-02T10:00:00.200Z');
const ONCE: PassPlan = { pollIntervalMs: 0, periodMs: 60_000, stopMarginMs: 10_000 };
const POLL_5S: PassPlan = { pollIntervalMs: 5000, periodMs: 60_000, stopMarginMs: 10_000 };

function pass(over: Partial<IngestSummary> & { stored?: number } = {}): IngestSummary {
  const { stored = 0, ...rest } = over;
  return {
    runId: 'run',
    startedAt: new Date(T0).toISOString(),
    durationMs: 100,
    stoppedEarly: false,
    files: [],
    totals: { ...emptyCounts(), entriesStored: stored, bytesConsumed: 0, bytesLost: 0, lagBytes: 0, files: 1, filesWithErrors: 0 },
    noFileFor: null,
    s3ListingFailures: [],
    settlesAt: null,
    ...rest,
  };
}

function state(over: Partial<PassState> = {}): PassState {
  return { startedAt: T0, passStartedAt: T0, settlePasses: 0, now: T0 + 300, remainingMs: 74_000, ...over };
}

describe('Function: nextPassAt', () => {
  it.each<[string, PassPlan, Partial<IngestSummary>, Partial<PassState>, number | null]>([
    ['one pass, nothing held: done', ONCE, {}, {}, null],
    ['one pass, an entry held at a file end: read again once it settles', ONCE, { settlesAt: T0 + 4000 }, {}, T0 + 4050],
    ['after the settle pass: done, even if another entry is held', ONCE, { settlesAt: T0 + 9000 }, { settlePasses: 1 }, null],
    ['polling: the next pass an interval after this one started', POLL_5S, {}, { passStartedAt: T0 + 10_000, now: T0 + 10_400 }, T0 + 15_000],
    [
      'polling: a held entry settling before the next poll is read then',
      POLL_5S,
      { settlesAt: T0 + 12_000 },
      { passStartedAt: T0 + 10_000, now: T0 + 10_400 },
      T0 + 12_050,
    ],
    ['polling: a pass that ran past the interval is followed at once', POLL_5S, {}, { passStartedAt: T0 + 10_000, now: T0 + 16_000 }, T0 + 16_000],
    ['polling: no pass in the last second before the next scheduled invocation', POLL_5S, {}, { passStartedAt: T0 + 55_000, now: T0 + 55_100 }, null],
    ['polling: the last pass of the period', POLL_5S, {}, { passStartedAt: T0 + 50_000, now: T0 + 50_100 }, T0 + 55_000],
    ['polling: no pass without the stop margin left', POLL_5S, {}, { passStartedAt: T0 + 20_000, now: T0 + 20_100, remainingMs: 14_000 }, null],
    ['a pass stopped early by the time limit ends the invocation', POLL_5S, { stoppedEarly: true, settlesAt: T0 + 1000 }, {}, null],
    ['a pass that found no file ends the invocation', POLL_5S, { noFileFor: ['/logs/*.log'] }, {}, null],
  ])('%s', (_name, plan, over, at, expected) => {
    expect(nextPassAt(plan, pass(over), state(at))).toBe(expected);
  });
});

/** A fake clock whose sleep moves it; each pass takes `passMs`. */
function fakeTime(passMs = 100) {
  let now = T0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    spend: () => {
      now += passMs;
    },
  };
}

describe('Function: runIngestPasses', () => {
  it('asks for an evaluation after each pass that stored entries, and only then', async () => {
    // Prepare
    const time = fakeTime();
    const results = [pass({ stored: 3, settlesAt: T0 + 3000 }), pass({ stored: 0 })];
    const requested: string[] = [];

    // Act
    const invocation = await runIngestPasses({
      plan: ONCE,
      runPass: async () => {
        time.spend();
        return results.shift()!;
      },
      requestEvaluation: async (p) => {
        requested.push(`${p.totals.entriesStored}`);
      },
      now: time.now,
      sleep: time.sleep,
    });

    // Assess
    expect(invocation.passes).toHaveLength(2);
    expect(invocation.evaluationsRequested).toBe(1);
    expect(requested).toEqual(['3']);
    expect(time.now()).toBe(T0 + 3050 + 100);
  });

  it('polls until the next scheduled invocation would start', async () => {
    // Prepare
    const time = fakeTime();
    const starts: number[] = [];

    // Act
    const invocation = await runIngestPasses({
      plan: POLL_5S,
      runPass: async () => {
        starts.push(time.now() - T0);
        time.spend();
        return pass();
      },
      now: time.now,
      sleep: time.sleep,
      remainingMs: () => 75_000 - (time.now() - T0),
    });

    // Assess
    expect(starts).toEqual([0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 45_000, 50_000, 55_000]);
    expect(invocation.evaluationsRequested).toBe(0);
  });

  it('stops polling when the invocation is aborted', async () => {
    // Prepare
    const time = fakeTime();
    let passes = 0;

    // Act
    const invocation = await runIngestPasses({
      plan: POLL_5S,
      runPass: async () => {
        passes += 1;
        time.spend();
        return pass();
      },
      now: time.now,
      sleep: time.sleep,
      aborted: () => passes >= 3,
    });

    // Assess
    expect(invocation.passes).toHaveLength(3);
  });

  it("ends with a pass's error (what earlier passes committed stays theirs)", async () => {
    // Prepare
    const time = fakeTime();
    let passes = 0;

    // Act
    const run = runIngestPasses({
      plan: POLL_5S,
      runPass: async () => {
        passes += 1;
        if (passes === 2) throw new Error('database gone');
        return pass();
      },
      now: time.now,
      sleep: time.sleep,
    });

    // Assess
    await expect(run).rejects.toThrow('database gone');
  });
});

describe('Function: invocationTotals', () => {
  it("sums the counts of the passes, and keeps the last pass's files and lag", () => {
    // Prepare
    const first = pass({ stored: 3 });
    first.totals = { ...first.totals, lines: 10, bytesConsumed: 500, lagBytes: 80, files: 2, filesWithErrors: 1 };
    const second = pass({ stored: 1 });
    second.totals = { ...second.totals, lines: 2, bytesConsumed: 80, lagBytes: 0, files: 3, filesWithErrors: 0 };

    // Act
    const totals = invocationTotals([first, second]);

    // Assess
    expect(totals).toMatchObject({ entriesStored: 4, lines: 12, bytesConsumed: 580, lagBytes: 0, files: 3, filesWithErrors: 1 });
  });
});
