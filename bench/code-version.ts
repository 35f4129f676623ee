import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Which code a bench run measured (issue 16: "the bench prints a warning and
// the README says so if a figure is older than the code it describes"): a
// digest of the content of every tracked file the figures depend on, and
// the commit it was taken at. `npm run bench -- --check` and the start of
// every run compare bench/results.json's digest with the code as it is.

/** What the figures depend on: the code, its SQL, its build and its locked dependencies (not the docs). */
export const MEASURED_PATHS = ['lib', 'handlers', 'sql', 'bench', 'scripts', 'serverless.yml', 'package.json', 'package-lock.json', 'tsconfig.json'] as const;

/** Files under MEASURED_PATHS that are not code: the results themselves and prose. */
const NOT_MEASURED = (file: string): boolean => file === 'bench/results.json' || file.endsWith('.md') || file.startsWith('bench/out/');

export interface CodeVersion {
  /** sha256 over each measured file's path and content, in path order. */
  digest: string;
  /** HEAD when measured (null outside a git checkout). */
  commit: string | null;
  /** The measured files differed from HEAD (uncommitted changes were measured). */
  dirty: boolean;
  files: number;
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/** The tracked measured files (and new ones not yet added), sorted. */
function measuredFiles(root: string): string[] {
  const listed = git(root, ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...MEASURED_PATHS]);
  const files = listed === null ? [] : listed.split('\n').filter((f) => f !== '');
  return [...new Set(files)].filter((f) => !NOT_MEASURED(f) && fs.existsSync(path.join(root, f))).sort();
}

/**
 * The version of the code in `root` as the bench measures it.
 *
 * @example
 *   const { digest, commit } = codeVersion('/repo');
 */
export function codeVersion(root: string): CodeVersion {
  const hash = crypto.createHash('sha256');
  const files = measuredFiles(root);
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  const commit = git(root, ['rev-parse', 'HEAD'])?.trim() || null;
  const status = git(root, ['status', '--porcelain', '--', ...MEASURED_PATHS]) ?? '';
  const dirty = status
    .split('\n')
    .map((l) => l.slice(3))
    .some((f) => f !== '' && !NOT_MEASURED(f));
  return { digest: hash.digest('hex'), commit, dirty, files: files.length };
}

export interface Staleness {
  stale: boolean;
  /** One line for the terminal. */
  message: string;
  /** The measured files changed since the measured commit (when it is known to git). */
  changed: string[];
}

/**
 * Whether the figures of `resultsFile` (written by a bench run) describe
 * the code in `root` as it is.
 */
export function resultsStaleness(root: string, resultsFile: string, now: CodeVersion = codeVersion(root)): Staleness {
  const label = path.relative(root, resultsFile) || resultsFile;
  if (!fs.existsSync(resultsFile)) return { stale: true, message: `${label} does not exist: no figures yet (run \`npm run bench\`)`, changed: [] };
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { code?: CodeVersion; startedAt?: string };
  const measured = results.code;
  if (measured === undefined) {
    return {
      stale: true,
      message: `WARNING: ${label} (measured ${results.startedAt ?? 'at an unknown time'}) does not say which code it measured: its figures may be older than the code; run \`npm run bench\``,
      changed: [],
    };
  }
  const at = `commit ${measured.commit?.slice(0, 7) ?? 'unknown'}${measured.dirty ? ' with uncommitted changes' : ''}, ${results.startedAt ?? ''}`.trim();
  if (measured.digest === now.digest) return { stale: false, message: `${label} measured the code as it is (${at})`, changed: [] };
  const diff = measured.commit === null ? null : git(root, ['diff', '--name-only', measured.commit, '--', ...MEASURED_PATHS]);
  const changed = (diff ?? '').split('\n').filter((f) => f !== '' && !NOT_MEASURED(f));
  const shown = changed.length > 0 ? `; changed since: ${changed.slice(0, 8).join(', ')}${changed.length > 8 ? ` and ${changed.length - 8} more` : ''}` : '';
  return {
    stale: true,
    message: `WARNING: ${label} measured other code (${at})${shown}: its figures, and the README's, are older than the code; run \`npm run bench\``,
    changed,
  };
}
