-- Silences (issue 13): while a silence matches a notification (its rule name,
-- or a glob of names, and the key's labels it names), the notification is
-- recorded in alert_outbox, not sent: sent_at is set and silenced_by names the
-- silence. `npm run silence` adds, lists and expires them.
CREATE TABLE alert_silences (
  id          bigserial   PRIMARY KEY,
  -- a rule name, or a glob of names (`*` any characters): `health:*`, `*`
  rule_glob   text        NOT NULL,
  -- rule_glob as a LIKE pattern (escape character \), written by lib/alert/silences.ts
  rule_like   text        NOT NULL,
  -- labels the key must have (service, host, file, template, level); {} matches every key
  matchers    jsonb       NOT NULL DEFAULT '{}',
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
  comment     text        NOT NULL CHECK (comment <> ''),
  created_by  text        NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_silences_ends_at ON alert_silences (ends_at);

ALTER TABLE alert_outbox ADD COLUMN silenced_by bigint;
