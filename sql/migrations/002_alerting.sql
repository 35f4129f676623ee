-- Alerting: per-rule state, the outbox of notifications owed, and the cursor
-- of the late-data check. Times written by the alert job come from its clock
-- (passed as parameters), so tests can move time.

CREATE TABLE alert_state (
  rule_name          text        PRIMARY KEY,
  state              text        NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'pending', 'firing')),
  -- when the current state began
  state_since        timestamptz NOT NULL DEFAULT now(),
  -- when the rule last went FIRING (kept while firing, for "fired for 1h 5m")
  firing_since       timestamptz,
  last_count         bigint      NOT NULL DEFAULT 0,
  -- highest window count seen since firing_since
  peak_count         bigint      NOT NULL DEFAULT 0,
  last_evaluated_at  timestamptz,
  last_notified_at   timestamptz,
  -- the rule as last evaluated: a rule removed while FIRING is resolved with it
  rule               jsonb       NOT NULL DEFAULT '{}',
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Written in the same transaction as the state change that owes it; a row is
-- sent at most once by a normal retry (sent_at is set in the transaction that
-- holds the row lock during the publish).
CREATE TABLE alert_outbox (
  id              bigserial   PRIMARY KEY,
  rule_name       text        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN ('firing', 'reminder', 'resolved', 'late')),
  subject         text        NOT NULL,
  body            text        NOT NULL,
  attributes      jsonb       NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer     NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  last_error      text,
  sent_at         timestamptz,
  message_id      text
);
-- The publisher's queue: the oldest unsent row of each rule.
CREATE INDEX alert_outbox_unsent ON alert_outbox (rule_name, id) WHERE sent_at IS NULL;
-- The per-rule hourly notification cap counts recent rows.
CREATE INDEX alert_outbox_rule_created ON alert_outbox (rule_name, created_at);

-- One row: entries ingested before `late_checked_until` (by their ingest
-- transaction's start, log_entries.ingested_at) have been examined for late data.
CREATE TABLE alert_cursor (
  singleton           boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  late_checked_until  timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- The late-data check reads what was ingested since its last run.
CREATE INDEX log_entries_ingested_at ON log_entries (ingested_at);
