import type { PayloadRow } from './webhook-payload';

// A Slack incoming webhook's message for one notification: the subject as
// its text (what the notification shows), the body in a code block of a
// coloured attachment (red critical, amber warning, blue info, green
// resolved). Slack wants &, < and > escaped in text.

/** Slack truncates long attachments; the whole body is in the mail and the webhook. */
export const SLACK_MAX_BODY_CHARS = 3000;

const COLORS: Record<string, string> = { critical: '#d00000', warning: '#daa038', info: '#439fe0', resolved: '#2eb886' };

/** Slack's escaping of message text. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface SlackMessage {
  text: string;
  attachments: { color: string; text: string; footer: string; mrkdwn_in: string[] }[];
}

/**
 * The incoming-webhook JSON of one outbox row, pure.
 *
 * @example
 *   slackMessage(row).text; // "[logmon] FIRING error-burst: 12 ERROR+ in 5m (threshold 5)"
 */
export function slackMessage(row: PayloadRow): SlackMessage {
  const body = row.body.length > SLACK_MAX_BODY_CHARS ? `${row.body.slice(0, SLACK_MAX_BODY_CHARS)}\n… (shortened)` : row.body;
  const color = row.kind === 'resolved' ? COLORS.resolved! : (COLORS[row.attributes.severity ?? 'info'] ?? COLORS.info!);
  return {
    text: slackEscape(row.subject),
    attachments: [
      {
        color,
        // a fence inside the body would end the code block early
        text: `\`\`\`\n${slackEscape(body.replace(/```/g, "'''")).trimEnd()}\n\`\`\``,
        footer: slackEscape(`logmon · ${row.ruleName} · notification ${row.id}`),
        mrkdwn_in: ['text'],
      },
    ],
  };
}
