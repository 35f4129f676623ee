import { PublishCommand } from '@aws-sdk/client-sns';
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import { CHANNEL_TYPE } from './channel-config';
import type { ChannelMatch } from './channel-config';
import type { ChannelRow, NotificationChannel } from './notification-channel';
import { combineRows } from './outbox-group';
import { isServiceWideError } from './sns-client';

/** A row's attributes as SNS message attributes (String; SNS rejects empty values). */
export function toMessageAttributes(attributes: Record<string, string>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'string' && value !== '') out[name] = { DataType: 'String', StringValue: value };
  }
  return out;
}

/** The subject, body and attributes of one mail: a row alone, or a group (combineRows). */
export function mailOf(rows: readonly ChannelRow[]): { subject: string; body: string; attributes: Record<string, MessageAttributeValue> } {
  const row = rows[0]!;
  return rows.length === 1 ? { subject: row.subject, body: row.body, attributes: toMessageAttributes(row.attributes) } : combineRows(rows);
}

/**
 * The SNS topic as a channel: one Publish per mail, through the client of
 * sns-client.ts (retries only where SNS surely did not take the message).
 * Only an HTTP 400 about the message itself is the message's own failure.
 *
 * @example
 *   const channel = snsChannel(createSnsClient({ topicArn, timeoutMs }), topicArn);
 */
export function snsChannel(sns: Pick<SNSClient, 'send'>, topicArn: string, name: string = CHANNEL_TYPE.SNS, match: ChannelMatch = {}): NotificationChannel {
  return {
    name,
    type: CHANNEL_TYPE.SNS,
    match,
    grouped: true,
    send: async (rows, signal) => {
      const message = mailOf(rows);
      const result = await sns.send(
        new PublishCommand({ TopicArn: topicArn, Subject: message.subject, Message: message.body, MessageAttributes: message.attributes }),
        { abortSignal: signal },
      );
      return result.MessageId ?? '';
    },
    isMessageError: (err) => !isServiceWideError(err),
  };
}
