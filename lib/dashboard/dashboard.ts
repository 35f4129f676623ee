import type pg from 'pg';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ConfigError, describeError } from '../platform/errors';
import type { StatFile } from '../status/status';
import type { Assets } from './assets';
import type { DashboardConfig } from './config';
import { MAX_HOURS } from './config';
import { csrfCookie, csrfTokenOf, newCsrfToken, refuseWrite } from './csrf';
import { readDashboard } from './dashboard-data';
import type { DashboardQuery } from './dashboard-data';
import { assetResponse, htmlResponse, redirectResponse, textResponse } from './http';
import type { DashboardRequest, DashboardResponse } from './http';
import { renderDashboardPage, renderMessagePage } from './page';
import { addSilenceFromForm, expireSilenceFromForm } from './silence-form';

export interface DashboardDeps {
  pool: pg.Pool;
  config: DashboardConfig;
  assets: Assets;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => number;
  statFile?: StatFile;
}

const DEFAULT_AROUND_MINUTES = 5;
/** A datetime-local value has no zone: the form says UTC. */
const NO_ZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/;

function intParam(raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/** The page's choices from the query string; a value out of range is its default (a URL is not a configuration). */
export function queryOf(request: DashboardRequest, config: DashboardConfig): DashboardQuery {
  const q = request.query;
  const atText = q.at?.trim() ?? '';
  const at = atText === '' ? Number.NaN : Date.parse(NO_ZONE.test(atText) ? `${atText}Z` : atText);
  return {
    hours: intParam(q.hours, config.hours, 1, MAX_HOURS),
    at: Number.isFinite(at) ? at : null,
    aroundMinutes: intParam(q.minutes, DEFAULT_AROUND_MINUTES, 1, 60),
    rule: q.rule?.trim() ? q.rule : null,
    key: q.key !== undefined && q.rule?.trim() ? q.key : null,
  };
}

/** The line shown after a form was handled (known outcomes only, never text from the URL). */
function noticeOf(request: DashboardRequest): { kind: 'notice' | 'error'; text: string } | null {
  const id = /^\d{1,18}$/.test(request.query.id ?? '') ? request.query.id : null;
  if (id === null) return null;
  if (request.query.done === 'added') return { kind: 'notice', text: `Silence ${id} added.` };
  if (request.query.done === 'expired') return { kind: 'notice', text: `Silence ${id} expired.` };
  if (request.query.done === 'none') return { kind: 'error', text: `No running silence ${id}: it had ended already.` };
  return null;
}

async function showPage(request: DashboardRequest, deps: DashboardDeps, now: number): Promise<DashboardResponse> {
  const view = await readDashboard({ pool: deps.pool, rules: deps.config.rules, now: () => now, statFile: deps.statFile }, queryOf(request, deps.config));
  if (!deps.config.writeEnabled) return htmlResponse(200, renderDashboardPage(view, { writeEnabled: false, csrfToken: null, notice: noticeOf(request) }));
  const existing = csrfTokenOf(request.cookies);
  const token = existing ?? newCsrfToken();
  const page = renderDashboardPage(view, { writeEnabled: true, csrfToken: token, notice: noticeOf(request) });
  return htmlResponse(200, page, existing === null ? [csrfCookie(token, request.secure)] : []);
}

async function handleWrite(request: DashboardRequest, deps: DashboardDeps, now: number): Promise<DashboardResponse> {
  if (!deps.config.writeEnabled) return htmlResponse(403, renderMessagePage('Read-only', 'This dashboard is read-only: DASHBOARD_WRITE is off.'));
  const refused = refuseWrite(request);
  if (refused !== null) {
    deps.logger.warn('dashboard write refused', { path: request.path, reason: refused, principal: request.principal });
    return htmlResponse(403, renderMessagePage('Refused', refused));
  }
  try {
    if (request.path === '/silences') {
      const id = await addSilenceFromForm(deps.pool, request.form, request.principal ?? 'dashboard', now);
      deps.logger.info('silence added from the dashboard', { id, rule: request.form.rule, principal: request.principal });
      return redirectResponse(`/?done=added&id=${id}#silences`);
    }
    const id = (request.form.id ?? '').trim();
    const expired = await expireSilenceFromForm(deps.pool, request.form, now);
    deps.logger.info('silence expired from the dashboard', { id, expired, principal: request.principal });
    return redirectResponse(`/?done=${expired ? 'expired' : 'none'}&id=${id}#silences`);
  } catch (err) {
    if (err instanceof ConfigError) return htmlResponse(400, renderMessagePage('Not done', err.message));
    throw err;
  }
}

/**
 * Answer one HTTP request to the dashboard: the page (GET /), its assets
 * (GET /assets/…), and, when DASHBOARD_WRITE is on, the silence forms
 * (POST /silences, POST /silences/expire). A failure is logged and answered
 * with a 500 page saying what failed.
 *
 * @example
 *   const response = await handleDashboardRequest(requestOf(event), { pool, config, assets, logger });
 */
export async function handleDashboardRequest(request: DashboardRequest, deps: DashboardDeps): Promise<DashboardResponse> {
  const now = (deps.now ?? Date.now)();
  try {
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (request.path === '/' || request.path === '') return await showPage(request, deps, now);
      if (request.path.startsWith('/assets/')) {
        const asset = deps.assets.get(request.path.slice('/assets/'.length));
        if (asset) return assetResponse(asset.contentType, asset.body);
      }
      return textResponse(404, 'not found');
    }
    if (request.method === 'POST' && (request.path === '/silences' || request.path === '/silences/expire')) return await handleWrite(request, deps, now);
    return textResponse(405, 'method not allowed');
  } catch (err) {
    deps.logger.error('dashboard request failed', { path: request.path, error: describeError(err) });
    return htmlResponse(500, renderMessagePage('Cannot show the dashboard', describeError(err)));
  }
}
