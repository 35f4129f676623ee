import fs from 'node:fs';
import { DASHBOARD_CSS, DASHBOARD_SCRIPT } from './client';

// The files the page loads from the function itself (no CDN): uPlot, read
// from node_modules (the dashboard function's package carries these two files
// of node_modules/uplot, serverless.yml `package.patterns`), and the
// dashboard's own small script and style sheet (./client.ts).

export interface Asset {
  contentType: string;
  body: string;
}

/** Served under /assets/<name>. */
export type Assets = ReadonlyMap<string, Asset>;

/** Where a file of a package is: a function for tests, require.resolve otherwise. */
export type ResolveFile = (specifier: string) => string;

export const UPLOT_FILES = { script: 'uplot/dist/uPlot.iife.min.js', style: 'uplot/dist/uPlot.min.css' } as const;

/**
 * Read the assets once (the handler's module scope): a missing uPlot fails
 * the cold start, not a page.
 *
 * @example
 *   const assets = loadAssets();
 */
export function loadAssets(resolveFile: ResolveFile = require.resolve): Assets {
  const read = (specifier: string): string => fs.readFileSync(resolveFile(specifier), 'utf8');
  return new Map<string, Asset>([
    ['uplot.js', { contentType: 'text/javascript; charset=utf-8', body: read(UPLOT_FILES.script) }],
    ['uplot.css', { contentType: 'text/css; charset=utf-8', body: read(UPLOT_FILES.style) }],
    ['dashboard.js', { contentType: 'text/javascript; charset=utf-8', body: DASHBOARD_SCRIPT }],
    ['dashboard.css', { contentType: 'text/css; charset=utf-8', body: DASHBOARD_CSS }],
  ]);
}
