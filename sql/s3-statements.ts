// Every statement of the S3 sources (lib/ingest/s3-*.ts), named for what it
// does. Parameters are always $n. Keys are compared in byte order (COLLATE
// "C": UTF-8 bytes, S3's listing order), never in the database's collation.
// The statements returning a whole checkpoint row (listOpenObjects, findObject) are in
// ingest-statements.ts, beside SOURCE_COLUMNS.

/** An `s3_listings` row: one configured S3 location's listing checkpoint. */
export interface S3ListingRowDb {
  start_after: string;
  full_listing_at: Date | null;
  last_object_at: Date | null;
  /** bigint */
  objects_seen: string;
  last_error: string | null;
}

/** A superseded object generation (retireOlderGenerations). */
export interface RetiredGenerationRowDb {
  /** bigserial */
  id: string;
  path: string;
  /** bigint */
  read_offset: string;
  /** bigint */
  size_seen: string;
  content_encoding: string;
}

export const S3_SQL = {
  ensureListing: `INSERT INTO s3_listings (source_name, location) VALUES ($1, $2)
    ON CONFLICT (source_name, location) DO NOTHING`,
  readListing: `SELECT start_after, full_listing_at, last_object_at, objects_seen, last_error FROM s3_listings
    WHERE source_name = $1 AND location = $2`,
  /**
   * One listed page's objects become checkpoints (read_offset 0), each
   * generation (path, ETag) once, whoever registers it first. Returns the
   * rows created. $2…$8: arrays, one element per object.
   */
  registerObjects: `INSERT INTO log_sources (path, origin_path, dev, ino, kind, object_etag, size_seen, mtime_seen, source_name, service, host, labels)
    SELECT u.path, u.path, 0, 0, 's3', u.etag, u.size, u.modified, $1, u.service, u.host, u.labels
    FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[], $7::text[], $8::jsonb[])
      AS u(path, etag, size, modified, service, host, labels)
    ON CONFLICT (path, object_etag) WHERE kind = 's3' DO NOTHING
    RETURNING id, path`,
  /** Older generations of keys just registered with a new ETag are not read any further. $1, $2: paths and their new ETags. */
  retireOlderGenerations: `UPDATE log_sources s SET status = 'retired', updated_at = now()
    FROM unnest($1::text[], $2::text[]) AS n(path, etag)
    WHERE s.kind = 's3' AND s.status = 'active' AND s.path = n.path AND s.object_etag <> n.etag
    RETURNING s.id, s.path, s.read_offset, s.size_seen, s.content_encoding`,
  /** The listing checkpoint moves forward only (byte order), in the transaction that registered the objects up to it. */
  advanceListing: `UPDATE s3_listings SET
      start_after = CASE WHEN $3::text COLLATE "C" > start_after COLLATE "C" THEN $3 ELSE start_after END,
      last_object_at = CASE WHEN last_object_at IS NULL OR $4::timestamptz > last_object_at THEN $4 ELSE last_object_at END,
      objects_seen = objects_seen + $5, last_error = NULL, updated_at = now()
    WHERE source_name = $1 AND location = $2`,
  /** A listing of the whole prefix reached its end. */
  finishFullListing: `UPDATE s3_listings SET full_listing_at = $3, last_error = NULL, updated_at = now()
    WHERE source_name = $1 AND location = $2`,
  recordListingError: `UPDATE s3_listings SET last_error = $3, updated_at = now()
    WHERE source_name = $1 AND location = $2`,
  /** An object's first read decided how it is stored. */
  setContentEncoding: 'UPDATE log_sources SET content_encoding = $2 WHERE id = $1',
  /** Read to its end: an object does not change, its checkpoint is done with. */
  completeObject: `UPDATE log_sources SET status = 'retired', updated_at = now() WHERE id = $1`,
} as const;
