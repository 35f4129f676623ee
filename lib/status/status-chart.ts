import { formatLocalTimestamp } from '../platform/local-time';

// The chart of `npm run status`: stored entries per minute as columns of
// block characters, a y axis, a time axis, and each rule's threshold drawn
// as a dashed line at its per-minute rate (threshold / window in minutes),
// the level at which a steady rate would reach it.

/** A rule's threshold as a rate per minute. */
export interface ThresholdLine {
  rule: string;
  perMinute: number;
}

export interface ChartOptions {
  timeZone: string;
  /** Rows of the plot (default 8). */
  height?: number;
  /** Minutes between time-axis labels (default 15). */
  labelEvery?: number;
}

const FULL = '█';
const PARTS = ' ▁▂▃▄▅▆▇';
const DASH = '╌';

/**
 * The chart's lines (no colour: the caller paints them). Columns are
 * minutes, oldest first; a threshold above the plot's top is named, not drawn.
 *
 * @example
 *   renderChart([0, 3, 9], new Date('2026-12-02T10:00:00Z'), [{ rule: 'error-burst', perMinute: 1 }], { timeZone: 'UTC' });
 */
export function renderChart(counts: readonly number[], start: Date, thresholds: readonly ThresholdLine[], options: ChartOptions): string[] {
  const height = options.height ?? 8;
  const labelEvery = options.labelEvery ?? 15;
  const shown = thresholds.filter((t) => t.perMinute > 0);
  const top = Math.max(1, ...counts, ...shown.map((t) => t.perMinute).filter((v) => v <= Math.max(1, ...counts) * 2));
  const axisWidth = String(Math.ceil(top)).length;
  // the row (0 = bottom) each threshold is drawn on
  const rowOf = (value: number): number => Math.min(height - 1, Math.max(0, Math.ceil((value / top) * height) - 1));
  const drawn = shown.filter((t) => t.perMinute <= top);
  const lines: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    const low = (row / height) * top;
    const cells = counts.map((c) => {
      if (c <= low) return drawn.some((t) => rowOf(t.perMinute) === row) ? DASH : ' ';
      const fill = (c - low) / (top / height);
      return fill >= 1 ? FULL : (PARTS[Math.max(1, Math.round(fill * 8))] ?? FULL);
    });
    const label = row === height - 1 ? String(Math.ceil(top)) : row === 0 ? '0' : '';
    const names = drawn.filter((t) => rowOf(t.perMinute) === row).map((t) => `${t.rule} ${formatRate(t.perMinute)}/min`);
    lines.push(`${label.padStart(axisWidth)} ┤${cells.join('')}${names.length > 0 ? ` ${DASH} ${names.join(', ')}` : ''}`.trimEnd());
  }
  // time axis: a tick and a label every `labelEvery` minutes of the clock
  const ticks: string[] = counts.map(() => '─');
  const labels: string[] = counts.map(() => ' ');
  counts.forEach((_, i) => {
    const at = new Date(start.getTime() + i * 60_000);
    const time = formatLocalTimestamp(at, options.timeZone).slice(11, 16);
    if (Number(time.slice(3)) % labelEvery !== 0 || i + time.length > counts.length) return;
    ticks[i] = '┬';
    for (let k = 0; k < time.length; k++) labels[i + k] = time[k]!;
  });
  lines.push(`${' '.repeat(axisWidth)} └${ticks.join('')}`, `${' '.repeat(axisWidth)}  ${labels.join('')}`.trimEnd());
  const above = shown.filter((t) => t.perMinute > top);
  if (above.length > 0) lines.push(`${' '.repeat(axisWidth)}  above the chart: ${above.map((t) => `${t.rule} ${formatRate(t.perMinute)}/min`).join(', ')}`);
  return lines;
}

function formatRate(perMinute: number): string {
  return Number.isInteger(perMinute) ? String(perMinute) : perMinute.toFixed(perMinute < 1 ? 2 : 1);
}
