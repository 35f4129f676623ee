import { renderChart } from '../../lib/status/status-chart';
import { formatStatusReport } from '../../lib/status/status-report';
import type { StatusSnapshot } from '../../lib/status/status';

const START = new Date('2026-12-02T09:31:00Z');

describe('Function: renderChart', () => {
  it('draws a column per minute, the y axis, a threshold line named at its rate, and a time label every 15 minutes', () => {
    // Prepare
    const counts = Array.from({ length: 60 }, (_, i) => (i === 59 ? 8 : 0));

    // Act
    const lines = renderChart(counts, START, [{ rule: 'error-burst', perMinute: 4 }], { timeZone: 'UTC', height: 8 });

    // Assess
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^8 ┤ {59}█$/);
    expect(lines[4]).toBe(`  ┤${'╌'.repeat(59)}█ ╌ error-burst 4/min`);
    expect(lines[7]).toMatch(/^0 ┤/);
    expect(lines[8]).toBe(`  └${'─'.repeat(14)}┬${'─'.repeat(14)}┬${'─'.repeat(14)}┬${'─'.repeat(15)}`);
    expect(lines[9]).toBe(`   ${' '.repeat(14)}09:45          10:00          10:15`);
  });

  it('names a threshold far above the data instead of flattening the chart', () => {
    // Act
    const lines = renderChart([1, 2, 3], START, [{ rule: 'flood', perMinute: 1000 }], { timeZone: 'UTC' });

    // Assess
    expect(lines.at(-1)).toContain('above the chart: flood 1000/min');
    expect(lines[0]).toMatch(/^3 ┤/);
  });
});

describe('Function: formatStatusReport (colours)', () => {
  const snapshot: StatusSnapshot = {
    generatedAt: START,
    sources: [],
    rules: [{ rule: 'error-burst', state: 'firing', stateSince: START, lastCount: 9, lastEvaluatedAt: START, lastNotifiedAt: null, lastNotification: null }],
    unsent: { count: 0, oldest: null, lastError: null },
    anomalySince: START,
    anomalies: [],
    perMinute: { start: START, counts: [0, 3, 9], byLevel: { ERROR: 12 } },
    thresholds: [{ rule: 'error-burst', perMinute: 1 }],
  } as unknown as StatusSnapshot;

  it('paints states and threshold lines only when asked (a terminal)', () => {
    // Act
    const plain = formatStatusReport(snapshot, { timeZone: 'UTC' });
    const painted = formatStatusReport(snapshot, { timeZone: 'UTC', color: true });

    // Assess
    expect(plain).not.toContain('\x1b[');
    expect(painted).toContain('\x1b[31mfiring');
    expect(painted.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });
});
