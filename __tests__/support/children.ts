import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE_DIR = path.join(ROOT, 'node_modules', '.cache', 'logmon-faults');
const bundled = new Map<string, string>();

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningChild {
  child: ChildProcess;
  /** Resolves when stdout has printed a line equal to `line`, rejects when the child ends first. */
  waitForLine: (line: string) => Promise<void>;
  /** Resolves when the child has exited, with everything it printed. */
  exited: Promise<ChildResult>;
}

/** What every child gets: a path, a home, quiet logs; nothing else leaks in from the test process. */
function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NODE_NO_WARNINGS: '1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

/** Environment for an ingest child: quiet logs, no AWS, everything else explicit. */
export function ingestEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    MULTILINE_FLUSH_MS: '0',
    LOG_TIMEZONE: 'UTC',
    ...vars,
  };
}

/** Environment for an alert child (alert-child.ts): quiet logs, fake AWS credentials, everything else explicit. */
export function alertEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    ...vars,
  };
}

/**
 * A child entry point (ingest-child.ts, alert-child.ts) bundled by esbuild the
 * way serverless-esbuild bundles the Lambda (CommonJS, import.meta.url
 * shimmed): it starts in about 0.1 s where tsx needs 0.2-0.3 s, which adds up
 * over dozens of kill trials.
 */
function childBundle(name: 'ingest-child' | 'alert-child'): string {
  const done = bundled.get(name);
  if (done && fs.existsSync(done)) return done;
  fs.mkdirSync(BUNDLE_DIR, { recursive: true });
  const out = path.join(BUNDLE_DIR, `${name}.cjs`);
  const tmp = `${out}.${process.pid}.tmp`;
  buildSync({
    entryPoints: [path.join(__dirname, `${name}.ts`)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: tmp,
    logLevel: 'warning',
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__importMetaUrl' },
  });
  fs.renameSync(tmp, out);
  bundled.set(name, out);
  return out;
}

/** Start `command` in the repository root, collecting its output. */
export function spawnProcess(command: string, args: string[], env: NodeJS.ProcessEnv): RunningChild {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const lineWaiters: { line: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of [...lineWaiters]) {
      if (stdout.split('\n').includes(w.line)) {
        lineWaiters.splice(lineWaiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<ChildResult>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of lineWaiters.splice(0)) w.reject(new Error(`child exited (${code ?? signal}) before printing "${w.line}": ${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitForLine = (line: string): Promise<void> =>
    stdout.split('\n').includes(line)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`child already exited: ${stderr}`));
          else lineWaiters.push({ line, resolve, reject });
        });
  return { child, waitForLine, exited };
}

/** One ingest run in a child process (see ingest-child.ts); migrations are found from the repository root. */
export function spawnIngest(env: NodeJS.ProcessEnv): RunningChild {
  return spawnProcess(process.execPath, [childBundle('ingest-child')], env);
}

/** One alert run in a child process (see alert-child.ts). */
export function spawnAlert(env: NodeJS.ProcessEnv): RunningChild {
  return spawnProcess(process.execPath, [childBundle('alert-child')], env);
}

/** Run an alert child to its end; throws unless it exits 0. Returns its summary. */
export async function runAlertChild<T = unknown>(env: NodeJS.ProcessEnv): Promise<T> {
  const result = await spawnAlert(env).exited;
  if (result.code !== 0) throw new Error(`alert child failed (${result.code ?? result.signal}): ${result.stderr}`);
  const summaryLine = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(summaryLine) as T;
}

/** `npm run invoke -- ingest`, exactly as an operator types it (about 1 s of start-up). */
export function spawnInvokeIngest(env: NodeJS.ProcessEnv): RunningChild {
  return spawnProcess('npm', ['run', '--silent', 'invoke', '--', 'ingest'], env);
}

/** `npm run invoke -- alert`, exactly as an operator types it. */
export function spawnInvokeAlert(env: NodeJS.ProcessEnv): RunningChild {
  return spawnProcess('npm', ['run', '--silent', 'invoke', '--', 'alert'], env);
}

/** Run an ingest child to its end; throws unless it exits 0. Returns its summary. */
export async function runIngestChild<T = unknown>(env: NodeJS.ProcessEnv): Promise<T> {
  const result = await spawnIngest(env).exited;
  if (result.code !== 0) throw new Error(`ingest child failed (${result.code ?? result.signal}): ${result.stderr}`);
  const summaryLine = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(summaryLine) as T;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
