import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';
import YAML from 'yaml';
import { localEnvironment } from '../scripts/local-defaults';
import type { DeployBuild } from './esbuild-options';
import { median } from './stats';

/** Size and cold start of one deployed handler. */
export interface HandlerBundle {
  handler: string;
  /** Minified bundle, without its linked source map. */
  bytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
  /** Median ms from `require(bundle)` to the exported handler, in a fresh node process; null when it failed. */
  coldInitMs: number | null;
  /** Median ms from process start (node bootstrap included) to the handler being ready. */
  processStartToReadyMs: number | null;
  coldInitRuns: number;
  /** Why the cold init could not be measured (e.g. the handler's module scope threw). */
  coldInitError: string | null;
}

// Runs in a fresh node: time the module load of the bundle up to a callable handler.
const PROBE = `
const t0 = performance.now();
const mod = require(process.env.BENCH_BUNDLE);
if (typeof mod.handler !== 'function') throw new Error('no exported handler');
const t1 = performance.now();
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, sinceStartMs: t1 }));
`;

/** The handlers present on this branch (handlers/*.ts). */
export function listHandlers(root: string): string[] {
  return fs
    .readdirSync(path.join(root, 'handlers'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function coldInitOnce(bundle: string, nodeOptions: string): { loadMs: number; sinceStartMs: number } {
  // The local stage's environment (region, topic, fake credentials): what a handler's module scope may read.
  // No NODE_PATH: the bundle carries everything it loads (the AWS SDK included, as deployed), as in Lambda,
  // where only the runtime's own modules are outside it; it is loaded from a folder with no node_modules.
  const env = {
    PATH: process.env.PATH ?? '',
    ...localEnvironment({}),
    NODE_OPTIONS: nodeOptions,
    NODE_PATH: '',
    BENCH_BUNDLE: bundle,
  };
  const run = spawnSync(process.execPath, ['-e', PROBE], { env, encoding: 'utf8' });
  if (run.status !== 0) {
    const reason = /^\w*Error\b.*$/m.exec(run.stderr)?.[0] ?? run.stderr.trim().split('\n').pop() ?? `exit ${run.status}`;
    throw new Error(reason.slice(0, 200));
  }
  return JSON.parse(run.stdout) as { loadMs: number; sinceStartMs: number };
}

/** The plain files (no globs) serverless.yml's `package.patterns` add to the function whose handler is `handlers/<handler>`. */
function packagedFiles(root: string, handler: string): string[] {
  const text = fs.readFileSync(path.join(root, 'serverless.yml'), 'utf8');
  const doc = YAML.parse(text, { logLevel: 'silent', merge: true }) as unknown;
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) visit(n);
    else if (node !== null && typeof node === 'object') {
      const fn = node as { handler?: unknown; package?: { patterns?: unknown } };
      if (fn.handler === `handlers/${handler}.handler` && Array.isArray(fn.package?.patterns)) {
        for (const p of fn.package.patterns) if (typeof p === 'string' && !/[*!?{]/.test(p) && fs.existsSync(path.join(root, p))) found.add(p);
      }
      for (const v of Object.values(node)) visit(v);
    }
  };
  visit(doc);
  return [...found];
}

/**
 * Build `handler` with the deployed esbuild options into `outDir`, then load
 * it `runs` times in fresh node processes with the deployed NODE_OPTIONS.
 */
export async function measureHandlerBundle(root: string, outDir: string, deploy: DeployBuild, handler: string, runs: number): Promise<HandlerBundle> {
  const outfile = path.join(outDir, 'handlers', `${handler}.js`);
  await build({ ...deploy.esbuild, entryPoints: [path.join(root, 'handlers', `${handler}.ts`)], outfile, logLevel: 'error' });
  const code = fs.readFileSync(outfile);
  const mapFile = `${outfile}.map`;
  const loads: number[] = [];
  const starts: number[] = [];
  let coldInitError: string | null = null;
  // Loaded from a folder outside the repository, as Lambda loads /var/task: a module the bundle left out
  // cannot be found in the repository's node_modules.
  const taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-bench-task-'));
  const taskFile = path.join(taskRoot, 'handlers', `${handler}.js`);
  fs.mkdirSync(path.dirname(taskFile));
  fs.copyFileSync(outfile, taskFile);
  // The files serverless.yml packages with a function besides its bundle (the dashboard's uPlot)
  for (const file of packagedFiles(root, handler)) {
    fs.mkdirSync(path.dirname(path.join(taskRoot, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(taskRoot, file));
  }
  try {
    for (let i = 0; i < runs; i += 1) {
      const t = coldInitOnce(taskFile, deploy.nodeOptions);
      loads.push(t.loadMs);
      starts.push(t.sinceStartMs);
    }
  } catch (err) {
    coldInitError = err instanceof Error ? err.message : String(err);
  } finally {
    fs.rmSync(taskRoot, { recursive: true, force: true });
  }
  return {
    handler,
    bytes: code.length,
    gzipBytes: zlib.gzipSync(code, { level: 9 }).length,
    sourceMapBytes: fs.existsSync(mapFile) ? fs.statSync(mapFile).size : 0,
    coldInitMs: coldInitError ? null : median(loads),
    processStartToReadyMs: coldInitError ? null : median(starts),
    coldInitRuns: runs,
    coldInitError,
  };
}
