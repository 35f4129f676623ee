import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

// The HTTP shapes of the dashboard: what a request is, as a Lambda function
// URL and serverless offline's httpApi both deliver it (payload format 2.0),
// and the responses it gets.

export interface DashboardRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Names in lower case. */
  headers: Record<string, string>;
  cookies: Record<string, string>;
  /** The url-encoded form of a POST (other bodies are ignored). */
  form: Record<string, string>;
  /** Who signed the request (the IAM principal of a function URL call), when known. */
  principal: string | null;
  /** https: the function URL; http: serverless offline on 127.0.0.1. */
  secure: boolean;
}

/** A request from a payload 2.0 event. */
export function requestOf(event: APIGatewayProxyEventV2): DashboardRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const cookies: Record<string, string> = {};
  const cookieParts = event.cookies ?? (headers.cookie ? headers.cookie.split(';') : []);
  for (const part of cookieParts) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query[name] = value;
  const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
  let form: Record<string, string> = {};
  const type = headers['content-type'] ?? '';
  if (method === 'POST' && event.body && type.startsWith('application/x-www-form-urlencoded')) {
    const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    form = Object.fromEntries(new URLSearchParams(body));
  }
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } } | undefined)?.authorizer?.iam;
  return {
    method,
    path: event.rawPath || '/',
    query,
    headers,
    cookies,
    form,
    principal: iam?.userArn ?? null,
    secure: headers['x-forwarded-proto'] === 'https',
  };
}

export type DashboardResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

/**
 * What every page may load: its own scripts and styles, nothing inline, no
 * other origin, no framing, forms posting only to itself.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the forms' POSTs, which csrf.ts refuses.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
} as const;

/** An HTML page, never cached. */
export function htmlResponse(statusCode: number, body: string, cookies: string[] = []): DashboardResponse {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body,
    ...(cookies.length > 0 ? { cookies } : {}),
  };
}

/** A script or style sheet. */
export function assetResponse(contentType: string, body: string): DashboardResponse {
  return { statusCode: 200, headers: { ...SECURITY_HEADERS, 'content-type': contentType, 'cache-control': 'max-age=300' }, body };
}

/** After a form: back to the page (303, so a reload does not post again). */
export function redirectResponse(location: string): DashboardResponse {
  return { statusCode: 303, headers: { ...SECURITY_HEADERS, location, 'cache-control': 'no-store' }, body: '' };
}

/** A plain-text answer (errors). */
export function textResponse(statusCode: number, text: string): DashboardResponse {
  return { statusCode, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: `${text}\n` };
}
