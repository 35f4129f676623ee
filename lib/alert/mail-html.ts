// The HTML part of a channel's mail: the plain-text body as it is (its
// columns line up only in a fixed-width font), under the subject, with a
// coloured bar for the severity. No images, no external resources.

const COLORS: Record<string, string> = { critical: '#d00000', warning: '#daa038', info: '#439fe0' };

/** HTML's escaping of text. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A simple HTML document for a mail, pure: `subject` as its heading, `body`
 * preformatted.
 *
 * @example
 *   mailHtml('[logmon] FIRING any-fatal: 1 FATAL in 1m (threshold 1)', body, 'critical');
 */
export function mailHtml(subject: string, body: string, severity: string): string {
  const color = COLORS[severity] ?? COLORS.info!;
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>',
    escapeHtml(subject),
    '</title></head>',
    `<body style="margin:0;padding:16px;font-family:sans-serif"><div style="border-left:6px solid ${color};padding-left:12px">`,
    `<h1 style="font-size:16px;margin:0 0 12px 0">${escapeHtml(subject)}</h1>`,
    `<pre style="font-family:monospace;font-size:13px;white-space:pre-wrap;margin:0">${escapeHtml(body)}</pre>`,
    '</div></body></html>',
    '',
  ].join('\n');
}
