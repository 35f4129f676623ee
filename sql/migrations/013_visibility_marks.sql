-- Visibility marks (issue 15): while the commit cursor is behind what is
-- committed (a backlog examined in bounded slices), each evaluation counts
-- the entries committed before its visibility mark (every entry with
-- ingested_at below it was committed) and records the mark with the
-- evaluation's time. An entry the cursor examines later, below a mark, was
-- counted by the evaluation of the first mark above it: it is not fresh
-- again, and it is late only as of that evaluation. Marks the cursor passed
-- are deleted.
CREATE TABLE alert_visibility (
  visible_until timestamptz PRIMARY KEY,
  -- the job's clock at the evaluation that first counted up to visible_until
  evaluated_at  timestamptz NOT NULL
);
