import type pg from 'pg';
import { listSilences } from '../alert/silences';
import type { Silence } from '../alert/silences';
import { keyLabels } from '../alert/rule-key';
import type { KeyLabels } from '../alert/rule-key';
import type { AlertRule } from '../alert/rules';
import { LOSS_KINDS } from '../ingest/anomaly';
import { DatabaseError } from '../platform/errors';
import { readStatus } from '../status/status';
import type { StatFile, StatusSnapshot } from '../status/status';
import { DASHBOARD_SQL as SQL } from '../../sql/dashboard-statements';
import type { AlertHistoryRow, EntryAroundRow, MinuteBySourceRow, SourceLossRow } from '../../sql/dashboard-statements';
import { chartData } from './chart-series';
import type { ChartData } from './chart-series';

/** What one page shows (the query string's choices). */
export interface DashboardQuery {
  hours: number;
  /** The instant whose entries are listed; null: none chosen. */
  at: number | null;
  /** Minutes either side of `at`. */
  aroundMinutes: number;
  /** The alert history of one rule, and of one of its keys; null: all. */
  rule: string | null;
  key: string | null;
}

export interface HistoryItem extends Omit<AlertHistoryRow, 'group_key'> {
  key: string;
  labels: KeyLabels;
}

export interface SourceLoss {
  bytes: number;
  occurrences: number;
  lastAt: Date;
}

export interface EntriesAround {
  at: Date;
  minutes: number;
  entries: EntryAroundRow[];
  /** More entries than `limit` were in the interval: the list stops at the limit. */
  limited: boolean;
  limit: number;
}

export interface DashboardView {
  query: DashboardQuery;
  status: StatusSnapshot;
  chart: ChartData;
  rules: readonly AlertRule[];
  history: HistoryItem[];
  silences: Silence[];
  /** Bytes never read per checkpoint id, over the period of the chart. */
  losses: Map<string, SourceLoss>;
  around: EntriesAround | null;
}

export interface ReadDashboardDeps {
  pool: pg.Pool;
  rules: readonly AlertRule[];
  now?: () => number;
  statFile?: StatFile;
}

const MINUTE_MS = 60_000;
/** Notifications listed in the history, at most. */
export const HISTORY_LIMIT = 100;
/** Entries listed around an instant, at most. */
export const AROUND_LIMIT = 500;
/** Top error templates listed. */
export const TEMPLATE_LIMIT = 20;

/**
 * Everything the dashboard page shows, read from the database: what
 * `npm run status` reads (readStatus), plus the chart per service and host,
 * the alert history, the silences, the losses per file and the entries
 * around a chosen instant. Read-only.
 *
 * @example
 *   const view = await readDashboard({ pool, rules: config.rules }, { hours: 6, at: null, aroundMinutes: 5, rule: null, key: null });
 */
export async function readDashboard(deps: ReadDashboardDeps, query: DashboardQuery): Promise<DashboardView> {
  const now = (deps.now ?? Date.now)();
  const minutes = query.hours * 60;
  const start = Math.floor(now / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS;
  const since = new Date(now - query.hours * 60 * MINUTE_MS);
  const status = await readStatus({
    pool: deps.pool,
    now: () => now,
    statFile: deps.statFile,
    minutes,
    templateHours: query.hours,
    templateLimit: TEMPLATE_LIMIT,
    anomalyHours: query.hours,
    anomalyLimit: 20,
  });
  try {
    const [perMinute, history, losses, silences, around] = await Promise.all([
      deps.pool.query<MinuteBySourceRow>(SQL.entriesPerMinuteBySource, [new Date(start), new Date(start + minutes * MINUTE_MS)]),
      deps.pool.query<AlertHistoryRow>(SQL.alertHistory, [query.rule, query.key, HISTORY_LIMIT]),
      deps.pool.query<SourceLossRow>(SQL.lossesPerSource, [since, [...LOSS_KINDS]]),
      listSilences(deps.pool, now),
      query.at === null
        ? Promise.resolve(null)
        : deps.pool.query<EntryAroundRow>(SQL.entriesAround, [new Date(query.at), query.aroundMinutes, AROUND_LIMIT + 1]),
    ]);
    const groupBy = new Map(deps.rules.map((r) => [r.name, r.groupBy]));
    return {
      query,
      status,
      chart: chartData(perMinute.rows, start, minutes, deps.rules),
      rules: deps.rules,
      history: history.rows.map(({ group_key, ...row }) => ({ ...row, key: group_key, labels: keyLabels(groupBy.get(row.rule_name) ?? [], group_key) })),
      silences,
      losses: new Map(losses.rows.map((r) => [r.source_id, { bytes: Number(r.bytes), occurrences: Number(r.occurrences), lastAt: r.last_at }] as const)),
      around:
        around === null || query.at === null
          ? null
          : {
              at: new Date(query.at),
              minutes: query.aroundMinutes,
              entries: around.rows.slice(0, AROUND_LIMIT),
              limited: around.rows.length > AROUND_LIMIT,
              limit: AROUND_LIMIT,
            },
    };
  } catch (err) {
    throw new DatabaseError('cannot read the dashboard', { query }, { cause: err });
  }
}
