-- Notification channels (issue 19): each outbox row is delivered to every
-- channel its routing names (the `channels:` section of ALERT_RULES; the
-- `sns` channel alone by default), each channel with its own state here.
-- A row gets its delivery rows when a publisher first routes it; a channel
-- claims its own row (FOR UPDATE SKIP LOCKED), sends, and sets sent_at in
-- that transaction, so a failing channel is retried on its own and never
-- repeats what another channel sent. alert_outbox.sent_at is set once every
-- configured channel the row routes to has it (or, suppressed = 'unrouted',
-- when no channel's match takes it).
--
-- No foreign key to alert_outbox: one would refuse `TRUNCATE alert_outbox`
-- (how the test suites, and an operator starting afresh, empty it). The two
-- triggers below keep the table to the outbox's rows instead: a delivery
-- row never outlives its outbox row, so an id reused after
-- `TRUNCATE … RESTART IDENTITY` never finds a stale delivery.
CREATE TABLE alert_deliveries (
  outbox_id       bigint      NOT NULL,
  channel         text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer     NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  last_error      text,
  sent_at         timestamptz,
  message_id      text,
  PRIMARY KEY (outbox_id, channel)
);
-- each channel's queue: its unsent deliveries
CREATE INDEX alert_deliveries_unsent ON alert_deliveries (channel, outbox_id) WHERE sent_at IS NULL;

CREATE FUNCTION alert_deliveries_follow_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM alert_deliveries d USING gone WHERE d.outbox_id = gone.id;
  RETURN NULL;
END $$;
-- retention deletes sent rows in batches: their deliveries go with them
CREATE TRIGGER alert_outbox_deleted AFTER DELETE ON alert_outbox REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION alert_deliveries_follow_delete();

CREATE FUNCTION alert_deliveries_follow_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- DELETE, not TRUNCATE: a TRUNCATE naming both tables is still running
  DELETE FROM alert_deliveries;
  RETURN NULL;
END $$;
CREATE TRIGGER alert_outbox_truncated AFTER TRUNCATE ON alert_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION alert_deliveries_follow_truncate();

ALTER TABLE alert_outbox DROP CONSTRAINT alert_outbox_suppressed_check;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_suppressed_check CHECK (suppressed IN ('silenced', 'muted', 'inhibited', 'unrouted'));
