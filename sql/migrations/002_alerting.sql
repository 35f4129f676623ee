-- Alerting: per-rule state and the outbox of notifications owed.

CREATE TABLE alert_state (
  rule_name          text        PRIMARY KEY,
  state              text        NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'pending', 'firing')),
  -- when the current state began
  state_since        timestamptz NOT NULL DEFAULT now(),
  last_count         bigint      NOT NULL DEFAULT 0,
  last_evaluated_at  timestamptz,
  last_notified_at   timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Written in the same transaction as the state change that owes it; a row is
-- sent at most once by a normal retry (sent_at is set in the transaction that
-- holds the row lock during the publish).
CREATE TABLE alert_outbox (
  id              bigserial   PRIMARY KEY,
  rule_name       text        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN ('firing', 'reminder', 'resolved')),
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
CREATE INDEX alert_outbox_unsent ON alert_outbox (id) WHERE sent_at IS NULL;
