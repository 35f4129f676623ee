import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { MAX_SUBJECT_CHARS, truncate } from './notification';

// One mail for the notifications one evaluation owes one service on one
// host (issue 13): an outage that fires error-burst and any-fatal for a file,
// or several files of one service, is one message, each notification in it
// whole. The rows stay one per rule and key (their order, cap and retries
// are theirs); they are sent together and marked sent together. Health
// messages and notifications without a service or host go alone.

/** What a row needs to be grouped and sent. */
export interface GroupableRow {
  ruleName: string;
  subject: string;
  body: string;
  attributes: Record<string, string>;
}

/** At most this many notifications in one mail (an SNS message holds 256 KB; a body is a few KB). */
export const MAX_GROUPED = 10;

const SEVERITY_RANK: Record<string, number> = { info: 0, warning: 1, critical: 2 };
const HEADLINES = ['NEW ERROR', 'STILL FIRING', 'FIRING', 'RESOLVED', 'REMOVED', 'LATE DATA'] as const;

/** The service and host a row would be grouped by; null when it goes alone. */
export function groupOf(row: GroupableRow): { service: string | null; host: string | null } | null {
  if (row.attributes.kind === 'health') return null;
  const service = row.attributes.service ?? null;
  const host = row.attributes.host ?? null;
  return service === null && host === null ? null : { service, host };
}

/** `[logmon] ` and `FIRING` of a subject (the prefix is what comes before the headline). */
function headlineOf(subject: string): { prefix: string; headline: string } {
  let best: { at: number; headline: string } | null = null;
  for (const h of HEADLINES) {
    const at = subject.indexOf(`${h} `);
    if (at >= 0 && (best === null || at < best.at)) best = { at, headline: h };
  }
  return best === null ? { prefix: '', headline: '' } : { prefix: subject.slice(0, best.at), headline: best.headline };
}

/**
 * The one message for `rows` (two or more, of one group): a subject naming
 * each (`[logmon] 2 alerts for payments@web-1: FIRING error-burst, FIRING
 * any-fatal`), a body with each notification whole, and attributes a filter
 * policy can match: `severity` the highest, `rule`, `state`, `kind` as
 * String.Array (a policy matches when any value does), `service`, `host`.
 */
export function combineRows(given: readonly GroupableRow[]): { subject: string; body: string; attributes: Record<string, MessageAttributeValue> } {
  // the most severe first: what pages is what is read first
  const rank = (r: GroupableRow): number => SEVERITY_RANK[r.attributes.severity ?? 'info'] ?? 0;
  const rows = [...given].sort((a, b) => rank(b) - rank(a));
  const first = rows[0]!;
  const { prefix } = headlineOf(first.subject);
  const group = groupOf(first);
  const who = `${group?.service ?? ''}${group?.host ? `@${group.host}` : ''}` || 'one source';
  // each as its subject names it, less what the group already says: `FIRING error-burst b.log`
  // (a headline said once for a run of them: `FIRING any-fatal a.log, error-burst b.log`)
  let said = '';
  const names = rows.map((r) => {
    const { prefix: own, headline } = headlineOf(r.subject);
    const rest =
      r.subject
        .slice(own.length + headline.length)
        .split(': ')[0]!
        .replace(` ${who}`, '')
        .trim() || r.ruleName;
    const name = headline === said ? rest : `${headline} ${rest}`.trim();
    said = headline;
    return name;
  });
  const subject = truncate(`${prefix}${rows.length} alerts for ${who}: ${names.join(', ')}`.replace(/[^\x20-\x7e]/g, '?'), MAX_SUBJECT_CHARS);
  const lines = [`${rows.length} notifications for ${who}, owed by one evaluation:`, ...rows.map((r) => `  ${r.subject}`), ''];
  rows.forEach((r, i) => {
    lines.push(`======== ${i + 1}/${rows.length}: ${r.subject}`, '', r.body.trimEnd(), '');
  });
  const distinct = (name: string): string[] => [...new Set(rows.map((r) => r.attributes[name]).filter((v): v is string => typeof v === 'string' && v !== ''))];
  const severity = rows.map((r) => r.attributes.severity ?? 'info').reduce((a, b) => ((SEVERITY_RANK[b] ?? 0) > (SEVERITY_RANK[a] ?? 0) ? b : a), 'info');
  const attributes: Record<string, MessageAttributeValue> = { severity: { DataType: 'String', StringValue: severity } };
  for (const name of ['rule', 'state', 'kind']) attributes[name] = { DataType: 'String.Array', StringValue: JSON.stringify(distinct(name)) };
  if (group?.service) attributes.service = { DataType: 'String', StringValue: group.service };
  if (group?.host) attributes.host = { DataType: 'String', StringValue: group.host };
  return { subject, body: `${lines.join('\n')}\n`, attributes };
}
