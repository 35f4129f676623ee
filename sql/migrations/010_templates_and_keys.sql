-- Error templates and per-key alerting (issue 12).
--
-- Every entry stored from now on carries the id of its error template
-- (lib/ingest/template.ts: the message with its variable parts masked; the id
-- is the first 64 bits of the SHA-1 of the template, as a signed bigint).
-- Entries stored before this migration have none (NULL) and are grouped by
-- their first line. Ingest writes nothing else: the table of templates is
-- kept by the alert job from the entries it examines (below), so ingest
-- batches of different files never wait on each other's template rows.
ALTER TABLE log_entries ADD COLUMN template_id bigint;

-- The file as first discovered (a rotated file keeps the name it was
-- written under): the `file` part of an alert key.
ALTER TABLE log_sources ADD COLUMN origin_path text;
UPDATE log_sources SET origin_path = path WHERE origin_path IS NULL;

-- One row per template examined by the alert job (lib/alert/template-catalog.ts),
-- written with the commit cursor, so each entry is counted once.
CREATE TABLE error_templates (
  id            bigint      PRIMARY KEY,
  template      text        NOT NULL,
  -- the first entry examined with it: a real example line, and where
  example       text        NOT NULL,
  example_id    bigint      NOT NULL,
  source_id     bigint,
  -- logged_at of the earliest and latest entry examined with it
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  entries       bigint      NOT NULL DEFAULT 0,
  -- the start of its current appearance: first_seen, or the first entry
  -- after an absence of at least the shortest `unseenFor` of the rules
  appeared_at   timestamptz NOT NULL,
  -- last_seen before the current appearance (NULL: never seen before it)
  seen_before   timestamptz,
  -- the current appearance began in a learning period (the first examination
  -- of a database, or a source's first read): a new-template rule ignores it
  learning      boolean     NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX error_templates_appeared_at ON error_templates (appeared_at);

-- Per-key alert state: a rule with `groupBy` keeps one state per key (its
-- values, as the JSON text of `labels`); a rule without has the key ''.
ALTER TABLE alert_state ADD COLUMN group_key text NOT NULL DEFAULT '';
ALTER TABLE alert_state ADD COLUMN labels jsonb NOT NULL DEFAULT '{}';
ALTER TABLE alert_state DROP CONSTRAINT alert_state_pkey;
ALTER TABLE alert_state ADD PRIMARY KEY (rule_name, group_key);

-- Notifications are ordered, capped and retried per rule and key.
ALTER TABLE alert_outbox ADD COLUMN group_key text NOT NULL DEFAULT '';
DROP INDEX alert_outbox_unsent;
CREATE INDEX alert_outbox_unsent ON alert_outbox (rule_name, group_key, id) WHERE sent_at IS NULL;
DROP INDEX alert_outbox_rule_created;
CREATE INDEX alert_outbox_rule_created ON alert_outbox (rule_name, group_key, created_at);

-- When the alert job first examined entries: the first learning period.
ALTER TABLE alert_cursor ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
