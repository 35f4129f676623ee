-- Quiet alerts (issue 13): a FIRING rule (key) resolves only when its count
-- stayed below clearBelow for keepFiringFor; clearing_since is when it first
-- fell below (NULL while it does not). held_since is when the hourly cap
-- first held back one of its notifications (NULL when none is held): the
-- message that finally goes says so.
ALTER TABLE alert_state ADD COLUMN clearing_since timestamptz;
ALTER TABLE alert_state ADD COLUMN held_since timestamptz;
