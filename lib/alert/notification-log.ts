import fs from 'node:fs/promises';
import path from 'node:path';
import type { SNSEventRecord } from 'aws-lambda';

/** One notification as an SNS subscriber receives it. */
export interface ReceivedNotification {
  subject: string;
  message: string;
  attributes: Record<string, string>;
  topicArn: string;
  messageId: string;
  timestamp: string;
}

export interface NotificationLogDeps {
  /** Where the readable block goes (the console). */
  write: (text: string) => void;
  /** The file every block is appended to. */
  file: string;
}

const RULE = '─'.repeat(72);

export function fromSnsRecord(record: SNSEventRecord): ReceivedNotification {
  const sns = record.Sns;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(sns.MessageAttributes ?? {})) attributes[name] = String(value?.Value ?? '');
  return {
    subject: sns.Subject ?? '(no subject)',
    message: sns.Message ?? '',
    attributes,
    topicArn: sns.TopicArn ?? '',
    messageId: sns.MessageId ?? '',
    timestamp: sns.Timestamp ?? '',
  };
}

/**
 * A notification as a plain block a person can read in a terminal or a
 * log file: subject, attributes, then the body.
 *
 * @example
 *   formatReceivedNotification(fromSnsRecord(event.Records[0]))
 */
export function formatReceivedNotification(n: ReceivedNotification): string {
  const attributes = Object.keys(n.attributes)
    .sort()
    .map((k) => `${k}=${n.attributes[k]}`)
    .join('  ');
  const body = n.message.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  return [
    `┌${RULE}`,
    `│ ${n.subject}`,
    `│ attributes: ${attributes || '(none)'}`,
    `│ ${n.timestamp}  ${n.topicArn}  ${n.messageId}`,
    `├${RULE}`,
    ...body.map((line) => (line === '' ? '│' : `│ ${line}`)),
    `└${RULE}`,
    '',
  ].join('\n');
}

/**
 * Print every notification of an SNS event and append it to the file
 * (created with its folder when missing). The file holds log text: it is
 * created 0600 and its folder 0700, and a file found readable by others is
 * made 0600 (issue 15). Returns how many were recorded.
 */
export async function recordNotifications(records: SNSEventRecord[], deps: NotificationLogDeps): Promise<number> {
  const blocks = records.map((r) => formatReceivedNotification(fromSnsRecord(r)));
  for (const block of blocks) deps.write(block);
  if (blocks.length > 0) {
    await fs.mkdir(path.dirname(path.resolve(deps.file)), { recursive: true, mode: 0o700 });
    const handle = await fs.open(deps.file, 'a', 0o600);
    try {
      if (((await handle.stat()).mode & 0o077) !== 0) await handle.chmod(0o600);
      await handle.appendFile(blocks.join('\n'), 'utf8');
    } finally {
      await handle.close();
    }
  }
  return blocks.length;
}
