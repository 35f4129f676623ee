import { unreadAnomaly } from './anomaly';
import type { Anomaly } from './anomaly';
import type { SourceRow } from './checkpoint';
import { sameBirth } from './file-discovery';
import type { FileStat } from './file-discovery';
import type { SourceConfig } from './sources';

/**
 * The pure half of discovery: given the files found now and the known
 * checkpoints, decide what becomes of each (files are matched by dev+inode
 * and first bytes, not by name). The facts that need the file system (the
 * first bytes of a file, where a checkpoint's inode is now) are gathered
 * first and passed in; reconcile-sources.ts gathers them and runs the SQL.
 */

/** A file found through a configured source's paths, with the source it belongs to (the first one matching it). */
export interface DiscoveredFile extends FileStat {
  source: SourceConfig;
}

/**
 * What a file's first bytes say about a checkpoint: the `same` bytes it
 * fingerprinted, `different` ones, or `unknown` (nothing fingerprinted yet,
 * or the file could not be read: the batch checks again before reading).
 */
export type HeadCheck = 'same' | 'different' | 'unknown';

/** A head check to make: does the file at `path` start with the bytes `row` fingerprinted? */
export interface HeadCheckRequest {
  row: SourceRow;
  path: string;
}

export function headCheckKey(rowId: number, filePath: string): string {
  return `${rowId}\n${filePath}`;
}

/**
 * - `adopt`: the checkpoint's file, where it was: read on (taking the new
 *   device number after a remount, the birth time when none was recorded);
 * - `relocate`: the checkpoint's file at another configured path, or back
 *   after going missing: moved there (active), then as `adopt`;
 * - `create`: a new file: a new checkpoint at 0;
 * - `retire-mismatched`: the checkpoint's dev+inode now belongs to another
 *   file (inode reuse): retired, never applied to it;
 * - `retire-unconfigured`: no configured source names the file any more;
 * - `rotated`: found by identity in its directory under another name (or
 *   still there, already rotated): read to its end first;
 * - `missing`: not found: an active checkpoint is kept (`missing`), a
 *   rotated one is `retired`.
 * `row` is the checkpoint as it will be after the action.
 */
export type ReconcileAction =
  | { kind: 'adopt' | 'relocate'; row: SourceRow; file: DiscoveredFile; device: string | null; birthTimeNs: string | null }
  | { kind: 'create'; file: DiscoveredFile }
  | { kind: 'retire-mismatched'; row: SourceRow; otherPath: string; anomaly: Anomaly | null }
  | { kind: 'retire-unconfigured'; row: SourceRow; why: string }
  | { kind: 'rotated'; row: SourceRow; file: FileStat; moved: boolean }
  | { kind: 'missing'; row: SourceRow; status: 'missing' | 'retired'; anomaly: Anomaly | null };

export type ReconcileActionKind = ReconcileAction['kind'];

/** Each file goes to the first source whose paths match it (by dev+inode, so a file under two names too). */
export function claimFiles(found: readonly { source: SourceConfig; files: readonly FileStat[] }[]): DiscoveredFile[] {
  const claimed = new Set<string>();
  const files: DiscoveredFile[] = [];
  for (const { source, files: matched } of found) {
    for (const file of matched) {
      const key = `${file.dev}:${file.ino}`;
      if (claimed.has(key)) continue;
      claimed.add(key);
      files.push({ ...file, source });
    }
  }
  return files;
}

function identityKey(f: { dev: string; ino: string }): string {
  return `${f.dev}:${f.ino}`;
}

/** The live checkpoint of each dev+inode (a live one wins over a missing one whose inode was reused). */
function liveByIdentity(known: readonly SourceRow[]): Map<string, SourceRow> {
  const byIdentity = new Map<string, SourceRow>();
  for (const row of known) {
    const key = identityKey(row);
    const seen = byIdentity.get(key);
    if (!seen || seen.status === 'missing') byIdentity.set(key, row);
  }
  return byIdentity;
}

function headOf(heads: ReadonlyMap<string, HeadCheck>, row: SourceRow, filePath: string): HeadCheck {
  // Not gathered (a file seen twice under one path during discovery): as if unreadable.
  return heads.get(headCheckKey(row.id, filePath)) ?? 'unknown';
}

/**
 * Does `file` hold the file `row` was checkpointed on? A different birth time
 * says no at once; a file that moved or came back must also still start with
 * the bytes the checkpoint was taken of (unless that cannot be told).
 */
function isSameFile(file: FileStat, row: SourceRow, heads: ReadonlyMap<string, HeadCheck>): boolean {
  if (!sameBirth(file.birthTimeNs, row.birthTimeNs)) return false;
  if (row.path === file.path && row.status === 'active') return true;
  return headOf(heads, row, file.path) !== 'different';
}

/** Could `row` be `file` seen under another device number (same inode and path, not missing, same birth)? */
function mayBeRemounted(file: FileStat, row: SourceRow): boolean {
  return row.ino === file.ino && row.dev !== file.dev && row.path === file.path && row.status !== 'missing' && sameBirth(file.birthTimeNs, row.birthTimeNs);
}

/**
 * The checkpoint of `file` when only its device number changed: an NFS/EFS
 * file system mounted again (another Lambda environment) may get another
 * st_dev. Same inode, same path and, positively checked, the same first
 * bytes; or a checkpoint that has read nothing yet and so has no first bytes
 * to compare (a file empty when first seen, as every file is just after a
 * rotation): taking it over cannot skip a byte, and a second checkpoint
 * would store every entry twice (issue 15).
 */
function findRemounted(file: FileStat, rows: readonly SourceRow[], heads: ReadonlyMap<string, HeadCheck>): SourceRow | undefined {
  return rows.find((row) => mayBeRemounted(file, row) && (headOf(heads, row, file.path) === 'same' || hasReadNothing(row)));
}

function hasReadNothing(row: SourceRow): boolean {
  return row.readOffset === 0 && row.fingerprintLen === 0;
}

function mismatchAnomaly(row: SourceRow, filePath: string): Anomaly | null {
  // A missing file's unread bytes were recorded when it went missing.
  if (row.status === 'missing') return null;
  return unreadAnomaly(
    'identity_mismatch',
    row.sizeSeen,
    row.readOffset,
    (unread) =>
      `${filePath} has the device and inode of the checkpoint of ${row.path} but is another file (birth time or first bytes differ): ` +
      `the old file was deleted and its inode reused. The checkpoint is retired, not applied; ${unread} bytes of the old file were seen but never read`,
  );
}

/** The head checks `planDiscovered` may look at (a superset: all remount candidates of a file are checked). */
export function headChecksForDiscovered(files: readonly DiscoveredFile[], known: readonly SourceRow[]): HeadCheckRequest[] {
  const byIdentity = liveByIdentity(known);
  const requests: HeadCheckRequest[] = [];
  for (const file of files) {
    const row = byIdentity.get(identityKey(file));
    if (row) {
      if (sameBirth(file.birthTimeNs, row.birthTimeNs) && !(row.path === file.path && row.status === 'active')) requests.push({ row, path: file.path });
    } else {
      for (const candidate of known) if (mayBeRemounted(file, candidate)) requests.push({ row: candidate, path: file.path });
    }
  }
  return requests;
}

/**
 * Match each discovered file with its checkpoint (by dev+inode, or by inode,
 * path and first bytes after a remount), in discovery order. Returns the
 * actions and the checkpoints they settled (matched or retired).
 */
export function planDiscovered(
  files: readonly DiscoveredFile[],
  known: readonly SourceRow[],
  heads: ReadonlyMap<string, HeadCheck>,
): { actions: ReconcileAction[]; settled: ReadonlySet<number> } {
  // Working copies, changed as the actions will change the rows: a later file sees the earlier ones' moves.
  const rows = known.map((r) => ({ ...r }));
  const byIdentity = liveByIdentity(rows);
  const settled = new Set<number>();
  const actions: ReconcileAction[] = [];
  for (const file of files) {
    let row = byIdentity.get(identityKey(file)) ?? findRemounted(file, rows, heads);
    let device: string | null = null;
    if (row && row.dev !== file.dev) {
      device = file.dev;
      row.dev = file.dev;
    }
    if (row && !isSameFile(file, row, heads)) {
      settled.add(row.id);
      actions.push({ kind: 'retire-mismatched', row: { ...row }, otherPath: file.path, anomaly: mismatchAnomaly(row, file.path) });
      row = undefined;
    }
    if (!row) {
      actions.push({ kind: 'create', file });
      continue;
    }
    const birthTimeNs = row.birthTimeNs === '0' && file.birthTimeNs !== '0' ? file.birthTimeNs : null;
    const moved = row.path !== file.path || row.status !== 'active';
    row.path = file.path;
    row.status = 'active';
    row.sourceName = file.source.name;
    settled.add(row.id);
    actions.push({ kind: moved ? 'relocate' : 'adopt', row: { ...row }, file, device, birthTimeNs });
  }
  return { actions, settled };
}

/** The checkpoints no discovered file settled that must be looked for by identity in their directory. */
export function rowsToLocate(known: readonly SourceRow[], settled: ReadonlySet<number>, configuredNames: ReadonlySet<string>): SourceRow[] {
  return known.filter((row) => !settled.has(row.id) && configuredNames.has(row.sourceName) && row.status !== 'missing');
}

/** The head checks `planKnownRows` may look at. */
export function headChecksForLocated(rows: readonly SourceRow[], located: ReadonlyMap<number, FileStat | null>): HeadCheckRequest[] {
  const requests: HeadCheckRequest[] = [];
  for (const row of rows) {
    const found = located.get(row.id);
    if (!found || (found.path === row.path && row.status === 'active')) continue;
    if (sameBirth(found.birthTimeNs, row.birthTimeNs)) requests.push({ row, path: found.path });
  }
  return requests;
}

/**
 * Decide on each checkpoint no discovered file settled: retired when its
 * source is gone or its file no longer matches a configured path; rotated
 * when found under another name; missing (or retired, when rotated) when
 * not found. `located` holds where `rowsToLocate` rows are now (null: not there).
 */
export function planKnownRows(
  known: readonly SourceRow[],
  settled: ReadonlySet<number>,
  configuredNames: ReadonlySet<string>,
  located: ReadonlyMap<number, FileStat | null>,
  heads: ReadonlyMap<string, HeadCheck>,
): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  for (const row of known) {
    if (settled.has(row.id)) continue;
    if (!configuredNames.has(row.sourceName)) {
      actions.push({ kind: 'retire-unconfigured', row, why: `its source "${row.sourceName}" is no longer configured` });
      continue;
    }
    if (row.status === 'missing') continue;
    const found = located.get(row.id);
    if (found === undefined) throw new Error(`reconcile: checkpoint ${row.id} was not looked for`);
    if (found && found.path === row.path && row.status === 'active') {
      // Still where it was, but no configured path matches it any more: removed from the configuration.
      actions.push({ kind: 'retire-unconfigured', row, why: `no path of source "${row.sourceName}" matches it any more` });
      continue;
    }
    if (found && !isSameFile(found, row, heads)) {
      actions.push({ kind: 'retire-mismatched', row, otherPath: found.path, anomaly: mismatchAnomaly(row, found.path) });
      continue;
    }
    if (found) {
      const moved = found.path !== row.path || row.status !== 'rotated';
      actions.push({ kind: 'rotated', row: { ...row, path: found.path, status: 'rotated' }, file: found, moved });
      continue;
    }
    const status = row.status === 'rotated' ? 'retired' : 'missing';
    const anomaly = unreadAnomaly(
      status === 'missing' ? 'file_gone_unread' : 'rotated_gone_unread',
      row.sizeSeen,
      row.readOffset,
      (unread) => `the file disappeared with ${unread} bytes seen but not read`,
    );
    actions.push({ kind: 'missing', row, status, anomaly });
  }
  return actions;
}

export interface ReconcileInput {
  files: readonly DiscoveredFile[];
  known: readonly SourceRow[];
  configuredNames: ReadonlySet<string>;
  /** Results of the head checks, by headCheckKey (one not given counts as `unknown`). */
  heads: ReadonlyMap<string, HeadCheck>;
  /** Where each checkpoint of `rowsToLocate` is now, by id (null: not in its directory). */
  located: ReadonlyMap<number, FileStat | null>;
}

/**
 * Every action of one discovery, in the order they run: the discovered
 * files first, then the checkpoints they did not settle.
 *
 * @example
 *   planReconcile({ files: [newFile], known: [], configuredNames: new Set(['default']), heads: new Map(), located: new Map() });
 *   // → [{ kind: 'create', file: newFile }]
 */
export function planReconcile(input: ReconcileInput): ReconcileAction[] {
  const first = planDiscovered(input.files, input.known, input.heads);
  return [...first.actions, ...planKnownRows(input.known, first.settled, input.configuredNames, input.located, input.heads)];
}
