import type { SNSEvent } from 'aws-lambda';
import { wrapJob } from '../lib/platform/lambda';
import { logger } from '../lib/platform/logger';
import { recordNotifications } from '../lib/alert/notification-log';

// The local stand-in for an inbox: subscribed to the alert topic, it prints
// every notification readably and keeps it in NOTIFICATIONS_FILE.
const file = process.env.NOTIFICATIONS_FILE?.trim() || '.data/notifications.log';

export interface SubscriberSummary {
  received: number;
  file: string;
}

export const handler = wrapJob<SNSEvent, SubscriberSummary>('subscriber', async (event) => {
  const received = await recordNotifications(event?.Records ?? [], {
    file,
    write: (text) => process.stdout.write(text),
  });
  logger.debug('notifications recorded', { received, file });
  return { received, file };
});
