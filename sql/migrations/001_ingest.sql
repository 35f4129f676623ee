-- Ingest: one row per monitored file identity, the entries it produced, and
-- the anomalies met while reading it.

-- A monitored file, identified by device+inode and a fingerprint of its first
-- bytes (not by its path: a rotated file keeps its identity under a new name).
-- `read_offset` is the byte offset of the first byte not yet consumed; it only
-- moves in the transaction that stores the entries before it.
CREATE TABLE log_sources (
  id               bigserial PRIMARY KEY,
  path             text        NOT NULL,
  dev              numeric     NOT NULL,
  ino              numeric     NOT NULL,
  fingerprint      text        NOT NULL DEFAULT '',
  fingerprint_len  integer     NOT NULL DEFAULT 0,
  read_offset      bigint      NOT NULL DEFAULT 0 CHECK (read_offset >= 0),
  -- true while an over-long line is being discarded up to its newline
  skipping_line    boolean     NOT NULL DEFAULT false,
  -- when the last, possibly unfinished multi-line entry was first held back
  pending_since    timestamptz,
  -- restarts at offset 0 after truncation / copytruncate
  generation       integer     NOT NULL DEFAULT 0,
  -- size and mtime seen by the last run: lag = size_seen - read_offset
  size_seen        bigint      NOT NULL DEFAULT 0,
  mtime_seen       timestamptz,
  -- active: path matched by LOG_FILES; rotated: found by identity under another
  -- name; missing: not found (checkpoint kept); retired: read to its end and gone
  status           text        NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'rotated', 'missing', 'retired')),
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- One live checkpoint per file identity: two runs discovering the same new
-- file cannot both create one.
CREATE UNIQUE INDEX log_sources_live_identity
  ON log_sources (dev, ino) WHERE status IN ('active', 'rotated');

CREATE TABLE log_entries (
  id           bigserial   PRIMARY KEY,
  logged_at    timestamptz NOT NULL,
  level        text        NOT NULL,
  message      text        NOT NULL,
  source_id    bigint      NOT NULL,
  -- byte offset of the entry's first line in its file (for this generation)
  byte_offset  bigint      NOT NULL,
  ingested_at  timestamptz NOT NULL DEFAULT now()
);
-- Alert windows and operator queries are time ranges.
CREATE INDEX log_entries_logged_at ON log_entries (logged_at);

-- What could not be read or stored as written, one row per kind per file per run.
CREATE TABLE ingest_anomalies (
  id           bigserial   PRIMARY KEY,
  run_id       text        NOT NULL,
  source_id    bigint,
  path         text        NOT NULL,
  kind         text        NOT NULL,
  occurrences  bigint      NOT NULL DEFAULT 1,
  bytes        bigint      NOT NULL DEFAULT 0,
  first_offset bigint,
  detail       text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ingest_anomalies_created_at ON ingest_anomalies (created_at);
