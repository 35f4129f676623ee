import { CLOCK_STEP_TOLERANCE_MS, chooseEvaluationTime } from '../../lib/alert/evaluation-clock';

const T = Date.UTC(2026, 10, 23, 10, 0, 0);
const HOUR = 3_600_000;

describe('Function: chooseEvaluationTime', () => {
  it.each([
    ['the clock, without a reference', T, null, null, { at: T, source: 'clock' }],
    ['the clock, within the tolerance of the reference', T + CLOCK_STEP_TOLERANCE_MS, T, null, { at: T + CLOCK_STEP_TOLERANCE_MS, source: 'clock' }],
    ['the reference, when the clock is an hour ahead of it', T + HOUR, T, null, { at: T, source: 'reference' }],
    ['the reference, when the clock is an hour behind it', T - HOUR, T, null, { at: T, source: 'reference' }],
    ['the previous evaluation, when the clock is behind it and there is no reference', T - HOUR, null, T, { at: T, source: 'previous' }],
    ['the previous evaluation, when the reference is behind it (the reference stepped back)', T, T - HOUR, T + 60_000, { at: T + 60_000, source: 'previous' }],
    ['the clock, a minute after the previous evaluation', T + 60_000, T + 60_000, T, { at: T + 60_000, source: 'clock' }],
  ] as const)('evaluates at %s', (_, clock, reference, previous, expected) => {
    // Act
    const chosen = chooseEvaluationTime(clock, reference, previous);

    // Assess
    expect(chosen).toEqual(expected);
  });
});
