-- Where a backlog's late tally began (the commit cursor's position at its
-- first slice), so a later slice's busiest window also counts the late
-- entries of the slices before it (a window split by a slice boundary is
-- counted whole, issue 15). NULL for tallies begun before this migration.
ALTER TABLE alert_late_tally ADD COLUMN from_at timestamptz, ADD COLUMN from_id bigint;
