-- Recurring mute windows (issue 13): the `muteWindows:` section of
-- ALERT_RULES. Each evaluation writes the current opening of every open
-- window as a silence (mute_window names the window; one row per window and
-- opening), which the outbox INSERT matches like any silence, and ends the
-- openings of windows no longer configured so. A silence added by
-- `npm run silence` may match the health rules (`--rule 'health:*'`, or
-- `*`); a mute window only when its rule glob starts with `health:`
-- (matches_health).
ALTER TABLE alert_silences ADD COLUMN mute_window text;
ALTER TABLE alert_silences ADD COLUMN matches_health boolean NOT NULL DEFAULT true;
CREATE UNIQUE INDEX alert_silences_mute_opening ON alert_silences (mute_window, starts_at) WHERE mute_window IS NOT NULL;
