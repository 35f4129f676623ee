import { GROUP_DIMENSIONS } from '../alert/rules';
import { cleanText } from '../alert/notification';
import { CHANNEL_HOURS } from './status';
import type { DiskState, StatusSnapshot } from './status';
import { formatLocalTimestamp } from '../platform/local-time';
import { formatDuration } from '../platform/duration';
import { renderChart } from './status-chart';

/** Eight heights of a bar, lowest first; a minute with nothing stored is a dot. */
const BARS = '▁▂▃▄▅▆▇█';
const EMPTY_BAR = '·';
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export interface ReportOptions {
  /** IANA zone the times are shown in (default UTC). */
  timeZone?: string;
  /** Paint states and the chart (ANSI colours): only for a terminal (scripts/status.ts: a TTY without NO_COLOR). */
  color?: boolean;
}

const COLOR = { red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', dim: '\x1b[2m', reset: '\x1b[0m' } as const;

/** Colours on a line already made safe: alert states, and the chart's threshold lines. */
function paint(line: string): string {
  return line
    .replace(/\b(FIRING|firing|critical|MOSTLY|NOT SENT)\b/g, `${COLOR.red}$1${COLOR.reset}`)
    .replace(/\b(PENDING|pending|warning)\b/g, `${COLOR.yellow}$1${COLOR.reset}`)
    .replace(/(╌+)/g, `${COLOR.red}$1${COLOR.reset}`);
}

/**
 * One character per value, its height proportional to the largest value.
 *
 * @example
 *   renderBars([0, 1, 8]); // '·▁█'
 */
export function renderBars(values: number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => {
      if (v <= 0 || max === 0) return EMPTY_BAR;
      const level = Math.min(BARS.length, Math.max(1, Math.ceil((v / max) * BARS.length)));
      return BARS[level - 1];
    })
    .join('');
}

/**
 * Bytes for humans, in powers of 1024.
 *
 * @example
 *   formatBytes(1536); // '1.5 KiB'
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

function formatTime(date: Date | null, timeZone: string, withDate = true): string {
  if (!date) return '-';
  const full = formatLocalTimestamp(date, timeZone);
  return withDate ? full : full.slice(11, 16);
}

/** Columns padded to their widest cell, two spaces apart. */
function formatTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line(headers), ...rows.map(line)];
}

function describeDisk(disk: DiskState, readOffset: number): [string, string] {
  switch (disk.kind) {
    case 'same-file':
      return [formatBytes(disk.size), formatBytes(Math.max(0, disk.size - readOffset))];
    case 'other-file':
      return [`${formatBytes(disk.size)} (another file now)`, '-'];
    default:
      return [`not readable here (${disk.reason})`, '-'];
  }
}

/** Longer than this without an alert evaluation: the health rules themselves are not being evaluated. */
const STALE_EVALUATION_MS = 5 * 60 * 1000;

/** Text from logs (templates, examples, file names) as one safe line: no escapes, controls or line breaks (applied to every line of the report too). */
function safe(text: string): string {
  return cleanText(text).replace(/\n/g, ' ');
}

/** The leading section: what is wrong now (health rules FIRING), since when, and when ingest and alert last ran. */
function healthLines(snapshot: StatusSnapshot, tz: string): string[] {
  const health = snapshot.health!;
  const firing = health.rules.filter((r) => r.state === 'firing');
  const now = snapshot.generatedAt.getTime();
  const stale = health.lastEvaluation === null || now - health.lastEvaluation.getTime() > STALE_EVALUATION_MS;
  const problems = firing.length + (stale ? 1 : 0);
  const out = [problems === 0 ? 'Health: OK, no health check is failing' : `Health: ${problems} PROBLEM${problems === 1 ? '' : 'S'}`];
  for (const r of firing) out.push(`  FIRING  ${r.rule} since ${formatTime(r.since, tz)}: ${r.headline ?? '?'}`);
  if (stale)
    out.push(
      `  the alert job has not evaluated ${health.lastEvaluation ? `since ${formatTime(health.lastEvaluation, tz)}` : 'yet'}: no rule or health check is being evaluated`,
    );
  out.push(`  last ingest run: ${formatTime(health.lastIngestRun, tz)}; last alert evaluation: ${formatTime(health.lastEvaluation, tz)}`);
  const cursor = health.cursor;
  if (cursor) {
    // an ingest in progress holds it for seconds; a stuck session for minutes (health:alert-behind)
    const holder = cursor.holder
      ? `; waiting for a transaction of logmon (pid ${cursor.holder.pid}, ${cursor.holder.state ?? '?'}, open for ${formatDuration(cursor.holder.heldMs)})`
      : '';
    out.push(`  Alert cursor: entries committed up to ${formatTime(cursor.examinedUntil, tz)} examined (${formatDuration(cursor.behindMs)} behind)${holder}`);
  }
  return out;
}

/**
 * The text of `npm run status`: per file checkpoint and lag, per rule state
 * and last notification, recent ingest anomalies, and stored entries per
 * minute as a bar chart. Pure: the same snapshot always gives the same text.
 *
 * @example
 *   process.stdout.write(formatStatusReport(await readStatus({ pool }), { timeZone: 'Europe/Paris' }));
 */
export function formatStatusReport(snapshot: StatusSnapshot, options: ReportOptions = {}): string {
  const tz = options.timeZone ?? 'UTC';
  const out: string[] = [`logmon status at ${formatTime(snapshot.generatedAt, tz)} (${tz})`, ''];
  if (snapshot.health) out.push(...healthLines(snapshot, tz), '');

  out.push('Files: checkpoint and lag (lag seen = size at the last run - checkpoint; on disk = now, when readable here)');
  if (snapshot.sources.length === 0) out.push('  no file ingested yet');
  else {
    const rows = snapshot.sources.map((s) => {
      const [size, diskLag] = describeDisk(s.disk, s.readOffset);
      const unparsed = s.linesRead ? `${s.linesUnparsed ?? 0}/${s.linesRead}${(s.linesUnparsed ?? 0) * 2 > s.linesRead ? ' MOSTLY' : ''}` : '-';
      const labels = [s.service, s.host].filter((x) => x !== undefined && x !== '').join('@');
      return [
        s.path,
        s.status,
        labels,
        s.format || '-',
        unparsed,
        formatBytes(s.readOffset),
        formatBytes(s.lagBytes),
        size,
        diskLag,
        formatTime(s.updatedAt, tz),
        s.lastError ?? '',
      ];
    });
    out.push(
      ...formatTable(
        ['file', 'status', 'service@host', 'format', 'not understood', 'checkpoint', 'lag seen', 'on disk', 'lag on disk', 'updated', 'last error'],
        rows,
      ),
    );
  }
  out.push('');

  out.push('Alert rules');
  if (snapshot.rules.length === 0) out.push('  no rule evaluated yet');
  else {
    const rows = snapshot.rules.map((r) => {
      const n = r.lastNotification;
      const last = n ? `${n.kind} ${n.sentAt ? `sent ${formatTime(n.sentAt, tz)}` : `NOT SENT${n.error ? ` (${n.error})` : ''}`}` : '-';
      return [r.rule, r.state, formatTime(r.stateSince, tz), String(r.lastCount), formatTime(r.lastEvaluatedAt, tz), last];
    });
    out.push(...formatTable(['rule', 'state', 'since', 'last count', 'evaluated', 'last notification'], rows));
  }
  if (snapshot.keys !== undefined && snapshot.keys.length > 0) {
    out.push('', 'Keys not OK (rules with groupBy: each key has its own state)');
    const rows = snapshot.keys.map((k) => {
      const where = GROUP_DIMENSIONS.filter((d) => k.labels[d] !== null && k.labels[d] !== undefined && k.labels[d] !== '')
        .map((d) => `${d}=${k.labels[d]}`)
        .join(' ');
      const last = k.lastNotification ? `${k.lastNotification.kind}${k.lastNotification.sent ? '' : ' NOT SENT'}` : '-';
      return [k.rule, safe(where || '(key limit)'), k.state, formatTime(k.since, tz), String(k.lastCount), last];
    });
    out.push(...formatTable(['rule', 'key', 'state', 'since', 'last count', 'last notification'], rows));
  }
  if (snapshot.unsent.count > 0) {
    const error = snapshot.unsent.lastError ? `, last error: ${snapshot.unsent.lastError}` : '';
    out.push(`  ${snapshot.unsent.count} notification(s) waiting to be sent, oldest from ${formatTime(snapshot.unsent.oldest, tz)}${error}`);
  }
  if (snapshot.channels !== undefined && snapshot.channels.length > 0) {
    out.push('', `Channels (each delivers and retries on its own)`);
    const rows = snapshot.channels.map((c) => [
      safe(c.channel),
      c.unsent > 0 ? `${c.unsent} owed since ${formatTime(c.oldestUnsent, tz)}` : 'ok',
      String(c.sentRecently),
      formatTime(c.lastSentAt, tz),
      c.lastError ? safe(c.lastError).slice(0, 120) : '-',
    ]);
    out.push(...formatTable(['channel', 'state', `sent (${CHANNEL_HOURS}h)`, 'last sent', 'last error'], rows));
  }
  out.push('');

  if (snapshot.templates !== undefined) {
    out.push(`Top error templates, last ${snapshot.templates.hours}h`);
    if (snapshot.templates.top.length === 0) out.push('  none');
    for (const t of snapshot.templates.top) {
      const known = t.knownSince ? `known since ${formatTime(t.knownSince, tz)}` : 'not catalogued yet';
      const from = t.files > 1 ? `${t.files} files${t.services ? ` (${t.services})` : ''}` : (t.examplePath ?? '');
      out.push(`  ${String(t.entries).padStart(6)} x ${safe(t.template).slice(0, 160)}`);
      out.push(`           last ${formatTime(t.lastAt, tz)}, ${known}, ${safe(from)}`);
      if (t.example && t.example !== t.template) out.push(`           e.g. ${safe(t.example.split('\n')[0] ?? '').slice(0, 160)}`);
    }
    out.push('');
  }

  out.push(`Ingest anomalies since ${formatTime(snapshot.anomalySince, tz)}`);
  if (snapshot.anomalies.length === 0) out.push('  none');
  else {
    const rows = snapshot.anomalies.map((a) => [formatTime(a.createdAt, tz), a.path, a.kind, `${a.occurrences}x`, formatBytes(a.bytes), a.detail ?? '']);
    out.push(...formatTable(['when', 'file', 'kind', 'times', 'bytes', 'detail'], rows));
  }
  out.push('');

  if (snapshot.unparsed !== undefined && snapshot.unparsed.length > 0) {
    out.push('Latest lines no format understood (npm run inspect -- FILE shows why)');
    const rows = snapshot.unparsed.map((u) => [formatTime(u.createdAt, tz), u.path, `@${u.offset}`, u.reason, JSON.stringify(u.line)]);
    out.push(...formatTable(['when', 'file', 'offset', 'reason', 'line'], rows));
    out.push('');
  }

  const { counts, start, byLevel } = snapshot.perMinute;
  const total = counts.reduce((a, b) => a + b, 0);
  const levels = Object.entries(byLevel)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([level, n]) => `${level} ${n}`)
    .join(', ');
  out.push(`Stored entries per minute, last ${counts.length} min: ${total === 0 ? 'none' : `${total} (${levels}), peak ${Math.max(...counts)}/min`}`);
  const first = formatTime(start, tz, false);
  const last = formatTime(new Date(start.getTime() + (counts.length - 1) * 60 * 1000), tz, false);
  if (total > 0 || (snapshot.thresholds ?? []).length > 0)
    out.push(...renderChart(counts, start, snapshot.thresholds ?? [], { timeZone: tz }).map((l) => `  ${l}`));
  else {
    out.push(`  ${renderBars(counts)}`);
    out.push(`  ${first}${last.padStart(Math.max(last.length, counts.length - first.length))}`);
  }
  // every line made safe as a whole: a file name, rule name or headline from anywhere cannot move the cursor, retitle the terminal or start a line
  const lines = out.map(safe);
  return `${(options.color === true ? lines.map(paint) : lines).join('\n')}\n`;
}
