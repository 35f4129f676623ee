import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ListObjectsV2CommandOutput, S3Client, _Object } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { SourceRowDb } from '../../sql/ingest-statements';
import { INGEST_SQL } from '../../sql/ingest-statements';
import { S3_SQL } from '../../sql/s3-statements';
import type { RetiredGenerationRowDb, S3ListingRowDb } from '../../sql/s3-statements';
import { withTransaction } from '../platform/db';
import type { AppLogger } from '../platform/logger';
import { recordAnomalies } from './anomaly';
import type { Anomaly } from './anomaly';
import { toSourceRow } from './checkpoint';
import type { SourceRow } from './checkpoint';
import { outcomeOfReadError } from './file-outcome';
import { newFileSummary } from './file-summary';
import type { FileSummary } from './file-summary';
import { describeS3Failure } from './s3-client';
import type { S3Failure } from './s3-client';
import { normalizeEtag, objectUrl, parseS3Location } from './s3-location';
import type { S3Location } from './s3-location';
import type { SourceConfig } from './sources';
import { labelsFor, templateMatcher } from './sources';

// Discovery of S3 objects: each configured location (a source's s3:// path)
// is listed with ListObjectsV2 after its start-after checkpoint, page by
// page; each page's objects become checkpoints (log_sources rows of kind s3)
// in the transaction that moves the listing checkpoint past them, so a run
// stopped or killed mid-listing neither skips nor registers twice. Every
// `fullListingEvery` (default 1h) the whole prefix is listed again, which
// finds keys that sort before the checkpoint (keys not in time order).

/** Keys per ListObjectsV2 page (S3's maximum). */
export const LIST_PAGE_KEYS = 1000;
/** Storage classes a GET cannot read without a restore: not registered. */
const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export interface S3DiscoveryDeps {
  pool: pg.Pool;
  s3: S3Client;
  now: () => number;
  shouldStop: () => boolean;
  cwd: string;
  logger?: AppLogger;
}

/** A location whose listing failed this run. */
export interface S3ListingFailure {
  source: string;
  location: string;
  failure: S3Failure;
}

/** What the run learnt of one location. */
export interface S3LocationState {
  source: string;
  location: string;
  /** Newest LastModified of an object ever registered there (ms), null: none yet. */
  lastObjectAt: number | null;
  /** A listing of it succeeded this run and no object was ever registered there. */
  empty: boolean;
}

export interface S3Discovered {
  failures: S3ListingFailure[];
  locations: S3LocationState[];
  /** Objects registered this run. */
  registered: number;
  stoppedEarly: boolean;
}

/** A ListObjectsV2 call failed (not the database): the location's outcome. */
class ListingCallError extends Error {
  public constructor(
    public readonly failure: S3Failure,
    options: ErrorOptions,
  ) {
    super(failure.text, options);
    this.name = 'ListingCallError';
  }
}

async function listPage(s3: S3Client, command: ListObjectsV2Command): Promise<ListObjectsV2CommandOutput> {
  try {
    return await s3.send(command);
  } catch (err) {
    throw new ListingCallError(describeS3Failure(err), { cause: err });
  }
}

/** One object of a listing or an event. */
export interface ListedObject {
  key: string;
  etag: string;
  size: number;
  lastModified: Date;
}

function listedObject(o: _Object): ListedObject | null {
  if (o.Key === undefined || o.Key.endsWith('/') || (o.StorageClass !== undefined && ARCHIVED.has(o.StorageClass))) return null;
  return { key: o.Key, etag: normalizeEtag(o.ETag), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
}

/**
 * Register objects of `source` under `location` as checkpoints (each
 * generation once), in `client`'s transaction; an older generation of a key
 * registered with a new ETag is retired, its unread bytes recorded lost.
 * Returns how many rows were created.
 */
export async function registerObjects(
  client: pg.PoolClient,
  source: SourceConfig,
  location: S3Location,
  objects: readonly ListedObject[],
  cwd: string,
  runId: string,
): Promise<number> {
  if (objects.length === 0) return 0;
  const urls = objects.map((o) => objectUrl(location.bucket, o.key));
  const labels = urls.map((u) => labelsFor(source, u, cwd));
  const created = await client.query<{ id: string; path: string }>(S3_SQL.registerObjects, [
    source.name,
    urls,
    objects.map((o) => o.etag),
    objects.map((o) => o.size),
    objects.map((o) => o.lastModified),
    labels.map((l) => l.service ?? ''),
    labels.map((l) => l.host ?? ''),
    labels.map((l) => JSON.stringify(l)),
  ]);
  if (created.rows.length === 0) return 0;
  const createdPaths = new Set(created.rows.map((r) => r.path));
  const fresh = objects.filter((_, i) => createdPaths.has(urls[i]!));
  const retired = (
    await client.query<RetiredGenerationRowDb>(S3_SQL.retireOlderGenerations, [fresh.map((o) => objectUrl(location.bucket, o.key)), fresh.map((o) => o.etag)])
  ).rows;
  for (const r of retired) {
    const anomaly: Anomaly = {
      kind: 'content_replaced',
      occurrences: 1,
      bytes: Math.max(0, Number(r.size_seen) - Number(r.read_offset)),
      firstOffset: Number(r.read_offset),
      detail: `${r.path} was written again before it was read to its end: the new generation is read from its start`,
    };
    await recordAnomalies(client, runId, Number(r.id), r.path, [anomaly]);
  }
  return created.rows.length;
}

/** Is a full listing due for this location? */
function fullListingDue(source: SourceConfig, state: S3ListingRowDb, now: number): boolean {
  if (state.start_after === '') return true;
  const every = source.fullListingEveryMs ?? null;
  if (every === null) return false;
  return state.full_listing_at === null || now - state.full_listing_at.getTime() >= every;
}

/** List one location from its checkpoint and register what it holds; throws the S3 failure. */
async function listLocation(
  deps: S3DiscoveryDeps,
  source: SourceConfig,
  location: S3Location,
  runId: string,
  claimed: Set<string>,
): Promise<{ registered: number; stopped: boolean; state: S3ListingRowDb }> {
  await deps.pool.query(S3_SQL.ensureListing, [source.name, location.template]);
  const state = (await deps.pool.query<S3ListingRowDb>(S3_SQL.readListing, [source.name, location.template])).rows[0]!;
  const full = fullListingDue(source, state, deps.now());
  const matches = templateMatcher(location.keyTemplate);
  let token: string | undefined;
  let registered = 0;
  let stopped = false;
  do {
    if (deps.shouldStop()) {
      stopped = true;
      break;
    }
    const page = await listPage(
      deps.s3,
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: location.prefix === '' ? undefined : location.prefix,
        StartAfter: full || state.start_after === '' ? undefined : state.start_after,
        ContinuationToken: token,
        MaxKeys: LIST_PAGE_KEYS,
      }),
    );
    const contents = page.Contents ?? [];
    const objects: ListedObject[] = [];
    for (const o of contents) {
      const listed = listedObject(o);
      if (listed === null || matches(listed.key) === null) continue;
      const url = objectUrl(location.bucket, listed.key);
      // an object two sources' locations cover belongs to the first source listing it
      if (claimed.has(url)) continue;
      claimed.add(url);
      objects.push(listed);
    }
    const lastKey = contents.at(-1)?.Key ?? '';
    const newest = objects.reduce<Date | null>((max, o) => (max === null || o.lastModified > max ? o.lastModified : max), null);
    registered += await withTransaction(deps.pool, async (client) => {
      const n = await registerObjects(client, source, location, objects, deps.cwd, runId);
      await client.query(S3_SQL.advanceListing, [source.name, location.template, lastKey, newest, n]);
      return n;
    });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  if (!stopped && full) await deps.pool.query(S3_SQL.finishFullListing, [source.name, location.template, new Date(deps.now())]);
  const after = (await deps.pool.query<S3ListingRowDb>(S3_SQL.readListing, [source.name, location.template])).rows[0]!;
  return { registered, stopped, state: after };
}

/**
 * List every S3 source's locations and register their new objects; a
 * location that cannot be listed is reported in `summaries` (its outcome
 * and the S3 error) and in `s3_listings.last_error` (the health rule
 * source-missing reads it), its checkpoint kept.
 *
 * @example
 *   const found = await discoverObjects(s3Sources, { pool, s3, now, shouldStop, cwd }, runId, summaries);
 */
export async function discoverObjects(sources: readonly SourceConfig[], deps: S3DiscoveryDeps, runId: string, summaries: FileSummary[]): Promise<S3Discovered> {
  const result: S3Discovered = { failures: [], locations: [], registered: 0, stoppedEarly: false };
  const claimed = new Set<string>();
  for (const source of sources) {
    for (const template of source.paths) {
      const location = parseS3Location(template);
      try {
        const listed = await listLocation(deps, source, location, runId, claimed);
        result.registered += listed.registered;
        result.stoppedEarly ||= listed.stopped;
        result.locations.push({
          source: source.name,
          location: template,
          lastObjectAt: listed.state.last_object_at?.getTime() ?? null,
          empty: !listed.stopped && Number(listed.state.objects_seen) === 0,
        });
      } catch (err) {
        if (!(err instanceof ListingCallError)) throw err;
        const { failure } = err;
        const message = `cannot list ${template}: ${failure.text}; its listing checkpoint is kept`;
        await deps.pool.query(S3_SQL.recordListingError, [source.name, template, message]);
        const s = newFileSummary(template, null, outcomeOfReadError(failure.code));
        s.source = source.name;
        s.error = message;
        summaries.push(s);
        result.failures.push({ source: source.name, location: template, failure });
      }
    }
  }
  return result;
}

/** The objects of these sources not yet read to their end. */
export async function openObjects(pool: pg.Pool, sourceNames: readonly string[]): Promise<SourceRow[]> {
  if (sourceNames.length === 0) return [];
  return (await pool.query<SourceRowDb>(INGEST_SQL.listOpenObjects, [sourceNames])).rows.map(toSourceRow);
}
