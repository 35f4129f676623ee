-- Each rule's current state, then every notification of the last days
-- (newest first): what was owed, when SNS accepted it, and why not if it did not
-- (suppressed: recorded, not sent, by a silence, a mute window, or folded into
-- the mail of a critical alert of the same source, inhibited_by).
--   psql "$DATABASE_URL" -f sql/queries/alert-history.sql
--   psql "$DATABASE_URL" -v days=30 -f sql/queries/alert-history.sql
\if :{?days}
\else
  \set days 7
\endif

SELECT rule_name, state, state_since, last_count, last_evaluated_at, last_notified_at
FROM alert_state
ORDER BY rule_name;

SELECT created_at, rule_name, kind, subject, sent_at, attempts, last_attempt_at, last_error, message_id, suppressed,
  inhibited_by_rule AS inhibited_by, folded_into
FROM alert_outbox
WHERE created_at >= now() - make_interval(days => (:'days')::int)
ORDER BY id DESC;
