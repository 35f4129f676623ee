import type { SourceReadErrorCode } from '../platform/errors';

/**
 * What a run did with a file (the `outcome` of its summary; not stored):
 * - `read`: read (maybe up to a pending entry or a partial line);
 * - `busy`: another run holds the file; `deferred`: the run stopped before reaching it;
 * - `missing`, `unreadable`, `error`: not read, checkpoint kept;
 * - `changed`: rewritten while being read, the batch rolled back, retried next run;
 * - `rotated-gone`: a rotated file disappeared; `replaced`: a rotated file's content no longer matches;
 * - `unconfigured`: no configured source matches the file any more: its checkpoint is retired, it is not read.
 */
export const FILE_OUTCOMES = ['read', 'busy', 'deferred', 'missing', 'unreadable', 'changed', 'rotated-gone', 'replaced', 'unconfigured', 'error'] as const;
export type FileOutcome = (typeof FILE_OUTCOMES)[number];

/**
 * The outcome of a file that could not be read, from why.
 *
 * @example
 *   outcomeOfReadError('EPERM'); // 'unreadable'
 */
export function outcomeOfReadError(code: SourceReadErrorCode): FileOutcome {
  switch (code) {
    case 'ENOENT':
      return 'missing';
    case 'EACCES':
    case 'EPERM':
      return 'unreadable';
    case 'ECHANGED':
      return 'changed';
    default:
      return 'error';
  }
}
