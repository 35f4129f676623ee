import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// A small SNS endpoint for tests, speaking what @aws-sdk/client-sns 3.x
// sends: the awsQuery protocol (POST /, form-encoded `Action=Publish`,
// `Version=2010-03-31`, `MessageAttributes.entry.N.*`, SigV4-signed) answered
// with XML. It can be switched to fail the ways a real endpoint does.

/**
 * - `up`: accepts and records every Publish.
 * - `down`: not listening (connection refused).
 * - `reset`: accepts the connection, then closes it without answering.
 * - `failing`: HTTP 500 with an SNS `InternalError` XML body.
 * - `throttling`: HTTP 400 with the `Throttling` code ("Rate exceeded"), as SNS
 *   answers over the query protocol when a publish rate is exceeded.
 * - `rejecting`: HTTP 400 `InvalidParameter`: this one message refused (every
 *   message, or those `rejectIf` picks; the others are accepted).
 * - `forbidden`: HTTP 403 `InvalidClientTokenId`, as for credentials SNS does not know.
 * - `slow`: records the message, answers after `delayMs` (the client may give up first).
 * - `taken-then-failing`: records the message, then answers HTTP 500 (SNS took it and failed after).
 * - `taken-then-reset`: records the message, then closes the connection without answering.
 */
export type SnsServerMode = 'up' | 'down' | 'reset' | 'failing' | 'throttling' | 'rejecting' | 'forbidden' | 'slow' | 'taken-then-failing' | 'taken-then-reset';

export interface ReceivedMessage {
  messageId: string;
  topicArn: string;
  subject: string;
  message: string;
  attributes: Record<string, { dataType: string; value: string }>;
}

export interface SnsTestServer {
  /** http://127.0.0.1:PORT, for the SNS client or AWS_ENDPOINT_URL_SNS. */
  endpoint: string;
  /** Messages SNS would have accepted, in order. */
  messages: ReceivedMessage[];
  /** Publish requests that reached the server in any mode. */
  requests: number;
  setMode(mode: SnsServerMode, options?: { delayMs?: number; rejectIf?: (message: ReceivedMessage) => boolean }): Promise<void>;
  close(): Promise<void>;
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorXml(type: 'Sender' | 'Receiver', code: string, message: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`;
}

function publishXml(messageId: string): string {
  return `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`;
}

function parseAttributes(form: URLSearchParams): ReceivedMessage['attributes'] {
  const out: ReceivedMessage['attributes'] = {};
  for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i += 1) {
    const base = `MessageAttributes.entry.${i}`;
    out[form.get(`${base}.Name`)!] = { dataType: form.get(`${base}.Value.DataType`) ?? '', value: form.get(`${base}.Value.StringValue`) ?? '' };
  }
  return out;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Start the server on 127.0.0.1 on a free port. */
export async function startSnsServer(): Promise<SnsTestServer> {
  let mode: SnsServerMode = 'up';
  let delayMs = 0;
  let rejectIf: (message: ReceivedMessage) => boolean = () => true;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const reply = (res: http.ServerResponse, status: number, xml: string): void => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await readBody(req);
    if (mode === 'reset') {
      req.socket.destroy();
      return;
    }
    const form = new URLSearchParams(body);
    if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      reply(res, 400, errorXml('Sender', 'InvalidAction', 'expected a form-encoded POST (awsQuery)'));
      return;
    }
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      reply(res, 403, errorXml('Sender', 'InvalidClientTokenId', 'request is not SigV4-signed'));
      return;
    }
    if (form.get('Action') !== 'Publish' || form.get('Version') !== '2010-03-31') {
      reply(res, 400, errorXml('Sender', 'InvalidAction', `unsupported action ${form.get('Action')}`));
      return;
    }
    server.requests += 1;
    if (mode === 'failing') {
      reply(res, 500, errorXml('Receiver', 'InternalError', 'injected failure'));
      return;
    }
    if (mode === 'forbidden') {
      reply(res, 403, errorXml('Sender', 'InvalidClientTokenId', 'The security token included in the request is invalid.'));
      return;
    }
    if (mode === 'throttling') {
      reply(res, 400, errorXml('Sender', 'Throttling', 'Rate exceeded'));
      return;
    }
    const message: ReceivedMessage = {
      messageId: crypto.randomUUID(),
      topicArn: form.get('TopicArn') ?? '',
      subject: form.get('Subject') ?? '',
      message: form.get('Message') ?? '',
      attributes: parseAttributes(form),
    };
    if (mode === 'rejecting' && rejectIf(message)) {
      reply(res, 400, errorXml('Sender', 'InvalidParameter', 'Invalid parameter: Message'));
      return;
    }
    server.messages.push(message);
    if (mode === 'taken-then-failing') {
      reply(res, 500, errorXml('Receiver', 'InternalError', 'injected failure after the message was taken'));
      return;
    }
    if (mode === 'taken-then-reset') {
      req.socket.destroy();
      return;
    }
    if (mode === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply(res, 200, publishXml(message.messageId));
      }, delayMs);
      timers.add(timer);
      return;
    }
    reply(res, 200, publishXml(message.messageId));
  };

  const http_ = http.createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  http_.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      http_.once('error', reject);
      http_.listen(port, '127.0.0.1', () => {
        http_.off('error', reject);
        resolve((http_.address() as AddressInfo).port);
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      if (!http_.listening) {
        resolve();
        return;
      }
      http_.close(() => resolve());
    });

  const port = await listen(0);
  const server: SnsTestServer = {
    endpoint: `http://127.0.0.1:${port}`,
    messages: [],
    requests: 0,
    async setMode(next, options = {}) {
      delayMs = options.delayMs ?? 5000;
      rejectIf = options.rejectIf ?? (() => true);
      if (next === 'down' && mode !== 'down') await stopListening();
      if (next !== 'down' && mode === 'down') await listen(port);
      mode = next;
    },
    close: stopListening,
  };
  return server;
}
