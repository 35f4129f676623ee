import crypto from 'node:crypto';
import { HEALTH_MESSAGE_KIND } from './categories';
import type { PayloadRow } from './webhook-payload';

// A PagerDuty Events API v2 event for one notification. FIRING and STILL
// FIRING trigger, RESOLVED (and REMOVED) resolves, under one dedup_key per
// rule and key: PagerDuty keeps one alert per incident, drops a repeated
// trigger (a notification sent twice is one alert), and the resolve closes
// it. A LATE DATA report is about the past and is never resolved by a
// later message: it triggers under a dedup_key of its own.

/** PagerDuty's limits: dedup_key 255 characters, summary 1024. */
const MAX_DEDUP_KEY_CHARS = 255;
const MAX_SUMMARY_CHARS = 1024;
const MAX_DETAILS_CHARS = 16_000;

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  client?: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'warning' | 'info';
    timestamp: string;
    component?: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
}

/**
 * The dedup_key of a rule and key: `logmon:<rule>` or `logmon:<rule>:<key>`
 * (the key is the JSON of its groupBy values), or `logmon:` and a SHA-256
 * of both when that would be longer than PagerDuty takes.
 *
 * @example
 *   pagerDutyDedupKey('error-burst', '["payments","web-1","/var/log/a.log"]');
 *   // 'logmon:error-burst:["payments","web-1","/var/log/a.log"]'
 */
export function pagerDutyDedupKey(rule: string, key: string): string {
  const plain = `logmon:${rule}${key === '' ? '' : `:${key}`}`;
  if (plain.length <= MAX_DEDUP_KEY_CHARS) return plain;
  return `logmon:${crypto.createHash('sha256').update(`${rule}\n${key}`).digest('hex')}`;
}

/**
 * The event of one outbox row, pure.
 *
 * @example
 *   pagerDutyEvent(row, routingKey).event_action; // 'trigger'
 */
export function pagerDutyEvent(row: PayloadRow, routingKey: string): PagerDutyEvent {
  if (row.kind === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: pagerDutyDedupKey(row.ruleName, row.groupKey) };
  const dedupKey =
    row.kind === 'late' ? `${pagerDutyDedupKey(row.ruleName, row.groupKey).slice(0, 200)}:late:${row.id}` : pagerDutyDedupKey(row.ruleName, row.groupKey);
  const severity = row.attributes.severity;
  const service = row.labels.service ?? row.attributes.service;
  const host = row.labels.host ?? row.attributes.host;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    client: 'logmon',
    payload: {
      summary: row.subject.slice(0, MAX_SUMMARY_CHARS),
      source: host || service || 'logmon',
      severity: severity === 'critical' || severity === 'warning' ? severity : 'info',
      timestamp: row.createdAt.toISOString(),
      ...(service ? { component: service } : {}),
      group: row.ruleName,
      class: row.attributes.kind === HEALTH_MESSAGE_KIND ? 'health' : row.kind,
      custom_details: { rule: row.ruleName, key: row.groupKey, labels: row.labels, notification: String(row.id), text: row.body.slice(0, MAX_DETAILS_CHARS) },
    },
  };
}
