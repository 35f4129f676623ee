import { cleanLine, cleanText } from '../alert/notification';

// HTML that is safe by construction: every value interpolated into `html`
// is escaped unless it is itself SafeHtml (made by `html` or `raw`), so a log
// message, a file name or a label can never become markup. Values from logs
// also go through cleanText / cleanLine first (lib/alert/notification.ts):
// ANSI escapes and control characters removed, a file name's bytes that are
// not UTF-8 shown as \xNN (lib/platform/fs-name.ts displayName).

/** A fragment of markup that was escaped (or written by this code). */
export class SafeHtml {
  public constructor(public readonly text: string) {}
  public toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML character data or an attribute value (quotes included). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** What `html` accepts between `${…}`: text and numbers (escaped), fragments, lists of them, nothing. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  return escapeHtml(String(value));
}

/**
 * A template of markup whose values are escaped.
 *
 * @example
 *   html`<td>${entry.message}</td>` // '<td>&lt;script&gt;…</td>' for a hostile message
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup written by this code (never from data). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A log message as shown: several lines kept (a stack trace), control characters and ANSI colours removed. */
export function logText(text: string | null | undefined): string {
  return cleanText(text ?? '');
}

/** A file name, label or rule name as shown: on one line, bytes that are not UTF-8 as \xNN. */
export function labelText(text: string | null | undefined): string {
  return cleanLine(text ?? '');
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` as
 * \u escapes, so no value can close the element or open a comment.
 */
export function jsonForScript(value: unknown): SafeHtml {
  return new SafeHtml(
    JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  );
}
