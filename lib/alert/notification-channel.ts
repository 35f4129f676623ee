import type { ChannelMatch, ChannelType } from './channel-config';
import type { PayloadRow } from './webhook-payload';

// What the outbox publisher needs of a channel (outbox-publisher.ts): its
// name (the key of its delivery state), its routing, whether it sends one
// mail per service and host, a send, and which failures are the message's
// own. Built once per container by createChannels (channels.ts).

/** An outbox row as a channel sends it. */
export interface ChannelRow extends PayloadRow {
  /** Attempts of any channel so far. */
  attempts: number;
}

export interface NotificationChannel {
  readonly name: string;
  readonly type: ChannelType;
  readonly match: ChannelMatch;
  /**
   * One message for the rows one evaluation owes one service on one host
   * (outbox-group.ts; the mail channels, sns and smtp, and they wait out
   * ALERT_GROUP_WAIT); false: one message per notification, sent at once.
   */
  readonly grouped: boolean;
  /**
   * Send `rows` (one, or the rows of one group) as one message; resolves
   * with the receiver's id for it. A request that fails is not retried here
   * unless the receiver surely did not take it (see each channel).
   */
  send(rows: readonly ChannelRow[], signal?: AbortSignal): Promise<string>;
  /** The failure is this message's own (the receiver refused its content): the channel's other rows may go on. Else the channel is failing. */
  isMessageError(err: unknown): boolean;
}
