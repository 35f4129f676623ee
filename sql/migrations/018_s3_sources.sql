-- S3 as a log source (issue 14). Each S3 object generation (bucket, key,
-- ETag) gets a log_sources row of kind 's3', so its entries go through the
-- same scanner, sink, labels and accounting as a file's, and its byte-offset
-- checkpoint (read_offset) moves in the transaction that stores the entries
-- before it. `path` is `s3://bucket/key`; dev and ino are 0 (no inode).

-- SOURCE_KINDS in lib/ingest/checkpoint.ts
ALTER TABLE log_sources ADD COLUMN kind text NOT NULL DEFAULT 'file'
  CHECK (kind IN ('file', 's3'));
-- S3: the ETag of the generation this row reads ('' for files). An object
-- written again under the same key is a new row (lib/ingest/s3-object-reader.ts).
ALTER TABLE log_sources ADD COLUMN object_etag text NOT NULL DEFAULT '';
-- S3: how the object's bytes are stored, decided on its first read (Content-Encoding,
-- a .gz key or gzip's magic bytes); '' before that and for files.
-- OBJECT_ENCODINGS in lib/ingest/checkpoint.ts
ALTER TABLE log_sources ADD COLUMN content_encoding text NOT NULL DEFAULT ''
  CHECK (content_encoding IN ('', 'identity', 'gzip'));

-- The file identity index no longer covers S3 rows (they have no inode).
DROP INDEX log_sources_live_identity;
CREATE UNIQUE INDEX log_sources_live_identity
  ON log_sources (dev, ino) WHERE status IN ('active', 'rotated') AND kind = 'file';
-- One row per object generation, whoever registers it first (the schedule's
-- listing or an S3 event): the other one's insert does nothing.
CREATE UNIQUE INDEX log_sources_s3_object ON log_sources (path, object_etag) WHERE kind = 's3';
-- The S3 objects still to read (not yet read to their end).
CREATE INDEX log_sources_s3_open ON log_sources (source_name, id) WHERE kind = 's3' AND status = 'active';

-- Per configured S3 location (a source's `s3://bucket/prefix…` path), the
-- listing checkpoint: ListObjectsV2 starts after `start_after`, which moves
-- only in the transaction that registers the objects listed up to it.
CREATE TABLE s3_listings (
  source_name     text        NOT NULL,
  -- the configured path template, `s3://bucket/prefix/{host}/...`
  location        text        NOT NULL,
  start_after     text        NOT NULL DEFAULT '',
  -- the last listing of the whole prefix (ignoring start_after), which finds
  -- keys written after the checkpoint but sorting before it
  full_listing_at timestamptz,
  -- the newest LastModified of an object registered (source-silent)
  last_object_at  timestamptz,
  objects_seen    bigint      NOT NULL DEFAULT 0,
  -- the last listing failed (access denied, no such bucket, throttled): the health rule source-missing names it
  last_error      text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_name, location)
);
