import { RULE_TYPE } from '../alert/rules';
import type { AlertRule } from '../alert/rules';
import { formatDuration } from '../platform/duration';
import type { MinuteBySourceRow } from '../../sql/dashboard-statements';

/** One line of the chart: the entries per minute of one service and host. */
export interface ChartSeries {
  label: string;
  /** `values[i]`: entries in the minute `start + i`. */
  values: number[];
  total: number;
}

/** A rule's threshold as a rate per minute: `threshold` entries within `window` is `threshold / window minutes` each minute on average. */
export interface ChartThreshold {
  rule: string;
  perMinute: number;
  label: string;
}

export interface ChartData {
  /** Start of the first minute, in ms. */
  start: number;
  minutes: number;
  series: ChartSeries[];
  /** Every entry per minute, all series together. */
  totals: number[];
  thresholds: ChartThreshold[];
}

/** Lines drawn at most; the quieter services and hosts are summed as one "other" line. */
export const MAX_SERIES = 8;
const MINUTE_MS = 60_000;

/** `service@host`, either part left out when blank; `(no service)` when both are. */
export function sourceLabel(service: string, host: string): string {
  if (service === '' && host === '') return '(no service)';
  return host === '' ? service : `${service || '(no service)'}@${host}`;
}

/**
 * The chart of entries per minute per service and host, and the thresholds
 * of the threshold rules as rates per minute. Pure.
 *
 * @example
 *   chartData(rows, Date.parse('2026-11-23T04:00:00Z'), 360, config.rules)
 */
export function chartData(rows: readonly MinuteBySourceRow[], start: number, minutes: number, rules: readonly AlertRule[]): ChartData {
  const bySource = new Map<string, ChartSeries>();
  const totals = new Array<number>(minutes).fill(0);
  for (const row of rows) {
    const i = Math.floor((row.minute.getTime() - start) / MINUTE_MS);
    if (i < 0 || i >= minutes) continue;
    const label = sourceLabel(row.service, row.host);
    let series = bySource.get(label);
    if (!series) {
      series = { label, values: new Array<number>(minutes).fill(0), total: 0 };
      bySource.set(label, series);
    }
    series.values[i] = (series.values[i] ?? 0) + row.entries;
    series.total += row.entries;
    totals[i] = (totals[i] ?? 0) + row.entries;
  }
  const ranked = [...bySource.values()].sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
  const series = ranked.slice(0, MAX_SERIES);
  const rest = ranked.slice(MAX_SERIES);
  if (rest.length > 0) {
    const other: ChartSeries = { label: `other (${rest.length})`, values: new Array<number>(minutes).fill(0), total: 0 };
    for (const s of rest) {
      s.values.forEach((v, i) => {
        other.values[i] = (other.values[i] ?? 0) + v;
      });
      other.total += s.total;
    }
    series.push(other);
  }
  const thresholds = rules
    .filter((r) => r.type === RULE_TYPE.THRESHOLD)
    .map((r) => {
      const perMinute = r.threshold / (r.windowMs / MINUTE_MS);
      const rate = Number.isInteger(perMinute) ? String(perMinute) : perMinute.toFixed(2);
      return { rule: r.name, perMinute, label: `${r.name}: ${r.threshold} in ${formatDuration(r.windowMs)} (${rate}/min)` };
    });
  return { start, minutes, series, totals, thresholds };
}
