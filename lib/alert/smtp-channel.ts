import nodemailer from 'nodemailer';
import type { SmtpChannelConfig } from './channel-config';
import { mailHtml } from './mail-html';
import type { NotificationChannel } from './notification-channel';
import { mailOf } from './sns-channel';

// Mail through an SMTP server (nodemailer): the mail an SNS e-mail
// subscriber would read (one per service and host, the same subject and
// text), plus a simple HTML part, the attributes as X-Logmon-* headers.
// TLS: an smtps:// URL speaks TLS from the first byte; with smtp://, tls
// `required` (the default) insists on STARTTLS before anything is sent, and
// `none` speaks plain text (a local catcher only). Certificates are always
// verified (`caFile` adds a private CA). One attempt per mail per run: a
// connection lost after the message was sent may have delivered it.

/** What the channel needs of a transport: nodemailer's sendMail. */
export interface SmtpTransport {
  sendMail: (mail: {
    from: string;
    to: string[];
    subject: string;
    text: string;
    html: string;
    headers: Record<string, string>;
  }) => Promise<{ messageId?: string }>;
}

/** The nodemailer transport of a channel: its URL, its time limit, its TLS. */
export function createSmtpTransport(config: SmtpChannelConfig): SmtpTransport {
  // host, port and credentials from the URL by hand: nodemailer's own `url` option drops `tls` (the CA)
  const url = new URL(config.url);
  const implicit = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return nodemailer.createTransport({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (implicit ? 465 : 587) : Number(url.port),
    secure: implicit,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(url.password) } }),
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    requireTLS: !implicit && config.tls === 'required',
    ignoreTLS: !implicit && config.tls === 'none',
    tls: { rejectUnauthorized: true, ...(config.ca ? { ca: config.ca } : {}) },
  }) as unknown as SmtpTransport;
}

function headerName(attribute: string): string {
  return `X-Logmon-${attribute[0]!.toUpperCase()}${attribute.slice(1)}`;
}

/**
 * An SMTP channel. Only a message the server refuses for its content
 * (nodemailer's EMESSAGE) is the message's own failure; anything else
 * (connection, TLS, authentication, a recipient refused) is the channel's.
 *
 * @example
 *   const channel = smtpChannel(config, createSmtpTransport(config));
 */
export function smtpChannel(config: SmtpChannelConfig, transport: SmtpTransport = createSmtpTransport(config)): NotificationChannel {
  return {
    name: config.name,
    type: config.type,
    match: config.match,
    grouped: true,
    send: async (rows) => {
      const mail = mailOf(rows);
      const headers: Record<string, string> = { 'X-Logmon-Notification': rows.map((r) => r.id).join(',') };
      for (const [name, value] of Object.entries(mail.attributes))
        if (value.StringValue) headers[headerName(name)] = value.StringValue.replace(/[\r\n]+/g, ' ');
      const severity = mail.attributes.severity?.StringValue ?? 'info';
      const info = await transport.sendMail({
        from: config.from,
        to: config.to,
        subject: mail.subject,
        text: mail.body,
        html: mailHtml(mail.subject, mail.body, severity),
        headers,
      });
      return info.messageId ?? '';
    },
    isMessageError: (err) => (err as { code?: unknown } | null)?.code === 'EMESSAGE',
  };
}
