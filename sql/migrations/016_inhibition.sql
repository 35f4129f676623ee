-- Inhibition (issue 13): while a critical alert fires for a source (a key
-- with a file label, and the same service and host), the notifications of
-- lower severity that an evaluation owes the same source are recorded, not
-- sent (suppressed = 'inhibited', sent_at set, inhibited_by_* naming the
-- critical rule and key), and listed in the critical's next mail that goes
-- out (folded_into: that row). suppressed also says why a silenced row was
-- not sent: a silence, or a mute window's opening. labels: the key's labels,
-- which inhibition compares.
ALTER TABLE alert_outbox ADD COLUMN labels jsonb NOT NULL DEFAULT '{}';
ALTER TABLE alert_outbox ADD COLUMN suppressed text CHECK (suppressed IN ('silenced', 'muted', 'inhibited'));
ALTER TABLE alert_outbox ADD COLUMN inhibited_by_rule text, ADD COLUMN inhibited_by_key text, ADD COLUMN folded_into bigint;
UPDATE alert_outbox o SET suppressed = CASE WHEN s.mute_window IS NULL THEN 'silenced' ELSE 'muted' END
  FROM alert_silences s WHERE s.id = o.silenced_by;
-- the inhibition step reads the rows its evaluation queued
CREATE INDEX alert_outbox_created ON alert_outbox (created_at);
-- the publisher looks up, for each row it sends, the rows waiting to be folded into it
CREATE INDEX alert_outbox_waiting_fold ON alert_outbox (inhibited_by_rule, inhibited_by_key) WHERE inhibited_by_rule IS NOT NULL AND folded_into IS NULL;
