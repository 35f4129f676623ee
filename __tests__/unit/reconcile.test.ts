import type { SourceRow } from '../../lib/ingest/checkpoint';
import type { FileStat } from '../../lib/ingest/file-discovery';
import {
  claimFiles,
  headCheckKey,
  headChecksForDiscovered,
  headChecksForLocated,
  planDiscovered,
  planKnownRows,
  planReconcile,
  rowsToLocate,
} from '../../lib/ingest/reconcile';
import type { DiscoveredFile, HeadCheck, ReconcileAction } from '../../lib/ingest/reconcile';
import type { SourceConfig } from '../../lib/ingest/sources';

const APP: SourceConfig = {
  name: 'app',
  paths: ['/var/log/app/*.log'],
  format: { kind: 'auto' },
  timeZone: 'UTC',
  minLevel: 'ERROR',
  multilineStart: null,
  labels: {},
};
const OTHER: SourceConfig = { ...APP, name: 'other', paths: ['/var/log/other/*.log'] };
const CONFIGURED = new Set(['app', 'other']);
const A = '/var/log/app/a.log';
const B = '/var/log/app/b.log';
const A1 = '/var/log/app/a.log.1';

/** A checkpoint at 40 of a file seen at 50 bytes: 10 bytes seen but not read. */
function row(over: Partial<SourceRow> = {}): SourceRow {
  return {
    id: 1,
    path: A,
    dev: '10',
    ino: '100',
    birthTimeNs: '5',
    fingerprint: 'f',
    fingerprintLen: 40,
    readOffset: 40,
    skippingLine: false,
    pendingSince: null,
    generation: 0,
    sizeSeen: 50,
    mtimeSeenMs: null,
    status: 'active',
    sourceName: 'app',
    format: '',
    updatedAt: new Date(0),
    failing: false,
    kind: 'file',
    objectEtag: '',
    contentEncoding: '',
    ...over,
  };
}

function stat(over: Partial<FileStat> = {}): FileStat {
  return { path: A, dev: '10', ino: '100', birthTimeNs: '5', size: 60, mtimeMs: 0, ...over };
}

function file(over: Partial<DiscoveredFile> = {}): DiscoveredFile {
  return { ...stat(), source: APP, ...over };
}

function heads(...checks: [number, string, HeadCheck][]): Map<string, HeadCheck> {
  return new Map(checks.map(([id, p, check]) => [headCheckKey(id, p), check]));
}

/** One line per action, so a table shows the whole plan. */
function brief(action: ReconcileAction): string {
  switch (action.kind) {
    case 'adopt':
    case 'relocate':
      return [
        `${action.kind} #${action.row.id} ${action.row.path}`,
        action.device === null ? '' : ` dev→${action.device}`,
        action.birthTimeNs === null ? '' : ` birth→${action.birthTimeNs}`,
      ].join('');
    case 'create':
      return `create ${action.file.path}`;
    case 'retire-mismatched':
      return `retire-mismatched #${action.row.id}${action.anomaly ? ` (${action.anomaly.kind} ${action.anomaly.bytes})` : ''}`;
    case 'retire-unconfigured':
      return `retire-unconfigured #${action.row.id}: ${action.why}`;
    case 'rotated':
      return `rotated #${action.row.id} ${action.row.path}${action.moved ? '' : ' (in place)'}`;
    case 'missing':
      return `missing #${action.row.id} → ${action.status}${action.anomaly ? ` (${action.anomaly.kind} ${action.anomaly.bytes})` : ''}`;
  }
}

describe('Function: planReconcile', () => {
  it.each<[string, DiscoveredFile[], SourceRow[], Map<string, HeadCheck>, Map<number, FileStat | null>, string[]]>([
    ['a new file gets a new checkpoint', [file()], [], heads(), new Map(), [`create ${A}`]],
    ['the same file at the same path is read on', [file()], [row()], heads(), new Map(), [`adopt #1 ${A}`]],
    [
      'a file renamed to another configured path takes its checkpoint along',
      [file({ path: B })],
      [row()],
      heads([1, B, 'same']),
      new Map(),
      [`relocate #1 ${B}`],
    ],
    [
      'a moved file whose first bytes cannot be read now is still taken as the checkpoint’s (the batch checks again)',
      [file({ path: B })],
      [row()],
      heads([1, B, 'unknown']),
      new Map(),
      [`relocate #1 ${B}`],
    ],
    [
      'a file back after going missing is read on from its checkpoint',
      [file()],
      [row({ status: 'missing' })],
      heads([1, A, 'same']),
      new Map(),
      [`relocate #1 ${A}`],
    ],
    [
      'inode reused by a file born later: the checkpoint is retired with its unread bytes, the file is new',
      [file({ birthTimeNs: '6' })],
      [row()],
      heads(),
      new Map(),
      ['retire-mismatched #1 (identity_mismatch 10)', `create ${A}`],
    ],
    [
      'inode reused where birth times are not reported: the first bytes differ',
      [file({ path: B, birthTimeNs: '0' })],
      [row({ birthTimeNs: '0' })],
      heads([1, B, 'different']),
      new Map(),
      ['retire-mismatched #1 (identity_mismatch 10)', `create ${B}`],
    ],
    [
      'inode reused after the file went missing: retired without a second loss (recorded when it went missing)',
      [file({ birthTimeNs: '6' })],
      [row({ status: 'missing' })],
      heads(),
      new Map(),
      ['retire-mismatched #1', `create ${A}`],
    ],
    [
      'nothing unread in a retired checkpoint: no anomaly',
      [file({ birthTimeNs: '6' })],
      [row({ sizeSeen: 40 })],
      heads(),
      new Map(),
      ['retire-mismatched #1', `create ${A}`],
    ],
    [
      'a remounted file system (another device number, same inode, path and first bytes) keeps the checkpoint',
      [file({ dev: '11' })],
      [row()],
      heads([1, A, 'same']),
      new Map(),
      [`adopt #1 ${A} dev→11`],
    ],
    [
      'a remount is not assumed when the first bytes cannot be compared: a new file, the old checkpoint goes missing',
      [file({ dev: '11' })],
      [row()],
      heads([1, A, 'unknown']),
      new Map([[1, null]]),
      [`create ${A}`, 'missing #1 → missing (file_gone_unread 10)'],
    ],
    [
      'a remount of a file that was empty when first seen (nothing read, no first bytes yet) keeps its one checkpoint',
      [file({ dev: '11' })],
      [row({ readOffset: 0, fingerprint: '', fingerprintLen: 0, sizeSeen: 0 })],
      heads([1, A, 'unknown']),
      new Map(),
      [`adopt #1 ${A} dev→11`],
    ],
    [
      'a checkpoint made before birth times were recorded adopts its file’s',
      [file()],
      [row({ birthTimeNs: '0' })],
      heads(),
      new Map(),
      [`adopt #1 ${A} birth→5`],
    ],
    [
      'a live checkpoint wins over a missing one whose inode was reused',
      [file()],
      [row({ id: 1, path: '/var/log/app/old.log', status: 'missing' }), row({ id: 2 })],
      heads(),
      new Map(),
      [`adopt #2 ${A}`],
    ],
    [
      'a file rotated away (renamed in its directory) is found and read first; its path holds a new file',
      [file({ ino: '200' })],
      [row()],
      heads([1, A1, 'same']),
      new Map([[1, stat({ path: A1 })]]),
      [`create ${A}`, `rotated #1 ${A1}`],
    ],
    [
      'a rotated file still where it was is read on without moving it',
      [],
      [row({ path: A1, status: 'rotated' })],
      heads([1, A1, 'same']),
      new Map([[1, stat({ path: A1 })]]),
      [`rotated #1 ${A1} (in place)`],
    ],
    [
      'a file found under another name in its directory but born later is another file: retired',
      [],
      [row()],
      heads(),
      new Map([[1, stat({ path: A1, birthTimeNs: '6' })]]),
      ['retire-mismatched #1 (identity_mismatch 10)'],
    ],
    [
      'an active file gone: the checkpoint is kept as missing, its unread bytes are lost',
      [],
      [row()],
      heads(),
      new Map([[1, null]]),
      ['missing #1 → missing (file_gone_unread 10)'],
    ],
    [
      'a rotated file gone: its checkpoint is retired',
      [],
      [row({ path: A1, status: 'rotated' })],
      heads(),
      new Map([[1, null]]),
      ['missing #1 → retired (rotated_gone_unread 10)'],
    ],
    ['a file gone with everything read: no anomaly', [], [row({ sizeSeen: 40 })], heads(), new Map([[1, null]]), ['missing #1 → missing']],
    ['a missing checkpoint still not found stays as it is', [], [row({ status: 'missing' })], heads(), new Map(), []],
    [
      'a checkpoint of a source no longer configured is retired',
      [],
      [row({ sourceName: 'removed' })],
      heads(),
      new Map(),
      ['retire-unconfigured #1: its source "removed" is no longer configured'],
    ],
    [
      'a file still at its path that no configured path matches any more is retired',
      [],
      [row()],
      heads(),
      new Map([[1, stat()]]),
      ['retire-unconfigured #1: no path of source "app" matches it any more'],
    ],
  ])('%s', (_name, files, known, checks, located, expected) => {
    // Act
    const actions = planReconcile({ files, known, configuredNames: CONFIGURED, heads: checks, located });

    // Assess
    expect(actions.map(brief)).toEqual(expected);
  });

  it('gives a file matched by another source that source’s name', () => {
    const actions = planReconcile({ files: [file({ source: OTHER })], known: [row()], configuredNames: CONFIGURED, heads: heads(), located: new Map() });

    expect(actions).toEqual([expect.objectContaining({ kind: 'adopt', row: expect.objectContaining({ id: 1, sourceName: 'other' }) })]);
  });

  it('says which file took the inode, and how many bytes of the old one were never read', () => {
    const [retire] = planReconcile({
      files: [file({ path: B, birthTimeNs: '6' })],
      known: [row()],
      configuredNames: CONFIGURED,
      heads: heads(),
      located: new Map(),
    });

    expect(retire).toMatchObject({
      kind: 'retire-mismatched',
      otherPath: B,
      anomaly: {
        kind: 'identity_mismatch',
        occurrences: 1,
        bytes: 10,
        firstOffset: 40,
        detail: expect.stringContaining(`${B} has the device and inode of the checkpoint of ${A}`),
      },
    });
  });

  it('leaves the known checkpoints it is given unchanged', () => {
    const known = [row(), row({ id: 2, ino: '200', path: B, status: 'missing' })];
    const before = structuredClone(known);

    const actions = planReconcile({
      files: [file({ dev: '11' }), file({ path: A1, ino: '200' })],
      known,
      configuredNames: CONFIGURED,
      heads: heads([1, A, 'same'], [2, A1, 'same']),
      located: new Map(),
    });

    expect(actions.map(brief)).toEqual([`adopt #1 ${A} dev→11`, `relocate #2 ${A1}`]);
    expect(known).toEqual(before);
  });

  it('refuses to decide on a checkpoint that was not looked for', () => {
    expect(() => planKnownRows([row()], new Set(), CONFIGURED, new Map(), heads())).toThrow('checkpoint 1 was not looked for');
  });
});

describe('Function: planDiscovered', () => {
  it.each<[string, DiscoveredFile[], SourceRow[], number[]]>([
    ['a matched checkpoint', [file()], [row()], [1]],
    ['a retired checkpoint', [file({ birthTimeNs: '6' })], [row()], [1]],
    ['none for a new file', [file({ ino: '200' })], [row()], []],
  ])('settles %s', (_name, files, known, settled) => {
    expect([...planDiscovered(files, known, heads()).settled]).toEqual(settled);
  });
});

describe('Function: headChecksForDiscovered', () => {
  it.each<[string, DiscoveredFile, SourceRow[], [number, string][]]>([
    ['none for the same file at the same path', file(), [row()], []],
    ['none when the birth time already says another file', file({ path: B, birthTimeNs: '6' }), [row()], []],
    ['the moved file against its checkpoint', file({ path: B }), [row()], [[1, B]]],
    ['a file back from missing against its checkpoint', file(), [row({ status: 'missing' })], [[1, A]]],
    [
      'each remount candidate: same inode and path, another device',
      file({ dev: '11' }),
      [row(), row({ id: 2, dev: '12' }), row({ id: 3, ino: '999' })],
      [
        [1, A],
        [2, A],
      ],
    ],
    ['no remount candidate that is missing', file({ dev: '11' }), [row({ status: 'missing' })], []],
  ])('%s', (_name, discovered, known, expected) => {
    expect(headChecksForDiscovered([discovered], known).map((r) => [r.row.id, r.path])).toEqual(expected);
  });
});

describe('Function: rowsToLocate', () => {
  it('looks for the unsettled checkpoints of configured sources that are not missing', () => {
    const known = [row({ id: 1 }), row({ id: 2 }), row({ id: 3, sourceName: 'removed' }), row({ id: 4, status: 'missing' }), row({ id: 5, status: 'rotated' })];

    expect(rowsToLocate(known, new Set([1]), CONFIGURED).map((r) => r.id)).toEqual([2, 5]);
  });
});

describe('Function: headChecksForLocated', () => {
  it.each<[string, SourceRow, FileStat | null, [number, string][]]>([
    ['none when not found', row(), null, []],
    ['none when still at its active path', row(), stat(), []],
    ['none when the birth time already says another file', row(), stat({ path: A1, birthTimeNs: '6' }), []],
    ['the file found under another name', row(), stat({ path: A1 }), [[1, A1]]],
    ['a rotated file in place', row({ path: A1, status: 'rotated' }), stat({ path: A1 }), [[1, A1]]],
  ])('%s', (_name, known, found, expected) => {
    expect(headChecksForLocated([known], new Map([[known.id, found]])).map((r) => [r.row.id, r.path])).toEqual(expected);
  });
});

describe('Function: claimFiles', () => {
  it('gives a file matched by two sources to the first, once', () => {
    const shared = stat({ path: '/var/log/shared.log', ino: '300' });

    const files = claimFiles([
      { source: APP, files: [stat(), shared] },
      { source: OTHER, files: [{ ...shared, path: '/var/log/other/shared.log' }, stat({ path: '/var/log/other/o.log', ino: '400' })] },
    ]);

    expect(files.map((f) => [f.path, f.source.name])).toEqual([
      [A, 'app'],
      ['/var/log/shared.log', 'app'],
      ['/var/log/other/o.log', 'other'],
    ]);
  });
});
