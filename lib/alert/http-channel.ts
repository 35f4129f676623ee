import { CHANNEL_TYPE } from './channel-config';
import type { PagerDutyChannelConfig, SlackChannelConfig, WebhookChannelConfig } from './channel-config';
import type { ChannelRow, NotificationChannel } from './notification-channel';
import { pagerDutyEvent } from './pagerduty-event';
import { slackMessage } from './slack-payload';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook, webhookPayload } from './webhook-payload';

// The channels that POST JSON: webhook (logmon's schema, signed), Slack
// (incoming webhook) and PagerDuty (Events API v2). One request per
// notification, one attempt per run: a request that failed after it was
// sent (an HTTP 5xx, a reset, the time limit) may have been taken, and is
// retried by the next run only, so a failing receiver gets at most one
// extra copy per failed run. The receiver's refusal of this message (400,
// 413, 422) lets the channel's other rows go on; anything else (no
// connection, 401/403/404, 408, 429, 5xx, the time limit) means the
// channel is failing: it stops for this run.

/** What fetch is given (tests pass their own, the channel uses the global one). */
export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  text: () => Promise<string>;
}>;

/** The receiver answered with a status other than 2xx. */
export class HttpStatusError extends Error {
  public constructor(
    public readonly status: number,
    public readonly answer: string,
  ) {
    super(`HTTP ${status}${answer ? `: ${answer.slice(0, 300)}` : ''}`);
    this.name = 'HttpStatusError';
  }
}

/** Statuses that refuse this request's content: another notification may well be taken. */
const MESSAGE_STATUSES = new Set([400, 413, 422]);

export interface HttpChannelDeps {
  fetch?: Fetch;
  /** Milliseconds since the epoch (the webhook's timestamp). */
  now?: () => number;
}

type HttpChannelConfig = WebhookChannelConfig | SlackChannelConfig | PagerDutyChannelConfig;

function requestOf(config: HttpChannelConfig, row: ChannelRow, now: number): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'logmon' };
  switch (config.type) {
    case 'webhook': {
      const body = JSON.stringify(webhookPayload(row));
      const timestamp = String(Math.floor(now / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signWebhook(config.secret, timestamp, body);
      headers[DELIVERY_HEADER] = String(row.id);
      return { headers, body };
    }
    case 'slack':
      return { headers, body: JSON.stringify(slackMessage(row)) };
    case 'pagerduty':
      return { headers, body: JSON.stringify(pagerDutyEvent(row, config.routingKey)) };
  }
}

/**
 * A webhook, Slack or PagerDuty channel.
 *
 * @example
 *   const channel = httpChannel({ name: 'ops', type: 'webhook', url, secret, secretFrom: 'OPS_SECRET', match: {}, timeoutMs: 10_000 });
 */
export function httpChannel(config: HttpChannelConfig, deps: HttpChannelDeps = {}): NotificationChannel {
  const post: Fetch = deps.fetch ?? (fetch as unknown as Fetch);
  const now = deps.now ?? Date.now;
  return {
    name: config.name,
    type: config.type,
    match: config.match,
    grouped: false,
    send: async (rows, signal) => {
      const row = rows[0]!;
      const { headers, body } = requestOf(config, row, now());
      const limit = AbortSignal.timeout(config.timeoutMs);
      const response = await post(config.url, { method: 'POST', headers, body, signal: signal ? AbortSignal.any([signal, limit]) : limit });
      const answer = await response.text().catch(() => '');
      if (!response.ok) throw new HttpStatusError(response.status, answer);
      if (config.type === CHANNEL_TYPE.PAGERDUTY) {
        try {
          return String((JSON.parse(answer) as { dedup_key?: unknown }).dedup_key ?? `http ${response.status}`);
        } catch {
          return `http ${response.status}`;
        }
      }
      return `http ${response.status}`;
    },
    isMessageError: (err) => err instanceof HttpStatusError && MESSAGE_STATUSES.has(err.status),
  };
}
