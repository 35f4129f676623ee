import type { Silence } from '../alert/silences';
import type { KeyLabels } from '../alert/rule-key';
import { formatDuration } from '../platform/duration';
import type { SourceStatus, StatusSnapshot } from '../status/status';
import { sourceLabel } from './chart-series';
import type { ChartData } from './chart-series';
import { CSRF_FIELD } from './csrf';
import type { DashboardView, HistoryItem } from './dashboard-data';
import { MAX_HOURS } from './config';
import { html, jsonForScript, labelText, logText, raw } from './html';
import type { SafeHtml } from './html';

export interface PageOptions {
  /** Forms that add and expire silences are shown (DASHBOARD_WRITE). */
  writeEnabled: boolean;
  /** The token each form repeats (csrf.ts); null when writes are off. */
  csrfToken: string | null;
  /** A line shown above everything (the outcome of a form, an error). */
  notice?: { kind: 'notice' | 'error'; text: string } | null;
}

/** Minutes of the per-minute table without JavaScript, at most (the newest with entries). */
const TABLE_MINUTES = 120;

/** A time as UTC, to the second: 2026-11-23 10:00:05Z. */
export function formatTime(at: Date | number | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const d = typeof at === 'number' ? new Date(at) : at;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function stateCell(state: string): SafeHtml {
  return html`<td class="state-${state.replace(/[^a-z]/g, '')}">${state.toUpperCase()}</td>`;
}

function labelsText(labels: KeyLabels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v ?? '(none)'}`);
  return parts.length > 0 ? labelText(parts.join(' ')) : '(whole rule)';
}

/** A link to this page with other query values (the fragment names a section). */
function pageLink(view: DashboardView, changes: Record<string, string | null>, fragment: string): string {
  const params = new URLSearchParams();
  const base: Record<string, string | null> = {
    hours: String(view.query.hours),
    at: view.query.at === null ? null : new Date(view.query.at).toISOString(),
    rule: view.query.rule,
    key: view.query.key,
  };
  for (const [name, value] of Object.entries({ ...base, ...changes })) if (value !== null && value !== '') params.set(name, value);
  return `?${params.toString()}#${fragment}`;
}

function healthSection(status: StatusSnapshot): SafeHtml {
  const health = status.health;
  const rows = (health?.rules ?? []).map(
    (r) => html`<tr><td>${labelText(r.rule)}</td>${stateCell(r.state)}<td>${formatTime(r.since)}</td><td>${logText(r.headline ?? '')}</td></tr>`,
  );
  return html`<section id="health"><h2>Health</h2>
<p>Last ingest run: <b>${formatTime(health?.lastIngestRun)}</b> · last evaluation: <b>${formatTime(health?.lastEvaluation)}</b> ·
notifications waiting for SNS: <b>${status.unsent.count}</b>${status.unsent.oldest ? html` (oldest ${formatTime(status.unsent.oldest)})` : ''}
${status.unsent.lastError ? html`· last error: <code>${logText(status.unsent.lastError)}</code>` : ''}</p>
${
  rows.length > 0
    ? html`<table><thead><tr><th>health rule</th><th>state</th><th>since</th><th>what it found</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="muted">No health rule evaluated yet.</p>`
}
</section>`;
}

function chartSection(view: DashboardView, chart: ChartData): SafeHtml {
  const client = {
    start: chart.start,
    minutes: chart.minutes,
    series: chart.series.map((s) => ({ label: labelText(s.label), values: s.values })),
    thresholds: chart.thresholds.map((t) => ({ rule: labelText(t.rule), perMinute: t.perMinute, label: labelText(t.label) })),
  };
  const withEntries: number[] = [];
  for (let i = chart.minutes - 1; i >= 0 && withEntries.length < TABLE_MINUTES; i -= 1) if ((chart.totals[i] ?? 0) > 0) withEntries.push(i);
  const total = chart.totals.reduce((a, b) => a + b, 0);
  const hourChoices = [1, 3, 6, 12, 24, MAX_HOURS].map((h) => html`<option value="${h}"${h === view.query.hours ? raw(' selected') : ''}>${h} h</option>`);
  return html`<section id="errors"><h2>Errors per minute, last ${view.query.hours} h, per service and host</h2>
<form method="get" action="" class="inline"><label>period <select name="hours">${hourChoices}</select></label> <button type="submit">show</button></form>
<figure id="chart" data-series="${chart.series.length}" data-thresholds="${chart.thresholds.length}">
<div id="chart-canvas"></div>
<figcaption>${total} entries in ${chart.minutes} minutes${chart.series.length === 0 ? ' (none stored in this period)' : ''}.
Dashed lines: each threshold rule's threshold as a rate per minute (threshold ÷ window); a click lists the entries of that minute.</figcaption>
<ul class="thresholds">${chart.thresholds.map((t) => html`<li class="threshold" data-rule="${labelText(t.rule)}">${labelText(t.label)}</li>`)}</ul>
</figure>
<script type="application/json" id="chart-data">${jsonForScript(client)}</script>
<details id="chart-table"${raw(' open')}><summary>As a table (the minutes with entries, newest first${withEntries.length === TABLE_MINUTES ? `, the latest ${TABLE_MINUTES}` : ''})</summary>
<table><thead><tr><th>minute (UTC)</th>${chart.series.map((s) => html`<th>${labelText(s.label)}</th>`)}<th>all</th></tr></thead><tbody>
${withEntries.map(
  (i) =>
    html`<tr><td><a href="${pageLink(view, { at: new Date(chart.start + i * 60_000).toISOString() }, 'entries')}">${formatTime(chart.start + i * 60_000)}</a></td>${chart.series.map(
      (s) => html`<td class="num">${s.values[i] ?? 0}</td>`,
    )}<td class="num">${chart.totals[i] ?? 0}</td></tr>`,
)}
</tbody></table></details>
</section>`;
}

function alertsSection(view: DashboardView): SafeHtml {
  const rulesByName = new Map(view.rules.map((r) => [r.name, r]));
  const ruleRows = view.status.rules
    .filter((r) => !r.rule.startsWith('health:'))
    .map((r) => {
      const rule = rulesByName.get(r.rule);
      const condition = rule
        ? `${rule.threshold} in ${formatDuration(rule.windowMs)}${rule.groupBy.length > 0 ? ` per ${rule.groupBy.join(', ')}` : ''}`
        : '(rule removed)';
      const last = r.lastNotification;
      return html`<tr><td><a href="${pageLink(view, { rule: r.rule, key: null }, 'history')}">${labelText(r.rule)}</a></td>${stateCell(r.state)}<td>${formatTime(r.stateSince)}</td>
<td class="num">${r.lastCount}</td><td>${condition}</td><td>${last ? `${last.kind} ${formatTime(last.createdAt)}${last.sentAt ? ' (sent)' : ' (not sent)'}` : '—'}</td></tr>`;
    });
  const keyRows = (view.status.keys ?? []).map((k) => {
    const rule = rulesByName.get(k.rule);
    return html`<tr><td><a href="${pageLink(view, { rule: k.rule, key: null }, 'history')}">${labelText(k.rule)}</a></td><td>${labelsText(k.labels)}</td>${stateCell(k.state)}
<td>${formatTime(k.since)}</td><td class="num">${k.lastCount}${rule ? html` / ${rule.threshold}` : ''}</td><td>${k.lastNotification ? `${k.lastNotification.kind}${k.lastNotification.sent ? ' (sent)' : ' (not sent)'}` : '—'}</td></tr>`;
  });
  const filter = view.query.rule === null ? 'every rule' : `rule ${labelText(view.query.rule)}${view.query.key === null ? '' : ', one key'}`;
  return html`<section id="alerts"><h2>Alerts</h2>
${
  ruleRows.length > 0
    ? html`<table><thead><tr><th>rule</th><th>state</th><th>since</th><th>last count</th><th>condition</th><th>last notification</th></tr></thead><tbody>${ruleRows}</tbody></table>`
    : html`<p class="muted">No rule evaluated yet.</p>`
}
${
  keyRows.length > 0
    ? html`<h3>Keys of grouped rules that are not OK</h3><table><thead><tr><th>rule</th><th>key</th><th>state</th><th>since</th><th>count / threshold</th><th>last notification</th></tr></thead><tbody>${keyRows}</tbody></table>`
    : ''
}
</section>
<section id="history"><h2>Alert history (${filter}, newest first)</h2>
${view.query.rule !== null ? html`<p><a href="${pageLink(view, { rule: null, key: null }, 'history')}">show every rule</a></p>` : ''}
${
  view.history.length > 0
    ? html`<table><thead><tr><th>when</th><th>rule</th><th>key</th><th>kind</th><th>subject</th><th>delivery</th></tr></thead><tbody>${view.history.map((h) => historyRow(view, h))}</tbody></table>`
    : html`<p class="muted">No notification yet.</p>`
}
</section>`;
}

function historyRow(view: DashboardView, h: HistoryItem): SafeHtml {
  const delivery = h.silenced_by
    ? `silenced (silence ${h.silenced_by})`
    : h.sent_at
      ? `sent ${formatTime(h.sent_at)}`
      : `not sent yet (${h.attempts} attempts)${h.last_error ? `: ${h.last_error}` : ''}`;
  return html`<tr><td><a href="${pageLink(view, { at: h.created_at.toISOString() }, 'entries')}">${formatTime(h.created_at)}</a></td>
<td>${labelText(h.rule_name)}</td><td>${h.key === '' ? '—' : html`<a href="${pageLink(view, { rule: h.rule_name, key: h.key }, 'history')}">${labelsText(h.labels)}</a>`}</td>
<td>${h.kind}</td><td>${labelText(h.subject)}</td><td>${logText(delivery)}</td></tr>`;
}

function templatesSection(view: DashboardView): SafeHtml {
  const top = view.status.templates?.top ?? [];
  return html`<section id="templates"><h2>Top error templates, last ${view.query.hours} h</h2>
${
  top.length > 0
    ? html`<table><thead><tr><th>template</th><th>entries</th><th>first seen</th><th>last seen</th><th>services</th><th>example</th></tr></thead><tbody>
${top.map(
  (
    t,
  ) => html`<tr class="template"><td>${t.template ? html`<pre>${logText(t.template)}</pre>` : html`<span class="muted">not named yet (the alert job names templates as it examines entries)</span>`}</td><td class="num">${t.entries}</td><td>${formatTime(t.firstAt)}${t.knownSince ? html`<br><span class="muted">known since ${formatTime(t.knownSince)}</span>` : ''}</td>
<td><a href="${pageLink(view, { at: t.lastAt.toISOString() }, 'entries')}">${formatTime(t.lastAt)}</a></td><td>${labelText(t.services ?? '')}</td>
<td><pre class="example">${logText(t.example ?? '')}</pre><span class="muted file">${labelText(t.examplePath ?? '')}</span></td></tr>`,
)}</tbody></table>`
    : html`<p class="muted">No entry stored in this period.</p>`
}
</section>`;
}

function sourceRow(view: DashboardView, s: SourceStatus): SafeHtml {
  const loss = view.losses.get(String(s.id));
  const read = s.linesRead ?? 0;
  const unparsed = s.linesUnparsed ?? 0;
  const share = read > 0 ? `${((100 * unparsed) / read).toFixed(1)}% (${unparsed} of ${read} lines)` : '—';
  const disk =
    s.disk.kind === 'unreadable'
      ? `not readable here (${s.disk.reason})`
      : s.disk.kind === 'other-file'
        ? 'path now holds another file'
        : bytesText(s.disk.size);
  return html`<tr class="source"><td class="file">${labelText(s.path)}</td><td>${labelText(sourceLabel(s.service ?? '', s.host ?? ''))}</td><td>${s.status}</td><td>${labelText(s.format ?? '')}</td>
<td class="num">${bytesText(s.lagBytes)}</td><td>${formatTime(s.updatedAt)}</td><td class="num">${share}</td>
<td class="num">${loss ? `${bytesText(loss.bytes)} (${loss.occurrences}×, last ${formatTime(loss.lastAt)})` : '—'}</td><td>${disk}</td><td>${logText(s.lastError ?? '')}</td></tr>`;
}

function sourcesSection(view: DashboardView): SafeHtml {
  const { sources, anomalies } = view.status;
  return html`<section id="sources"><h2>Sources</h2>
${
  sources.length > 0
    ? html`<table><thead><tr><th>file</th><th>service@host</th><th>status</th><th>format</th><th>lag</th><th>last read</th><th>not understood</th><th>lost, last ${view.query.hours} h</th><th>on disk here</th><th>last error</th></tr></thead>
<tbody>${sources.map((s) => sourceRow(view, s))}</tbody></table>`
    : html`<p class="muted">No file read yet.</p>`
}
${
  anomalies.length > 0
    ? html`<h3>Latest anomalies</h3><table><thead><tr><th>when</th><th>file</th><th>kind</th><th>occurrences</th><th>bytes</th><th>detail</th></tr></thead><tbody>
${anomalies.map(
  (a) =>
    html`<tr><td>${formatTime(a.createdAt)}</td><td class="file">${labelText(a.path)}</td><td>${a.kind}</td><td class="num">${a.occurrences}</td><td class="num">${a.bytes}</td><td>${logText(a.detail ?? '')}</td></tr>`,
)}</tbody></table>`
    : ''
}
</section>`;
}

function matchersText(s: Silence): string {
  const parts = Object.entries(s.matchers).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? labelText(parts.join(' ')) : 'every key';
}

function silencesSection(view: DashboardView, options: PageOptions): SafeHtml {
  const token = options.csrfToken ?? '';
  const rows = view.silences.map(
    (
      s,
    ) => html`<tr class="silence"><td class="num">${s.id}</td><td>${labelText(s.ruleGlob)}</td><td>${matchersText(s)}</td><td>${formatTime(s.startsAt)}</td><td>${formatTime(s.endsAt)}</td>
<td>${logText(s.comment)}</td><td>${labelText(s.createdBy ?? '')}</td>${
      options.writeEnabled
        ? html`<td><form method="post" action="/silences/expire" class="inline"><input type="hidden" name="${CSRF_FIELD}" value="${token}"><input type="hidden" name="id" value="${s.id}"><button type="submit">expire now</button></form></td>`
        : ''
    }</tr>`,
  );
  const form = options.writeEnabled
    ? html`<form method="post" action="/silences" class="add-silence"><input type="hidden" name="${CSRF_FIELD}" value="${token}">
<label>rule (name or glob) <input name="rule" required placeholder="error-burst or health:*"></label>
<label>service <input name="service"></label><label>host <input name="host"></label><label>file <input name="file"></label>
<label>for <input name="for" required value="2h" size="6"></label>
<label>comment <input name="comment" required size="40" placeholder="why, for whoever is on call next"></label>
<button type="submit">add silence</button></form>`
    : html`<p class="muted">Read-only: set DASHBOARD_WRITE=on to add and expire silences here (docs/dashboard.md), or use <code>npm run silence</code>.</p>`;
  return html`<section id="silences"><h2>Silences (active and to come)</h2>
${
  rows.length > 0
    ? html`<table><thead><tr><th>id</th><th>rules</th><th>keys</th><th>from</th><th>until</th><th>comment</th><th>by</th>${options.writeEnabled ? html`<th></th>` : ''}</tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="muted">No silence.</p>`
}
${form}
</section>`;
}

function entriesSection(view: DashboardView): SafeHtml {
  const around = view.around;
  const at = view.query.at === null ? '' : new Date(view.query.at).toISOString().slice(0, 19);
  const form = html`<form method="get" action="#entries"><input type="hidden" name="hours" value="${view.query.hours}">
<label>instant (UTC) <input type="datetime-local" step="1" name="at" value="${at}" required></label>
<label>± minutes <input type="number" name="minutes" min="1" max="60" value="${view.query.aroundMinutes}"></label> <button type="submit">list entries</button></form>`;
  if (around === null)
    return html`<section id="entries"><h2>Entries around an instant</h2>${form}<p class="muted">Choose an instant (or click the chart, a minute of the table, a last-seen time).</p></section>`;
  return html`<section id="entries"><h2>Entries from ${formatTime(around.at.getTime() - around.minutes * 60_000)} to ${formatTime(around.at.getTime() + around.minutes * 60_000)}</h2>${form}
${around.limited ? html`<p class="notice">Only the first ${around.limit} entries are listed: choose fewer minutes.</p>` : ''}
${
  around.entries.length > 0
    ? html`<table><thead><tr><th>logged at</th><th>level</th><th>service@host</th><th>file</th><th>byte offset</th><th>message</th></tr></thead><tbody>
${around.entries.map(
  (
    e,
  ) => html`<tr class="entry"><td>${formatTime(e.logged_at)}</td><td>${e.level}${e.level_text ? html` <span class="muted">(${logText(e.level_text)})</span>` : ''}</td>
<td>${labelText(sourceLabel(e.service, e.host))}</td><td class="file">${labelText(e.path)}</td><td class="num">${e.byte_offset}</td><td><pre class="message">${logText(e.message)}</pre></td></tr>`,
)}</tbody></table>`
    : html`<p class="muted">No entry stored in this interval.</p>`
}
</section>`;
}

/**
 * The whole page, server-rendered: every section readable without
 * JavaScript (the chart is also a table). Pure.
 *
 * @example
 *   const page = renderDashboardPage(view, { writeEnabled: false, csrfToken: null });
 */
export function renderDashboardPage(view: DashboardView, options: PageOptions): string {
  const notice = options.notice ? html`<p class="${options.notice.kind}" role="status">${logText(options.notice.text)}</p>` : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>logmon dashboard</title>
<link rel="stylesheet" href="/assets/uplot.css"><link rel="stylesheet" href="/assets/dashboard.css">
</head><body>
<header><h1>logmon</h1><span class="muted">at ${formatTime(view.status.generatedAt)}${options.writeEnabled ? '' : ' · read-only'}</span>
<nav><a href="#health">health</a><a href="#errors">errors</a><a href="#alerts">alerts</a><a href="#history">history</a><a href="#templates">templates</a><a href="#sources">sources</a><a href="#silences">silences</a><a href="#entries">entries</a></nav></header>
${notice}
${healthSection(view.status)}
${chartSection(view, view.chart)}
${alertsSection(view)}
${templatesSection(view)}
${sourcesSection(view)}
${silencesSection(view, options)}
${entriesSection(view)}
<script src="/assets/uplot.js"></script><script src="/assets/dashboard.js"></script>
</body></html>
`.text;
}

/** A page for a request that cannot be served (a bad form, a failed read): the message, escaped, and a way back. */
export function renderMessagePage(title: string, message: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>logmon: ${title}</title><link rel="stylesheet" href="/assets/dashboard.css"></head>
<body><h1>${title}</h1><p class="error">${logText(message)}</p><p><a href="/">back to the dashboard</a></p></body></html>
`.text;
}
