import crypto from 'node:crypto';

// Write actions (adding and expiring silences) are accepted only when
// DASHBOARD_WRITE is on, and then only from the dashboard's own forms:
// - a double-submit token: a random value in a SameSite=Strict, HttpOnly
//   cookie, repeated in a hidden field of each form; another site can make a
//   browser send the cookie (not with SameSite=Strict, in current browsers)
//   but can neither read it nor guess it;
// - the browser's own word on where the request comes from: a Sec-Fetch-Site
//   other than same-origin, or an Origin of another host, is refused.

export const CSRF_COOKIE = 'logmon_csrf';
export const CSRF_FIELD = 'csrf';
const TOKEN = /^[0-9a-f]{64}$/;

/** A new token (32 random bytes, hex). */
export function newCsrfToken(): string {
  return crypto.randomBytes(32).toString('hex');
}

/** The token of the request's cookie, when it has a well-formed one. */
export function csrfTokenOf(cookies: Record<string, string>): string | null {
  const token = cookies[CSRF_COOKIE];
  return token !== undefined && TOKEN.test(token) ? token : null;
}

/** The Set-Cookie value that gives the browser `token` (Secure over https). */
export function csrfCookie(token: string, secure: boolean): string {
  return `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export interface WriteRequest {
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  cookies: Record<string, string>;
  form: Record<string, string>;
}

/** Why a write request is refused, or null when it may proceed. */
export function refuseWrite(request: WriteRequest): string | null {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'request with a malformed Origin refused';
    }
    if (host !== request.headers.host) return 'request from another origin refused';
  } else if (origin === 'null') return 'request from an opaque origin refused';
  const cookie = csrfTokenOf(request.cookies);
  const field = request.form[CSRF_FIELD] ?? '';
  if (cookie === null || !TOKEN.test(field)) return 'missing form token: reload the dashboard and try again';
  if (!crypto.timingSafeEqual(Buffer.from(cookie), Buffer.from(field))) return 'form token does not match: reload the dashboard and try again';
  return null;
}
