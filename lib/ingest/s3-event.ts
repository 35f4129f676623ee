import type pg from 'pg';
import type { SourceRowDb } from '../../sql/ingest-statements';
import { INGEST_SQL } from '../../sql/ingest-statements';
import { withTransaction } from '../platform/db';
import type { S3EventObject } from '../platform/job-events';
import { toSourceRow } from './checkpoint';
import type { SourceRow } from './checkpoint';
import { newFileSummary } from './file-summary';
import type { FileSummary } from './file-summary';
import { registerObjects } from './s3-discovery';
import { objectUrl, parseS3Location } from './s3-location';
import type { S3Location } from './s3-location';
import type { SourceConfig } from './sources';
import { templateMatcher } from './sources';

// An S3 event notification names objects just written: they are registered
// through the same checkpoints as the schedule's listing (one row per
// generation, whoever comes first) and read by this invocation, so the
// listing that finds them later reads nothing twice.

/** The first configured S3 location covering the object, with its source. */
function locate(sources: readonly SourceConfig[], object: S3EventObject): { source: SourceConfig; location: S3Location } | null {
  for (const source of sources) {
    for (const template of source.paths) {
      const location = parseS3Location(template);
      if (location.bucket === object.bucket && object.key.startsWith(location.prefix) && templateMatcher(location.keyTemplate)(object.key) !== null) {
        return { source, location };
      }
    }
  }
  return null;
}

/**
 * Register the event's objects and return their checkpoints still to read;
 * an object no configured S3 source covers, or already read to its end, is
 * reported in `summaries` (outcome `unconfigured`, or `read` with nothing new).
 *
 * @example
 *   const rows = await registerEventObjects(pool, s3Sources, s3EventObjects(event), cwd, runId, summaries);
 */
export async function registerEventObjects(
  pool: pg.Pool,
  sources: readonly SourceConfig[],
  objects: readonly S3EventObject[],
  cwd: string,
  runId: string,
  summaries: FileSummary[],
): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for (const object of objects) {
    const url = objectUrl(object.bucket, object.key);
    const found = locate(sources, object);
    if (found === null) {
      const s = newFileSummary(url, null, 'unconfigured');
      s.error = `${url}: no configured S3 source covers this bucket and key; the event's object is not read`;
      summaries.push(s);
      continue;
    }
    const row = await withTransaction(pool, async (client) => {
      await registerObjects(
        client,
        found.source,
        found.location,
        [{ key: object.key, etag: object.etag, size: object.size, lastModified: object.eventTime }],
        cwd,
        runId,
      );
      const r = (await client.query<SourceRowDb>(INGEST_SQL.findObject, [url, object.etag])).rows[0];
      return r ? toSourceRow(r) : null;
    });
    if (row === null) continue;
    if (row.status === 'active') {
      if (!rows.some((r) => r.id === row.id)) rows.push(row);
      continue;
    }
    const s = newFileSummary(url, row.id, 'read');
    s.source = row.sourceName;
    s.fromOffset = s.toOffset = row.readOffset;
    summaries.push(s);
  }
  return rows;
}
