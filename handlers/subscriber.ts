import type { SNSEvent } from 'aws-lambda';
import { wrapJob } from '../lib/platform/lambda';
import { logger } from '../lib/platform/logger';
import { fromSnsRecord, recordNotifications } from '../lib/alert/notification-log';
import { createMailTransport, mailNotifications, readMailSettings } from '../lib/alert/notification-mail';

// The local stand-in for an inbox: subscribed to the alert topic, it prints
// every notification readably and keeps it in NOTIFICATIONS_FILE; with
// SMTP_URL (npm start sets its mail catcher's) it also mails each one.
const file = process.env.NOTIFICATIONS_FILE?.trim() || '.data/notifications.log';
const mail = readMailSettings(process.env);
const transport = mail === null ? null : createMailTransport(mail);

export interface SubscriberSummary {
  received: number;
  file: string;
  mailed: number;
}

export const handler = wrapJob<SNSEvent, SubscriberSummary>('subscriber', async (event) => {
  const records = event?.Records ?? [];
  const received = await recordNotifications(records, {
    file,
    write: (text) => process.stdout.write(text),
  });
  // recorded first: a mail server that is down loses no notification from the file
  const mailed = mail === null || transport === null ? 0 : await mailNotifications(records.map(fromSnsRecord), transport, mail);
  logger.debug('notifications recorded', { received, file, mailed });
  return { received, file, mailed };
});
