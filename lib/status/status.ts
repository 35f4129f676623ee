import fs from 'node:fs/promises';
import type pg from 'pg';
import { ALERT_SQL } from '../../sql/alert-statements';
import type { LogmonTransactionRow } from '../../sql/alert-statements';
import { STATUS_SQL as SQL } from '../../sql/status-statements';
import type { ChannelDeliveryRow, RuleThresholdRow } from '../../sql/status-statements';
import { DatabaseError } from '../platform/errors';
import { LOGMON_APPLICATION } from '../platform/db';

/** What the monitored file looks like on this machine now. */
export type DiskState =
  | { kind: 'same-file'; size: number }
  /** The path now holds another file (rotated away, or replaced). */
  | { kind: 'other-file'; size: number }
  /** Not readable here (e.g. an EFS path seen from a laptop): ENOENT, EACCES, … */
  | { kind: 'unreadable'; reason: string };

export interface SourceStatus {
  id: number;
  path: string;
  status: string;
  readOffset: number;
  sizeSeen: number;
  /** size_seen - read_offset: bytes the last run saw but did not store yet. */
  lagBytes: number;
  mtimeSeen: Date | null;
  updatedAt: Date;
  lastError: string | null;
  disk: DiskState;
  /** Configured source, labels and the format of most entry lines of the last batch. */
  source?: string;
  service?: string;
  host?: string;
  format?: string;
  /** Lines read since the checkpoint was created, and how many of them no format understood. */
  linesRead?: number;
  linesUnparsed?: number;
}

/** A line no format understood, as kept in ingest_unparsed. */
export interface UnparsedStatus {
  createdAt: Date;
  path: string;
  offset: number;
  reason: string;
  line: string;
}

export interface RuleStatus {
  rule: string;
  state: string;
  stateSince: Date;
  lastCount: number;
  lastEvaluatedAt: Date | null;
  lastNotifiedAt: Date | null;
  lastNotification: { kind: string; createdAt: Date; sentAt: Date | null; error: string | null } | null;
}

/** A key of a grouped rule that is PENDING or FIRING. */
export interface KeyStatus {
  rule: string;
  labels: Record<string, string | null>;
  state: string;
  since: Date;
  lastCount: number;
  /** The kind of its latest notification, and whether it was sent. */
  lastNotification: { kind: string; sent: boolean } | null;
}

/** One of the most frequent error templates of the period. */
export interface TemplateStatus {
  template: string;
  entries: number;
  firstAt: Date;
  lastAt: Date;
  /** When logmon first saw it (null until the alert job catalogued it). */
  knownSince: Date | null;
  files: number;
  services: string | null;
  example: string | null;
  examplePath: string | null;
}

export interface AnomalyStatus {
  createdAt: Date;
  path: string;
  kind: string;
  occurrences: number;
  bytes: number;
  detail: string | null;
}

/** A health rule as the alert job left it. */
export interface HealthRuleStatus {
  rule: string;
  state: string;
  /** When it went FIRING (or its state began). */
  since: Date;
  lastEvaluatedAt: Date | null;
  /** What its check last found. */
  headline: string | null;
}

/** The channels section counts deliveries of the last day. */
export const CHANNEL_HOURS = 24;

/** One notification channel's deliveries: each channel is retried on its own (alert_deliveries). */
export interface ChannelStatus {
  channel: string;
  /** Delivered in the last CHANNEL_HOURS hours. */
  sentRecently: number;
  unsent: number;
  oldestUnsent: Date | null;
  lastSentAt: Date | null;
  /** The newest error of what it owes. */
  lastError: string | null;
}

/** What `npm run status` leads with: what is wrong now, since when. */
export interface HealthStatus {
  rules: HealthRuleStatus[];
  lastIngestRun: Date | null;
  lastEvaluation: Date | null;
  /** The alert job's commit cursor: entries committed before `examinedUntil` were examined; null before the first evaluation. */
  cursor?: { examinedUntil: Date; behindMs: number; holder: { pid: number; state: string | null; since: Date; heldMs: number } | null } | null;
}

export interface StatusSnapshot {
  generatedAt: Date;
  /** Built-in health rules and the last runs (absent in snapshots made before they existed). */
  health?: HealthStatus;
  sources: SourceStatus[];
  rules: RuleStatus[];
  /** Keys of grouped rules that are not OK (absent in snapshots made before keys existed). */
  keys?: KeyStatus[];
  /** The most frequent error templates of the last `templateHours` hours. */
  templates?: { hours: number; top: TemplateStatus[] };
  unsent: { count: number; oldest: Date | null; lastError: string | null };
  /** Each notification channel's own delivery state (empty without a channels: section; absent in older snapshots). */
  channels?: ChannelStatus[];
  anomalySince: Date;
  anomalies: AnomalyStatus[];
  /** The latest lines no format understood (newest first). */
  unparsed?: UnparsedStatus[];
  /** Stored entries per minute, oldest first, `counts[i]` covering the minute `start + i`. */
  perMinute: { start: Date; counts: number[]; byLevel: Record<string, number> };
  /** The threshold rules' thresholds as rates per minute (the chart's lines). */
  thresholds?: { rule: string; perMinute: number }[];
}

/** size, dev and ino of a file, or the error code. */
export type StatFile = (path: string) => Promise<{ size: number; dev: string; ino: string } | { error: string }>;

export interface ReadStatusDeps {
  pool: pg.Pool;
  now?: () => number;
  statFile?: StatFile;
  /** Keys of grouped rules shown, at most (default 50). */
  keyLimit?: number;
  /** Top error templates of the last this many hours (default 24), at most `templateLimit` (default 10). */
  templateHours?: number;
  templateLimit?: number;
  /** Minutes in the per-minute chart (default 60). */
  minutes?: number;
  /** Anomalies of the last this many hours (default 24), at most `anomalyLimit` (default 10). */
  anomalyHours?: number;
  anomalyLimit?: number;
}

const MINUTE_MS = 60 * 1000;

const statOnDisk: StatFile = async (path) => {
  try {
    const st = await fs.stat(path, { bigint: true });
    return { size: Number(st.size), dev: st.dev.toString(), ino: st.ino.toString() };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? 'EIO' };
  }
};

const asDate = (v: unknown): Date | null => (v instanceof Date ? v : null);

async function readSources(pool: pg.Pool, statFile: StatFile): Promise<SourceStatus[]> {
  const rows = (await pool.query(SQL.listSources)).rows as Record<string, unknown>[];
  return Promise.all(
    rows.map(async (r) => {
      const readOffset = Number(r.read_offset);
      const sizeSeen = Number(r.size_seen);
      const st = await statFile(String(r.path));
      const disk: DiskState =
        'error' in st ? { kind: 'unreadable', reason: st.error } : { kind: st.dev === r.dev && st.ino === r.ino ? 'same-file' : 'other-file', size: st.size };
      return {
        id: Number(r.id),
        path: String(r.path),
        status: String(r.status),
        readOffset,
        sizeSeen,
        lagBytes: Math.max(0, sizeSeen - readOffset),
        mtimeSeen: asDate(r.mtime_seen),
        updatedAt: r.updated_at as Date,
        lastError: (r.last_error as string | null) ?? null,
        disk,
        source: String(r.source_name ?? ''),
        service: String(r.service ?? ''),
        host: String(r.host ?? ''),
        format: String(r.format ?? ''),
        linesRead: Number(r.lines_read ?? 0),
        linesUnparsed: Number(r.lines_unparsed ?? 0),
      };
    }),
  );
}

async function readKeys(pool: pg.Pool, limit: number): Promise<KeyStatus[]> {
  const rows = (await pool.query(SQL.listKeys, [limit])).rows as Record<string, unknown>[];
  return rows.map((r) => ({
    rule: String(r.rule_name),
    labels: (r.labels ?? {}) as Record<string, string | null>,
    state: String(r.state),
    since: asDate(r.firing_since) ?? (r.state_since as Date),
    lastCount: Number(r.last_count),
    lastNotification: r.last_kind === null || r.last_kind === undefined ? null : { kind: String(r.last_kind), sent: r.last_sent_at !== null },
  }));
}

async function readTemplates(pool: pg.Pool, now: number, hours: number, limit: number): Promise<TemplateStatus[]> {
  const rows = (await pool.query(SQL.topTemplates, [new Date(now - hours * 60 * MINUTE_MS), new Date(now + MINUTE_MS), limit])).rows as Record<
    string,
    unknown
  >[];
  return rows.map((r) => ({
    template: String(r.template ?? ''),
    entries: Number(r.entries),
    firstAt: r.first_at as Date,
    lastAt: r.last_at as Date,
    knownSince: asDate(r.known_since),
    files: Number(r.files),
    services: (r.services as string | null) ?? null,
    example: (r.example as string | null) ?? null,
    examplePath: (r.example_path as string | null) ?? null,
  }));
}

async function readRules(pool: pg.Pool): Promise<RuleStatus[]> {
  const rows = (await pool.query(SQL.listRules)).rows as Record<string, unknown>[];
  return rows.map((r) => ({
    rule: String(r.rule_name),
    state: String(r.state),
    stateSince: r.state_since as Date,
    lastCount: Number(r.last_count),
    lastEvaluatedAt: asDate(r.last_evaluated_at),
    lastNotifiedAt: asDate(r.last_notified_at),
    lastNotification:
      r.last_kind === null || r.last_kind === undefined
        ? null
        : { kind: String(r.last_kind), createdAt: r.last_created_at as Date, sentAt: asDate(r.last_sent_at), error: (r.last_error as string | null) ?? null },
  }));
}

/**
 * Everything `npm run status` shows, read from the database (and the monitored
 * files, when they are reachable from here). Read-only.
 *
 * @example
 *   const snapshot = await readStatus({ pool });
 *   process.stdout.write(formatStatusReport(snapshot));
 */
export async function readStatus(deps: ReadStatusDeps): Promise<StatusSnapshot> {
  const { pool } = deps;
  const now = (deps.now ?? Date.now)();
  const minutes = deps.minutes ?? 60;
  const start = new Date(Math.floor(now / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS);
  const end = new Date(start.getTime() + minutes * MINUTE_MS);
  const anomalySince = new Date(now - (deps.anomalyHours ?? 24) * 60 * MINUTE_MS);
  try {
    const templateHours = deps.templateHours ?? 24;
    const [sources, rules, keys, templates, unsent, anomalies, perMinute, unparsed, health, lastRuns, cursorRows, holderRows, channelRows] = await Promise.all([
      readSources(pool, deps.statFile ?? statOnDisk),
      readRules(pool),
      readKeys(pool, deps.keyLimit ?? 50),
      readTemplates(pool, now, templateHours, deps.templateLimit ?? 10),
      pool.query(SQL.unsentNotifications),
      pool.query(SQL.recentAnomalies, [anomalySince, deps.anomalyLimit ?? 10]),
      pool.query(SQL.entriesPerMinute, [start, end]),
      pool.query(SQL.recentUnparsed, [5]),
      pool.query(SQL.listHealth),
      pool.query(SQL.lastRuns),
      pool.query(SQL.alertCursor),
      pool.query<LogmonTransactionRow>(ALERT_SQL.oldestLogmonTransaction, [LOGMON_APPLICATION]),
      pool.query<ChannelDeliveryRow>(SQL.channelDeliveries, [new Date(now - CHANNEL_HOURS * 60 * MINUTE_MS)]),
    ]);
    const thresholdRows = await pool.query<RuleThresholdRow>(SQL.ruleThresholds);
    const c = cursorRows.rows[0] as { examined_until: Date; behind_ms: string } | undefined;
    const h = holderRows.rows[0];
    const runs = lastRuns.rows[0] as { last_ingest: Date | null; last_evaluation: Date | null } | undefined;
    const counts = new Array<number>(minutes).fill(0);
    const byLevel: Record<string, number> = {};
    for (const r of perMinute.rows as { minute: Date; level: string; entries: number }[]) {
      const i = Math.floor((r.minute.getTime() - start.getTime()) / MINUTE_MS);
      if (i >= 0 && i < minutes) counts[i] = (counts[i] ?? 0) + r.entries;
      byLevel[r.level] = (byLevel[r.level] ?? 0) + r.entries;
    }
    const u = unsent.rows[0] as { unsent: number; oldest: Date | null; last_error: string | null } | undefined;
    return {
      generatedAt: new Date(now),
      health: {
        rules: (health.rows as Record<string, unknown>[]).map((r) => ({
          rule: String(r.rule_name),
          state: String(r.state),
          since: asDate(r.firing_since) ?? (r.state_since as Date),
          lastEvaluatedAt: asDate(r.last_evaluated_at),
          headline: (r.headline as string | null) ?? null,
        })),
        lastIngestRun: runs?.last_ingest ?? null,
        lastEvaluation: runs?.last_evaluation ?? null,
        cursor:
          c === undefined
            ? null
            : {
                examinedUntil: c.examined_until,
                behindMs: Number(c.behind_ms),
                holder: h === undefined ? null : { pid: h.pid, state: h.state, since: h.xact_start, heldMs: Number(h.age_ms) },
              },
      },
      sources,
      rules,
      keys,
      templates: { hours: templateHours, top: templates },
      unsent: { count: u?.unsent ?? 0, oldest: u?.oldest ?? null, lastError: u?.last_error ?? null },
      channels: channelRows.rows.map((r) => ({
        channel: r.channel,
        sentRecently: r.sent_since,
        unsent: r.unsent,
        oldestUnsent: r.oldest_unsent,
        lastSentAt: r.last_sent_at,
        lastError: r.last_error,
      })),
      anomalySince,
      anomalies: (anomalies.rows as Record<string, unknown>[]).map((r) => ({
        createdAt: r.created_at as Date,
        path: String(r.path),
        kind: String(r.kind),
        occurrences: Number(r.occurrences),
        bytes: Number(r.bytes),
        detail: (r.detail as string | null) ?? null,
      })),
      perMinute: { start, counts, byLevel },
      thresholds: thresholdRows.rows.map((r) => ({ rule: r.rule_name, perMinute: r.threshold / Math.max(1, r.window_ms / MINUTE_MS) })),
      unparsed: (unparsed.rows as Record<string, unknown>[]).map((r) => ({
        createdAt: r.created_at as Date,
        path: String(r.path),
        offset: Number(r.byte_offset),
        reason: String(r.reason),
        line: (r.line as Buffer).toString('utf8', 0, 160),
      })),
    };
  } catch (err) {
    if ((err as { code?: unknown }).code === '42P01') {
      throw new DatabaseError('this database has no logmon tables yet: run `npm run migrate` (or let ingest run once)', {}, { cause: err });
    }
    throw new DatabaseError('cannot read the status', {}, { cause: err });
  }
}
