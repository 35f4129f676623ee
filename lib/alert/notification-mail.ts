import nodemailer from 'nodemailer';
import { ConfigError } from '../platform/errors';
import type { ReceivedNotification } from './notification-log';

// The local subscriber's real e-mail (issue 18): each notification the topic
// delivers is sent through SMTP as the plain-text mail an SNS e-mail
// subscriber reads (its subject, its body unchanged), to the mail catcher
// `npm start` runs (a web inbox) or to the server SMTP_URL names.

export interface MailSettings {
  /** smtp://host:port, or smtps://user:password@host:465 (nodemailer's URL form). */
  smtpUrl: string;
  from: string;
  to: string;
}

/** SMTP_URL, MAIL_FROM, MAIL_TO of the subscriber; null without SMTP_URL (no mail is sent). */
export function readMailSettings(env: Record<string, string | undefined>): MailSettings | null {
  const smtpUrl = env.SMTP_URL?.trim() ?? '';
  if (smtpUrl === '') return null;
  let protocol = '';
  try {
    protocol = new URL(smtpUrl).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:')
    throw new ConfigError(`SMTP_URL must be an smtp:// or smtps:// URL such as smtp://127.0.0.1:1025, got "${redactSmtpUrl(smtpUrl)}"`);
  return {
    smtpUrl,
    from: env.MAIL_FROM?.trim() || 'logmon <logmon@localhost>',
    to: env.MAIL_TO?.trim() || 'oncall@localhost',
  };
}

/** What a transport needs: nodemailer's sendMail. */
export interface MailTransport {
  sendMail: (mail: { from: string; to: string; subject: string; text: string; headers: Record<string, string> }) => Promise<unknown>;
}

/** The SMTP transport of `settings`, with short time limits (a local catcher answers at once). */
export function createMailTransport(settings: MailSettings): MailTransport {
  // host, port and credentials from the URL by hand: nodemailer's `url` option replaces every other option, the time limits included
  const url = new URL(settings.smtpUrl);
  const implicit = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return nodemailer.createTransport({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (implicit ? 465 : 25) : Number(url.port),
    secure: implicit,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(url.password) } }),
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10_000,
  });
}

/**
 * Send each notification as one plain-text mail; the message attributes go
 * in `X-Logmon-*` headers (what a mail filter can sort on). Throws on the
 * first mail the server refuses, naming it.
 *
 * @example
 *   await mailNotifications([notification], createMailTransport(settings), settings);
 */
export async function mailNotifications(notifications: readonly ReceivedNotification[], transport: MailTransport, settings: MailSettings): Promise<number> {
  for (const n of notifications) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(n.attributes)) headers[`X-Logmon-${name[0]!.toUpperCase()}${name.slice(1)}`] = value.replace(/[\r\n]+/g, ' ');
    try {
      await transport.sendMail({ from: settings.from, to: settings.to, subject: n.subject, text: n.message, headers });
    } catch (err) {
      throw new Error(`could not mail "${n.subject}" to ${settings.to} through ${redactSmtpUrl(settings.smtpUrl)}: ${(err as Error).message}`, { cause: err });
    }
  }
  return notifications.length;
}

/** The URL without its password, for messages. */
export function redactSmtpUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
