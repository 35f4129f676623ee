import fs from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { isCompressedPath } from './compressed';
import { decodeFsName, toFsPath } from '../platform/fs-name';
import { settleAtMost } from '../platform/concurrency';

/** A file as seen by stat: its identity (dev+inode+birth time) and how far it has grown. */
export interface FileStat {
  path: string;
  dev: string;
  ino: string;
  /** Birth time in ns, '0' when the file system does not report it. */
  birthTimeNs: string;
  size: number;
  mtimeMs: number;
}

export interface PatternProblem {
  pattern: string;
  reason: string;
}

export interface Discovery {
  files: FileStat[];
  /** Literal paths that do not exist or cannot be stat'ed. */
  problems: PatternProblem[];
}

export async function statFile(filePath: string): Promise<FileStat> {
  const st = await fs.stat(toFsPath(filePath), { bigint: true });
  if (!st.isFile()) throw Object.assign(new Error(`${filePath} is not a regular file`), { code: 'ENOTFILE' });
  return {
    path: filePath,
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    birthTimeNs: st.birthtimeNs.toString(),
    size: Number(st.size),
    mtimeMs: Number(st.mtimeMs),
  };
}

/** Stats discovery keeps in flight at once (libuv's thread pool has 4 threads by default). */
const STATS_IN_FLIGHT = 16;

/**
 * Expand LOG_FILES (paths and globs, relative to `cwd`) into the files present now.
 * A file matched twice is listed once; a missing literal path is a problem, not an error.
 */
export async function discoverFiles(patterns: readonly string[], cwd: string = process.cwd()): Promise<Discovery> {
  const files = new Map<string, FileStat>();
  const problems: PatternProblem[] = [];
  for (const pattern of patterns) {
    const absolute = path.resolve(cwd, pattern);
    // a glob never yields a .gz: a compressed file is a rotated one, read only as its continuation (reconcile-sources.ts)
    const paths = isDynamicPattern(pattern)
      ? (await withByteNames(await glob(pattern, { cwd, absolute: true, onlyFiles: true, dot: true, followSymbolicLinks: true }))).filter(
          (p) => !isCompressedPath(p),
        )
      : [absolute];
    // several stats in flight (10,000 files one after the other cost a thread-pool round trip each), kept in the glob's order
    const stats = await settleAtMost(
      STATS_IN_FLIGHT,
      paths.map((p) => () => statFile(p)),
    );
    stats.forEach((result, i) => {
      if (result.status === 'rejected') {
        const err = result.reason as NodeJS.ErrnoException;
        problems.push({ pattern: paths[i]!, reason: err.code ?? String(err) });
        return;
      }
      const st = result.value;
      const key = `${st.dev}:${st.ino}`;
      if (!files.has(key)) files.set(key, st);
    });
  }
  return { files: [...files.values()], problems };
}

/** False only when both birth times are known and differ: the inode was reused by another file. */
export function sameBirth(a: string, b: string): boolean {
  return a === '0' || b === '0' || a === b;
}

/** The subdirectories of `dir` (where logrotate's `olddir` usually is; empty when it cannot be read). */
export async function listSubdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(toFsPath(dir), { withFileTypes: true, encoding: 'buffer' });
    return entries.filter((d) => d.isDirectory()).map((d) => path.join(dir, decodeFsName(d.name)));
  } catch {
    return [];
  }
}

/** Names of `dir`'s entries, each by its bytes (decodeFsName: a name that is not UTF-8 kept). */
async function namesOf(dir: string): Promise<string[]> {
  return (await fs.readdir(toFsPath(dir), { encoding: 'buffer' })).map(decodeFsName);
}

/**
 * A glob's matches with their real names: the glob decodes names as UTF-8
 * and turns an invalid byte into U+FFFD, a name no file has; such a match is
 * replaced by the entries of its folder that read as it (issue 15).
 */
async function withByteNames(paths: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const p of paths) {
    if (!p.includes('\uFFFD')) {
      out.add(p);
      continue;
    }
    const dir = path.dirname(p);
    const wanted = path.basename(p);
    try {
      for (const bytes of await fs.readdir(dir, { encoding: 'buffer' })) {
        if (new TextDecoder().decode(bytes) === wanted) out.add(path.join(dir, decodeFsName(bytes)));
      }
    } catch {
      out.add(p);
    }
  }
  return [...out];
}

/** The regular files of `dir` (empty when it cannot be read). */
async function listFiles(dir: string): Promise<FileStat[]> {
  let names: string[];
  try {
    names = await namesOf(dir);
  } catch {
    return [];
  }
  const files: FileStat[] = [];
  for (const name of names) {
    try {
      files.push(await statFile(path.join(dir, name)));
    } catch {
      // vanished or not a regular file: not a log file
    }
  }
  return files;
}

/**
 * Find the file with this dev+inode in `dir` (a renamed/rotated file), or
 * null; the caller checks the birth time. `listings` caches each directory's
 * listing for the caller (one run), so many checkpoints cost one scan.
 *
 * @example
 *   const listings = new Map();
 *   const rotated = await findByIdentity('/var/log', '2049', '1234', listings);
 */
export async function findByIdentity(dir: string, dev: string, ino: string, listings: Map<string, Promise<FileStat[]>> = new Map()): Promise<FileStat | null> {
  return (await listingOf(dir, listings)).find((f) => f.dev === dev && f.ino === ino) ?? null;
}

/** The regular files of `dir`, listed once per run (`listings`). */
export function listingOf(dir: string, listings: Map<string, Promise<FileStat[]>>): Promise<FileStat[]> {
  let listing = listings.get(dir);
  if (!listing) {
    listing = listFiles(dir);
    listings.set(dir, listing);
  }
  return listing;
}
