// Every statement of the alert job, named for what it does, and the rows
// they return (at the end). Parameters are always $n: rule filters (levels,
// file glob, pattern) travel as parameters.
import type { AlertStateName, NotificationKind } from '../lib/alert/categories';

const EVALUATION_LOCK_KEY = 7380003;

// The entries a rule counts. $1 < logged_at <= $2, levels $3, file LIKE $4
// (null: any), PostgreSQL regular expression $5 (null: any). A null filter
// folds away in the custom plan node-postgres' unnamed statements get.
// ${RULE_EXTRA} is where lib/alert/rule-sql.ts puts what a rule adds: its
// key (a rule with groupBy) and its new-template condition. Every statement
// using RULE_FILTER reads log_entries e LEFT JOIN log_sources s (the join is
// removed by the planner when neither is there).
export const RULE_EXTRA = '/*rule-extra*/';
// RULE_EXTRA also takes the evaluation's visibility mark (rule-sql.ts): the
// rules count only entries ingested before it, the ones the commit cursor may
// examine, so no entry is counted both before and when the cursor examines it.
const RULE_FILTER = `e.logged_at > $1 AND e.logged_at <= $2
  AND e.level = ANY($3::text[])
  AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM log_sources ls WHERE ls.id = e.source_id AND ls.path LIKE $4))
  AND ($5::text IS NULL OR e.message ~ $5) ${RULE_EXTRA}`;
// Where lib/alert/rule-sql.ts puts a rule's key expression.
export const RULE_KEY = '/*rule-key*/';
const ENTRIES = 'log_entries e LEFT JOIN log_sources s ON s.id = e.source_id';

// The slice of the commit cursor: entries whose position (ingested_at, id)
// is in [($6, $7), ($8, $9)) (or [($1, $2), ($3, $4))), as three disjoint
// ranges of log_entries_ingested_at_id: the rest of the first ingest time
// from its id, the times between, the last time up to its id (a first and
// last time alike: from one id to the other). With the row comparisons
// (ingested_at, id) >= (…) AND (…) < (…) PostgreSQL's bitmap scan read every
// index entry of the slice's ingest time: a backlog of 10 million entries
// committed in one transaction cost each slice statement ~0.5 s, whatever
// the slice (0.03 s as ranges). The plain bounds first, for the planner.
const SLICE_6_TO_9 = `e.ingested_at >= $6 AND e.ingested_at <= $8
  AND ((e.ingested_at = $6::timestamptz AND e.id >= $7::bigint AND ($6::timestamptz < $8::timestamptz OR e.id < $9::bigint))
    OR (e.ingested_at > $6::timestamptz AND e.ingested_at < $8::timestamptz)
    OR (e.ingested_at = $8::timestamptz AND $6::timestamptz < $8::timestamptz AND e.id < $9::bigint))`;
const SLICE_1_TO_4 = `e.ingested_at >= $1 AND e.ingested_at <= $3
  AND ((e.ingested_at = $1::timestamptz AND e.id >= $2::bigint AND ($1::timestamptz < $3::timestamptz OR e.id < $4::bigint))
    OR (e.ingested_at > $1::timestamptz AND e.ingested_at < $3::timestamptz)
    OR (e.ingested_at = $3::timestamptz AND $1::timestamptz < $3::timestamptz AND e.id < $4::bigint))`;

// addPatternMinutes' positions: from ($4, $5) (inclusive; a null $4: from
// the first) to ($6, $7) (exclusive), as SLICE_1_TO_4's index ranges (the
// row comparisons read every index entry of a backlog's one ingest time:
// ~0.4 s a run during a 10-million-entry backlog). A null $4 folds away
// one arm or the other when the statement is planned.
const COUNTED_4_TO_7 = `(($4::timestamptz IS NULL AND e.ingested_at <= $6 AND (e.ingested_at < $6::timestamptz OR e.id < $7::bigint))
  OR ($4::timestamptz IS NOT NULL AND e.ingested_at >= $4 AND e.ingested_at <= $6
    AND ((e.ingested_at = $4::timestamptz AND e.id >= $5::bigint AND ($4::timestamptz < $6::timestamptz OR e.id < $7::bigint))
      OR (e.ingested_at > $4::timestamptz AND e.ingested_at < $6::timestamptz)
      OR (e.ingested_at = $6::timestamptz AND $4::timestamptz < $6::timestamptz AND e.id < $7::bigint))))`;

// An entry of the slice an earlier evaluation already counted (below one of
// its visibility marks, 013_visibility_marks.sql), and that evaluation's time.
const SEEN = 'EXISTS (SELECT 1 FROM alert_visibility m WHERE m.visible_until > e.ingested_at)';
const SEEN_AT = '(SELECT min(m.evaluated_at) FROM alert_visibility m WHERE m.visible_until > e.ingested_at)';
const EVALUATED_AT = `(SELECT coalesce(nullif(current_setting('logmon.evaluated_at', true), ''), 'infinity')::timestamptz)`;
// How much earlier than this evaluation an entry was first counted (0 when now): late bounds move back by it.
// Elapsed time (microseconds, no day part): a bound moved back by a day is 24 hours earlier in any time zone.
const SEEN_EARLIER_BY = `(interval '1 microsecond' * round(date_part('epoch', ${EVALUATED_AT} - coalesce(${SEEN_AT}, ${EVALUATED_AT})) * 1000000))`;

// The entries of a rule examined by this evaluation and counted by none
// before (fresh): RULE_FILTER plus the slice [($6, $7), ($8, $9)) of the
// commit cursor, minus what an earlier evaluation counted. The caller's
// bounds $1, $2 are those a window of the grace period can count.
const FRESH_FILTER = `${RULE_FILTER}
  AND ${SLICE_6_TO_9} AND NOT ${SEEN}`;
// The late entries of a rule examined by this evaluation: RULE_FILTER over
// (now - horizon, now - grace - window] ($1, $2) plus the slice; an entry an
// earlier evaluation counted is late only as of that evaluation (its bound
// $2 moved back by how much earlier that was).
const LATE_FILTER = `${RULE_FILTER}
  AND ${SLICE_6_TO_9} AND e.logged_at <= $2::timestamptz - ${SEEN_EARLIER_BY}`;

// Per-minute counts (020_entry_minutes.sql, lib/alert/minute-counts.ts) for
// a rule without `pattern` or new-template condition: its filter is levels $3
// and file LIKE $4 on (file, template, level) groups, which the minutes keep.
// $1 < logged_at <= $2 is the window, [$5, $6) its whole minutes, $7 the
// visibility mark (null: none). A group of a minute with a row reaching the
// mark is counted from its entries (those ingested before the mark), like the
// partial minutes at the window's ends ($1, $5) and [$6, $2]. Every part
// bounds logged_at by parameters, so the plan reads only the window's days.
const MARK_7 = `coalesce($7::timestamptz, 'infinity'::timestamptz)`;
const MARK_6 = `coalesce($6::timestamptz, 'infinity'::timestamptz)`;
const MARK_10 = `coalesce($10::timestamptz, 'infinity'::timestamptz)`;
// The span all windows of an evaluation's one read lie in, as plain parameters:
// a bound on the outer windows' columns prunes day partitions only when the
// statement runs, so the plan held every day of log_entries (planning grew
// with the table: 60 -> 115 ms a run from 10 to 100 million entries).
const SPAN_7_8 = 'e.logged_at > $7::timestamptz AND e.logged_at <= $8::timestamptz';
const SPAN_12_13 = 'e.logged_at > $12::timestamptz AND e.logged_at <= $13::timestamptz';
const WINDOW_MINUTES = `SELECT r.minute, r.source_id, r.template_id, r.level, sum(r.n)::bigint AS n, max(r.last_ingested) AS last_ingested
      FROM log_entry_minutes r
      WHERE r.minute >= $5 AND r.minute < $6 AND r.level = ANY($3::text[])
        AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM log_sources ls WHERE ls.id = r.source_id AND ls.path LIKE $4))
      GROUP BY 1, 2, 3, 4`;
const ENTRY_OF_RULE_3_4_7 = `e.level = ANY($3::text[])
        AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM log_sources ls WHERE ls.id = e.source_id AND ls.path LIKE $4))
        AND e.ingested_at < ${MARK_7}`;
// The window's (source_id, template_id, level, n) groups; $8 bounds each raw part (null: no bound, LIMIT NULL).
const WINDOW_GROUPS = `WITH m AS MATERIALIZED (${WINDOW_MINUTES})
    SELECT m.source_id, m.template_id, m.level, m.n FROM m WHERE m.last_ingested < ${MARK_7}
    UNION ALL
    SELECT raw.source_id, raw.template_id, raw.level, count(*) AS n FROM (
      (SELECT e.source_id, e.template_id, e.level FROM log_entries e
        WHERE e.logged_at > $1 AND e.logged_at < $5 AND ${ENTRY_OF_RULE_3_4_7} LIMIT $8)
      UNION ALL
      (SELECT e.source_id, e.template_id, e.level FROM log_entries e
        WHERE e.logged_at >= $6 AND e.logged_at <= $2 AND ${ENTRY_OF_RULE_3_4_7} LIMIT $8)
      UNION ALL
      (SELECT e.source_id, e.template_id, e.level FROM m JOIN log_entries e
        ON e.logged_at >= m.minute AND e.logged_at < m.minute + interval '1 minute'
          AND e.source_id = m.source_id AND e.level = m.level AND e.template_id IS NOT DISTINCT FROM m.template_id
        WHERE m.last_ingested >= ${MARK_7} AND e.logged_at >= $5 AND e.logged_at < $6 AND ${ENTRY_OF_RULE_3_4_7} LIMIT $8)
    ) raw GROUP BY 1, 2, 3`;

// lateSliceClasses: an entry's first line when it has no template (as the
// top templates show it), and the numbers (from 1) of the patterns $8 it matches (a set, in no order).
const LATE_LINE = "CASE WHEN e.template_id IS NULL THEN left(split_part(e.message, E'\\n', 1), 300) END";
const LATE_PATTERNS_8 = 'ARRAY(SELECT p.i::int FROM unnest($8::text[]) WITH ORDINALITY AS p(re, i) WHERE e.message ~ p.re)';

// lateSliceClasses and lateEarlierClasses: the classes of the entries a statement selects between
// LATE_CLASSES_HEAD and LATE_CLASSES_TAIL (columns id, logged_at, ingested_at, level, source_id,
// template_id, line, pats, starts; it may use least_shift). The marks as two arrays: visible_until
// ascending, and the earliest evaluation of each and every later mark (what SEEN_AT is for an entry
// ingested just before it); the least any entry's bounds move back; each entry's, as SEEN_EARLIER_BY.
const MARK_SEEN_AT = 'mk.seen[width_bucket(x.ingested_at, mk.until) + 1]';
const MARK_EARLIER_BY = `(interval '1 microsecond' * round(date_part('epoch', ${EVALUATED_AT} - coalesce(${MARK_SEEN_AT}, ${EVALUATED_AT})) * 1000000))`;
const LATEST_MARK_AT = '(SELECT max(m.evaluated_at) FROM alert_visibility m)';
const LEAST_EARLIER_BY = `(interval '1 microsecond' * round(date_part('epoch', ${EVALUATED_AT} - coalesce(${LATEST_MARK_AT}, ${EVALUATED_AT})) * 1000000))`;
const LATE_CLASSES_HEAD = `WITH marks AS MATERIALIZED (
      SELECT array_agg(m.visible_until ORDER BY m.visible_until) AS until, array_agg(m.seen ORDER BY m.visible_until) AS seen
      FROM (SELECT visible_until, min(evaluated_at) OVER (ORDER BY visible_until DESC) AS seen FROM alert_visibility) m),
    least_shift AS (SELECT least(interval '0', ${LEAST_EARLIER_BY}) AS shift),
    x AS (`;
const LATE_CLASSES_TAIL = `),
    shifted AS (SELECT x.*, ${MARK_EARLIER_BY} AS shift FROM x CROSS JOIN marks mk),
    classes AS (
      SELECT x.starts, cardinality($7::timestamptz[]) - width_bucket(x.logged_at + x.shift - interval '1 microsecond', $7::timestamptz[]) AS tier,
        x.level, x.source_id, x.pats, x.template_id, x.line,
        count(*) AS n, min(x.logged_at) AS first_at, max(x.logged_at) AS last_at, max(x.id)::text AS max_id,
        string_agg(float8send(round(date_part('epoch', x.logged_at - $6::timestamptz) * 1000000)), ''::bytea) AS times
      FROM shifted x
      GROUP BY 1, 2, 3, 4, 5, 6, 7)
    SELECT c.starts, c.tier, c.level, c.source_id::text AS source_id, c.pats, c.template_id::text AS template_id, c.line,
      ARRAY(SELECT g.i::int FROM unnest($9::text[]) WITH ORDINALITY AS g(glob, i)
        WHERE EXISTS (SELECT 1 FROM log_sources ls WHERE ls.id = c.source_id AND ls.path LIKE g.glob)) AS globs,
      dense_rank() OVER (ORDER BY c.template_id::text, c.line)::int AS rank,
      c.n::text AS n, c.first_at, c.last_at, c.max_id, c.times
    FROM classes c WHERE c.tier > 0`;

// A window of $10 ms as a frame: (end - window, end] is [end - window + 1 µs, end].
const WINDOW_FRAME_10 = 'make_interval(secs => ($10::bigint * 1000 - 1) / 1000000.0)';

// Inhibition (lib/alert/inhibition.ts): critical key `c` (an alert_state
// row) fires for the source of outbox row `o` (state row `s`) — the same
// file label, and the same service and host (a label a key does not have
// counts as empty) — and its latest notification was not suppressed (a
// silenced critical folds nothing: its mails do not go out).
const CRITICAL_FOR_OUTBOX_ROW = `c.state = 'firing' AND c.rule->>'severity' = 'critical' AND c.labels->>'file' IS NOT NULL
      AND c.labels->>'file' = o.labels->>'file'
      AND (c.labels->>'service') IS NOT DISTINCT FROM (o.labels->>'service') AND (c.labels->>'host') IS NOT DISTINCT FROM (o.labels->>'host')
      AND (SELECT x.suppressed FROM alert_outbox x WHERE x.rule_name = c.rule_name AND x.group_key = c.group_key ORDER BY x.id DESC LIMIT 1) IS NULL`;
const CRITICAL_FOR_STATE_ROW = `c.state = 'firing' AND c.rule->>'severity' = 'critical' AND c.labels->>'file' IS NOT NULL
      AND c.labels->>'file' = s.labels->>'file'
      AND (c.labels->>'service') IS NOT DISTINCT FROM (s.labels->>'service') AND (c.labels->>'host') IS NOT DISTINCT FROM (s.labels->>'host')
      AND (SELECT x.suppressed FROM alert_outbox x WHERE x.rule_name = c.rule_name AND x.group_key = c.group_key ORDER BY x.id DESC LIMIT 1) IS NULL`;

const STATE_COLUMNS =
  'rule_name, group_key, labels, clearing_since, held_since, state, state_since, firing_since, last_count, peak_count, last_notified_at, rule';
const OUTBOX_COLUMNS = 'id, rule_name, group_key, kind, subject, body, attributes, attempts, created_at';

export const ALERT_SQL = {
  /** Each rule's evaluation is a subtransaction: a rule that fails is rolled back alone. */
  savepointRule: 'SAVEPOINT rule',
  releaseRule: 'RELEASE SAVEPOINT rule',
  rollbackRule: 'ROLLBACK TO SAVEPOINT rule',
  /** The time limit of each statement, for the rest of the transaction ($1: e.g. '10000ms'). */
  setStatementTimeout: `SELECT set_config('statement_timeout', $1, true)`,
  currentStatementTimeout: `SELECT current_setting('statement_timeout') AS timeout`,
  /** One evaluation at a time; an overlapping run skips evaluation (it still publishes). */
  tryLockEvaluation: `SELECT pg_try_advisory_xact_lock(${EVALUATION_LOCK_KEY}) AS locked`,
  /** When the rules were last evaluated (the run's clock then). */
  lastEvaluation: 'SELECT max(last_evaluated_at) AS last FROM alert_state',
  /** The database's clock, the reference the job's clock is compared with (lib/alert/evaluation-clock.ts). */
  databaseNow: 'SELECT clock_timestamp() AS now',
  /** The database's clock (text: microseconds kept), when a requested run arrives. */
  arrivalTime: 'SELECT now()::text AS now',
  /** The visibility mark $1 has reached the instant $2 (both PostgreSQL text). */
  reached: 'SELECT $1::timestamptz >= $2::timestamptz AS reached',
  listStates: `SELECT ${STATE_COLUMNS} FROM alert_state ORDER BY rule_name`,
  saveState: `INSERT INTO alert_state (rule_name, group_key, labels, clearing_since, held_since, state, state_since, firing_since, last_count, peak_count, last_evaluated_at, last_notified_at, rule, updated_at)
    VALUES ($1, $10, $11, $12, $13, $2, $3, $4, $5, $6, $7, $8, $9, now())
    ON CONFLICT (rule_name, group_key) DO UPDATE SET labels = $11, clearing_since = $12, held_since = $13, state = $2, state_since = $3, firing_since = $4, last_count = $5,
      peak_count = $6, last_evaluated_at = $7, last_notified_at = $8, rule = $9, updated_at = now()`,
  /** saveState for many keys at once: $n[i] is saveState's $n of the i-th (no key twice). */
  saveStates: `INSERT INTO alert_state (rule_name, group_key, labels, clearing_since, held_since, state, state_since, firing_since, last_count, peak_count, last_evaluated_at, last_notified_at, rule, updated_at)
    SELECT v.rule_name, v.group_key, v.labels::jsonb, v.clearing_since, v.held_since, v.state, v.state_since, v.firing_since, v.last_count, v.peak_count, v.last_evaluated_at, v.last_notified_at, v.rule::jsonb, now()
    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[])
      AS v(rule_name, state, state_since, firing_since, last_count, peak_count, last_evaluated_at, last_notified_at, rule, group_key, labels, clearing_since, held_since)
    ON CONFLICT (rule_name, group_key) DO UPDATE SET labels = excluded.labels, clearing_since = excluded.clearing_since, held_since = excluded.held_since,
      state = excluded.state, state_since = excluded.state_since, firing_since = excluded.firing_since, last_count = excluded.last_count,
      peak_count = excluded.peak_count, last_evaluated_at = excluded.last_evaluated_at, last_notified_at = excluded.last_notified_at, rule = excluded.rule, updated_at = now()`,
  /** Every key of a rule. */
  deleteState: 'DELETE FROM alert_state WHERE rule_name = $1',
  /** One key of a rule (back to OK: a key keeps no state while it is OK). */
  deleteKeyState: 'DELETE FROM alert_state WHERE rule_name = $1 AND group_key = $2',

  /**
   * The window count that drives the state machine (range scan of
   * log_entries_logged_at), counting at most $6 entries: a flooded log costs
   * a bounded scan, not one proportional to the flood.
   */
  countWindow: `SELECT count(*) AS n FROM (SELECT 1 FROM ${ENTRIES} WHERE ${RULE_FILTER} LIMIT $6) capped`,
  /**
   * The window count of each key of a grouped rule (keys with entries only).
   * Counted per file, template and level first (integers and a short text:
   * a cheap aggregate), then per key over those few groups: building the
   * key's json text for every entry of a long window was most of a grouped
   * rule's cost (issue 16).
   */
  countByKey: `SELECT ${RULE_KEY} AS key, sum(e.n)::bigint AS n FROM (
      SELECT e.source_id, e.template_id, e.level, count(*) AS n FROM log_entries e WHERE ${RULE_FILTER} GROUP BY 1, 2, 3
    ) e LEFT JOIN log_sources s ON s.id = e.source_id GROUP BY 1`,
  /** countWindow from the per-minute counts (MARK_7 above): at most $8, each raw part bounded by $8 too. */
  minuteCountWindow: `SELECT least(coalesce(sum(g.n), 0), $8)::bigint AS n FROM (${WINDOW_GROUPS}) g`,
  /** countByKey from the per-minute counts (MARK_7 above); $8 null. */
  minuteCountByKey: `SELECT ${RULE_KEY} AS key, sum(e.n)::bigint AS n FROM (${WINDOW_GROUPS}) e
    LEFT JOIN log_sources s ON s.id = e.source_id GROUP BY 1`,
  /**
   * The window counts of an evaluation, read once for all the rules that
   * can read minutes (lib/alert/window-counts.ts): for each window i
   * ($1[i] < logged_at <= $2[i], whole minutes [$3[i], $4[i])), its entries
   * of levels $5 ingested before the mark $6 (null: none), per file,
   * template and level — WINDOW_GROUPS for many windows without the file
   * filter. The minutes of the longest window are summed once; the partial
   * minute at a window's start is counted from the entries per window, the
   * one at its end once per distinct end (every rule's window ends now).
   * $7 < logged_at <= $8 holds every window (SPAN_7_8).
   */
  evaluationWindowGroups: `WITH w AS MATERIALIZED (
      SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[]) WITH ORDINALITY AS w(from_at, to_at, lo, hi, i)),
    m AS MATERIALIZED (
      SELECT r.minute, r.source_id, r.template_id, r.level, sum(r.n)::bigint AS n, max(r.last_ingested) AS last_ingested
      FROM log_entry_minutes r
      WHERE r.minute >= (SELECT min(lo) FROM w) AND r.minute < (SELECT max(hi) FROM w) AND r.level = ANY($5::text[])
      GROUP BY 1, 2, 3, 4),
    recounted AS MATERIALIZED (
      SELECT m.minute, m.source_id, m.template_id, m.level,
        (SELECT count(*) FROM log_entries e
          WHERE e.logged_at >= m.minute AND e.logged_at < m.minute + interval '1 minute' AND ${SPAN_7_8}
            AND e.source_id = m.source_id AND e.level = m.level AND e.template_id IS NOT DISTINCT FROM m.template_id
            AND e.ingested_at < ${MARK_6}) AS n
      FROM m WHERE m.last_ingested >= ${MARK_6}),
    ends AS (SELECT DISTINCT hi, to_at FROM w),
    parts AS (
      SELECT w.i, m.source_id, m.template_id, m.level, m.n FROM w JOIN m ON m.minute >= w.lo AND m.minute < w.hi
        WHERE m.last_ingested < ${MARK_6}
      UNION ALL
      SELECT w.i, u.source_id, u.template_id, u.level, u.n FROM w JOIN recounted u ON u.minute >= w.lo AND u.minute < w.hi
      UNION ALL
      SELECT w.i, x.source_id, x.template_id, x.level, x.n FROM w CROSS JOIN LATERAL (
        SELECT e.source_id, e.template_id, e.level, count(*) AS n FROM log_entries e
        WHERE e.logged_at > w.from_at AND e.logged_at < w.lo AND ${SPAN_7_8} AND e.level = ANY($5::text[]) AND e.ingested_at < ${MARK_6}
        GROUP BY 1, 2, 3) x
      UNION ALL
      SELECT w.i, x.source_id, x.template_id, x.level, x.n FROM ends t CROSS JOIN LATERAL (
        SELECT e.source_id, e.template_id, e.level, count(*) AS n FROM log_entries e
        WHERE e.logged_at >= t.hi AND e.logged_at <= t.to_at AND ${SPAN_7_8} AND e.level = ANY($5::text[]) AND e.ingested_at < ${MARK_6}
        GROUP BY 1, 2, 3) x JOIN w ON w.hi = t.hi AND w.to_at = t.to_at)
    SELECT i::int AS i, source_id::text AS source_id, template_id::text AS template_id, level, sum(n)::bigint::text AS n
    FROM parts GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0`,
  /**
   * The window counts of an evaluation's rules with a `pattern` whose counts
   * pattern_minutes keeps (021_pattern_minutes.sql, lib/alert/pattern-minutes.ts):
   * for each window i ($1[i] < logged_at <= $2[i], whole minutes [$3[i], $4[i]))
   * of pattern $5[i] (covered from $6[i], counted before position ($7[i], $8[i])),
   * its entries of levels $9 ingested before the mark $10 (null: none), per
   * file, template and level. The covered whole minutes come from
   * pattern_minutes; from log_entries: the window up to the first covered
   * minute, its partial last minute, and in the covered minutes the entries
   * not counted yet (a backlog the cursor has not reached), when $11: the
   * cursor stopped short of the mark (else it stands at the mark, and every
   * entry before it is counted). $12 < logged_at <= $13 holds every window.
   * Those entries are looked for only in the minutes log_entry_minutes says
   * something was stored in at or after the counted position's ingest time
   * (`fresh`: a row's last_ingested is the latest of the entries it counts),
   * each minute read by logged_at alone (OFFSET 0: no BitmapAnd with the
   * ingest-time index, which during a backlog committed at once holds the
   * whole backlog past the position). During a late backlog the window's
   * minutes of live entries are not read again: 2.0 s -> ms a run at 10
   * million late entries (issue 16).
   */
  evaluationPatternGroups: `WITH w AS MATERIALIZED (
      SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::bigint[])
        WITH ORDINALITY AS w(from_at, to_at, lo, hi, pattern, covered_from, added_until, added_id, i)),
    fresh AS MATERIALIZED (
      SELECT DISTINCT w.i, r.minute FROM w JOIN log_entry_minutes r ON r.minute >= greatest(w.lo, w.covered_from) AND r.minute < w.hi
      WHERE $11::boolean AND r.last_ingested >= w.added_until AND r.level = ANY($9::text[])),
    parts AS (
      SELECT w.i, m.source_id, m.template_id, m.level, m.n FROM w JOIN pattern_minutes m
        ON m.pattern = w.pattern AND m.minute >= greatest(w.lo, w.covered_from) AND m.minute < w.hi
        WHERE m.level = ANY($9::text[])
      UNION ALL
      SELECT w.i, x.source_id, x.template_id, x.level, x.n FROM w CROSS JOIN LATERAL (
        SELECT e.source_id, e.template_id, e.level, count(*) AS n FROM log_entries e
        WHERE ${SPAN_12_13} AND e.logged_at > w.from_at AND e.logged_at < least(greatest(w.lo, w.covered_from), w.hi)
          AND e.level = ANY($9::text[]) AND e.ingested_at < ${MARK_10} AND e.message ~ w.pattern
        GROUP BY 1, 2, 3) x
      UNION ALL
      SELECT w.i, x.source_id, x.template_id, x.level, x.n FROM w CROSS JOIN LATERAL (
        SELECT e.source_id, e.template_id, e.level, count(*) AS n FROM log_entries e
        WHERE ${SPAN_12_13} AND e.logged_at >= w.hi AND e.logged_at <= w.to_at
          AND e.level = ANY($9::text[]) AND e.ingested_at < ${MARK_10} AND e.message ~ w.pattern
        GROUP BY 1, 2, 3) x
      UNION ALL
      SELECT w.i, x.source_id, x.template_id, x.level, x.n FROM fresh f JOIN w ON w.i = f.i CROSS JOIN LATERAL (
        SELECT e.source_id, e.template_id, e.level, count(*) AS n FROM (
          SELECT e.source_id, e.template_id, e.level, e.ingested_at, e.id, e.message FROM log_entries e
          WHERE ${SPAN_12_13} AND e.logged_at >= f.minute AND e.logged_at < f.minute + interval '1 minute'
            AND e.logged_at >= greatest(w.lo, w.covered_from) AND e.logged_at < w.hi AND e.level = ANY($9::text[])
          OFFSET 0) e
        WHERE e.ingested_at >= w.added_until AND e.ingested_at < ${MARK_10} AND (e.ingested_at, e.id) >= (w.added_until, w.added_id)
          AND e.message ~ w.pattern
        GROUP BY 1, 2, 3) x)
    SELECT i::int AS i, source_id::text AS source_id, template_id::text AS template_id, level, sum(n)::bigint::text AS n
    FROM parts GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0`,
  /**
   * Which patterns pattern_minutes keeps, from which minute, counted up to
   * which position, and whether that is past the cursor's position ($1, $2):
   * a cursor moved back by hand (its counts then hold entries the evaluation
   * must not see yet).
   */
  patternCoverage: `SELECT pattern, covered_from, added_until::text AS added_until, added_id::text AS added_id,
      (added_until, added_id) > ($1::timestamptz, $2::bigint) AS ahead
    FROM pattern_coverage`,
  /** Stop keeping the patterns no rule has any more ($1: the rules' patterns); their minutes go with them. */
  dropPatterns: 'DELETE FROM pattern_coverage WHERE NOT (pattern = ANY($1::text[]))',
  /** Keep pattern $1 from minute $2 on, counted before position ($3, $4) (its entries are added by addPatternMinutes). */
  startPattern: `INSERT INTO pattern_coverage (pattern, covered_from, added_until, added_id) VALUES ($1, $2, $3::timestamptz, $4::bigint)`,
  /**
   * Add to pattern $1 its entries logged in [$2, $3) at positions from
   * ($4, $5) (inclusive; a null $4: from the first) to ($6, $7) (exclusive),
   * and record ($6, $7) as counted before when it is further (its first
   * minute: $2 when it is earlier). The caller keeps $2..$3 and the positions
   * outside what is already counted.
   */
  addPatternMinutes: `WITH moved AS (
      UPDATE pattern_coverage SET covered_from = least(covered_from, $2), updated_at = now(),
        added_until = CASE WHEN ($6::timestamptz, $7::bigint) > (added_until, added_id) THEN $6::timestamptz ELSE added_until END,
        added_id = CASE WHEN ($6::timestamptz, $7::bigint) > (added_until, added_id) THEN $7::bigint ELSE added_id END
      WHERE pattern = $1 RETURNING pattern)
    INSERT INTO pattern_minutes (pattern, minute, source_id, template_id, level, n)
    SELECT (SELECT pattern FROM moved), date_bin('1 minute', e.logged_at, '2000-01-01 00:00+00'), e.source_id, e.template_id, e.level, count(*)
    FROM log_entries e
    WHERE e.logged_at >= $2 AND e.logged_at < $3
      AND ${COUNTED_4_TO_7}
      AND e.message ~ $1
    GROUP BY 2, 3, 4, 5`,
  /** Pattern $1 is counted from minute $2 on (later than before): the minutes before go. */
  prunePattern: `WITH moved AS (UPDATE pattern_coverage SET covered_from = $2, updated_at = now() WHERE pattern = $1 AND covered_from < $2 RETURNING pattern)
    DELETE FROM pattern_minutes m USING moved WHERE m.pattern = moved.pattern AND m.minute < $2`,
  /** The files whose path is LIKE each of $1 (a rule's `source` glob): one row per pattern and file. */
  sourcesLike: `SELECT p.pattern, ls.id::text AS source_id FROM unnest($1::text[]) AS p(pattern) JOIN log_sources ls ON ls.path LIKE p.pattern`,
  /** The key (RULE_KEY) of each (file $1[i], template $2[i], level $3[i]) group, as countByKey computes it. */
  groupKeys: `SELECT e.source_id::text AS source_id, e.template_id::text AS template_id, e.level, ${RULE_KEY} AS key
    FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS e(source_id, template_id, level) LEFT JOIN log_sources s ON s.id = e.source_id`,
  /** The files and levels of the entries in the slice $1..$4, with the newest logged_at of each (which rules can have a fresh entry). */
  sliceGroups: `SELECT e.source_id::text AS source_id, e.level, max(e.logged_at) AS last_at FROM log_entries e WHERE ${SLICE_1_TO_4} GROUP BY 1, 2`,
  /** The keys of a grouped rule with an entry in the slice $6..$9 logged in ($1, $2]. */
  freshKeys: `SELECT DISTINCT ${RULE_KEY} AS key FROM ${ENTRIES} WHERE ${RULE_FILTER} AND ${SLICE_6_TO_9} AND NOT ${SEEN}`,
  windowBounds: `SELECT count(*) AS n, min(e.logged_at) AS first_at, max(e.logged_at) AS last_at,
      count(DISTINCT e.source_id) AS files
    FROM ${ENTRIES} WHERE ${RULE_FILTER}`,
  /**
   * Most frequent error templates in the window ($6: how many), with the
   * latest entry of each as its example. Entries stored before templates
   * existed are grouped by their first line.
   */
  topTemplates: `SELECT e.template_id::text AS template_id,
      CASE WHEN e.template_id IS NULL THEN left(split_part(e.message, E'\\n', 1), 300) END AS line,
      count(*) AS n, max(e.id)::text AS example_id, min(e.logged_at) AS first_at, count(DISTINCT e.source_id) AS files
    FROM ${ENTRIES} WHERE ${RULE_FILTER}
    GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT $6`,
  /** The example entries of topTemplates ($1: ids), with their file and what is known of their template. */
  templateExamples: `SELECT e.id::text AS id, left(e.message, 2000) AS message, coalesce(s.path, '(unknown file)') AS path,
      t.template, t.first_seen, t.appeared_at
    FROM log_entries e LEFT JOIN log_sources s ON s.id = e.source_id LEFT JOIN error_templates t ON t.id = e.template_id
    WHERE e.id = ANY($1::bigint[])`,
  /** Latest entries with their file ($6: how many). */
  sampleEntries: `SELECT e.logged_at, e.level, left(e.message, 2000) AS message, coalesce(s.path, '(unknown file)') AS path
    FROM ${ENTRIES}
    WHERE ${RULE_FILTER}
    ORDER BY e.logged_at DESC, e.id DESC LIMIT $6`,

  /**
   * Where the windows holding a fresh entry of a rule can lie: fresh entries
   * are FRESH_FILTER over (now - grace - window, now]; a window (end - $8 ms,
   * end] holding one starts after the first minus the window and ends before
   * the last plus the window ($10 ms). `n` = 0: nothing fresh (the bounds then mean nothing).
   */
  freshWindowsSpan: `SELECT count(*) AS n,
      greatest($1::timestamptz, min(e.logged_at) - make_interval(secs => $10::bigint / 1000.0))::text AS from_text,
      least($2::timestamptz, max(e.logged_at) + make_interval(secs => $10::bigint / 1000.0))::text AS to_text
    FROM ${ENTRIES} WHERE ${FRESH_FILTER}`,
  /**
   * The busiest window of $10 ms holding a fresh entry (in the slice $6..$9)
   * and ending at or after $11 (now - grace), over the rule's entries in
   * ($1, $2] (freshWindowsSpan). A busiest window ends at an entry, or at
   * $11 when all its entries are older (the synthetic row), so those are the
   * only ends looked at. The count stops at $12 like countWindow's; bounds as
   * text keep microseconds.
   */
  busiestFreshWindow: `WITH ends AS (
      SELECT e.logged_at AS at, 1 AS entries, (${SLICE_6_TO_9} AND NOT ${SEEN}) AS fresh
      FROM ${ENTRIES} WHERE ${RULE_FILTER}
      UNION ALL SELECT $11::timestamptz, 0, false),
    windows AS (
      SELECT at, sum(entries) OVER w AS n, bool_or(fresh) OVER w AS has_fresh FROM ends
      WINDOW w AS (ORDER BY at RANGE BETWEEN ${WINDOW_FRAME_10} PRECEDING AND CURRENT ROW))
    SELECT least(n, $12) AS n, at AS end_at, at::text AS end_text,
      (at - make_interval(secs => $10::bigint / 1000.0))::text AS start_text
    FROM windows WHERE has_fresh AND at >= $11
    ORDER BY n DESC, at DESC LIMIT 1`,

  /** Notifications a rule's key ($3; '' for a rule without groupBy) queued since $2 (the hourly cap; silenced, muted and inhibited ones reached nobody on their own). */
  /**
   * For each key ($1[i], $2[i]): its notifications since $3 (as
   * countRecentNotifications counts them) and the silence that recorded its
   * latest notification (as lastSilenced), in one statement.
   */
  outboxLedger: `SELECT k.rule_name, k.group_key,
      (SELECT count(*) FROM alert_outbox o WHERE o.rule_name = k.rule_name AND o.group_key = k.group_key AND o.created_at > $3 AND o.suppressed IS NULL) AS recent,
      s.id::text AS silence_id, s.ends_at, s.comment, s.mute_window
    FROM unnest($1::text[], $2::text[]) AS k(rule_name, group_key)
    LEFT JOIN alert_outbox latest ON latest.id = (SELECT max(id) FROM alert_outbox WHERE rule_name = k.rule_name AND group_key = k.group_key)
    LEFT JOIN alert_silences s ON s.id = latest.silenced_by`,
  countRecentNotifications: 'SELECT count(*) AS n FROM alert_outbox WHERE rule_name = $1 AND group_key = $3 AND created_at > $2 AND suppressed IS NULL',
  /**
   * Queue a notification ($7: the rule's key, $8: the key's labels as JSON).
   * When an active silence matches the rule name and the labels, the row is
   * recorded as sent by that silence (silenced_by), never published.
   */
  insertOutbox: `INSERT INTO alert_outbox (rule_name, kind, subject, body, attributes, created_at, group_key, labels, silenced_by, suppressed, sent_at, message_id)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8::jsonb, m.id, CASE WHEN m.id IS NULL THEN NULL WHEN m.mute_window IS NULL THEN 'silenced' ELSE 'muted' END,
      CASE WHEN m.id IS NOT NULL THEN $6::timestamptz END, CASE WHEN m.id IS NOT NULL THEN 'silenced:' || m.id END
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT id, mute_window FROM alert_silences
      WHERE starts_at <= $6 AND ends_at > $6 AND $1 LIKE rule_like AND matchers <@ $8::jsonb
        AND (matches_health OR $1 NOT LIKE 'health:%') ORDER BY id LIMIT 1) m ON true
    RETURNING id, silenced_by`,
  /** The latest notification of a rule's key, when a silence (or a mute window's opening) recorded it: which, until when. */
  lastSilenced: `SELECT s.id::text AS id, s.ends_at, s.comment, s.mute_window FROM alert_outbox o JOIN alert_silences s ON s.id = o.silenced_by
    WHERE o.id = (SELECT max(id) FROM alert_outbox WHERE rule_name = $1 AND group_key = $2)`,
  /** Silences: add, list (ending after $1), expire. */
  insertSilence: `INSERT INTO alert_silences (rule_glob, rule_like, matchers, starts_at, ends_at, comment, created_by)
    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text AS id`,
  listSilences: `SELECT id::text AS id, rule_glob, matchers, starts_at, ends_at, comment, created_by FROM alert_silences
    WHERE ends_at > $1 AND mute_window IS NULL ORDER BY starts_at, id`,
  /**
   * Mute windows (lib/alert/mute-windows.ts): the openings of windows not
   * open at $3 as they were stored (window $1[i] opened at $2[i] is) end at $3.
   */
  endMuteOccurrences: `UPDATE alert_silences s SET ends_at = $3
    WHERE s.mute_window IS NOT NULL AND s.starts_at <= $3 AND s.ends_at > $3
      AND NOT EXISTS (SELECT 1 FROM unnest($1::text[], $2::timestamptz[]) AS open (name, starts_at)
        WHERE open.name = s.mute_window AND open.starts_at = s.starts_at)`,
  /**
   * The openings of the windows open at $9 (arrays of equal length: $1 name,
   * $2 rule glob, $3 as LIKE, $4 matchers as JSON, $5/$6 start and end, $7
   * comment, $8 whether it may mute health rules), kept as the configuration
   * says unless closed early (an expired one stays closed).
   */
  upsertMuteOccurrences: `INSERT INTO alert_silences AS s (mute_window, rule_glob, rule_like, matchers, starts_at, ends_at, comment, matches_health, created_by)
    SELECT o.name, o.rule_glob, o.rule_like, o.matchers, o.starts_at, o.ends_at, o.comment, o.matches_health, 'ALERT_RULES'
    FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::boolean[])
      AS o (name, rule_glob, rule_like, matchers, starts_at, ends_at, comment, matches_health)
    ON CONFLICT (mute_window, starts_at) WHERE mute_window IS NOT NULL DO UPDATE
      SET rule_glob = EXCLUDED.rule_glob, rule_like = EXCLUDED.rule_like, matchers = EXCLUDED.matchers, ends_at = EXCLUDED.ends_at,
        comment = EXCLUDED.comment, matches_health = EXCLUDED.matches_health
      WHERE s.ends_at > $9`,
  expireSilence: `UPDATE alert_silences SET starts_at = least(starts_at, $2::timestamptz - interval '1 millisecond'), ends_at = $2
    WHERE id = $1 AND ends_at > $2 RETURNING id::text AS id`,

  /**
   * Move the commit cursor and return the slice to examine, positions
   * (ingested_at, id) from the previous one (inclusive; null on the first
   * run) to the new one (exclusive): the entries committed since the previous
   * evaluation, at most $2 of them. The watermark bounds it: below it every
   * entry is committed. It is the start of the oldest client transaction
   * still open in this database (ingested_at is its transaction's start),
   * less a margin ($1 ms) for a start reported late. Only sessions of our own
   * role (or all, with pg_read_all_stats) show their xact_start. When more
   * than $2 entries lie below the watermark the cursor stops at the ($2+1)th
   * (`more`), and the next evaluation goes on from there. Times travel as
   * text: a JavaScript Date would drop the microseconds.
   */
  advanceCommitCursor: `WITH mark AS (
      SELECT least(now(), (SELECT min(xact_start) FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend' AND application_name = $3
          AND pid <> pg_backend_pid() AND xact_start IS NOT NULL)) - make_interval(secs => $1::bigint / 1000.0) AS until),
    previous AS (SELECT examined_until AS at, examined_id AS id FROM alert_cursor WHERE singleton),
    -- bounds as scalar subqueries (evaluated once, then index bounds of log_entries_ingested_at_id): joined
    -- to the CTEs, the planner walked the whole index from its start at every run (2.2 s at 10 million rows)
    stop AS (SELECT e.ingested_at AS at, e.id FROM log_entries e
      WHERE e.ingested_at >= (SELECT at FROM previous) AND e.ingested_at < (SELECT until FROM mark)
        AND (e.ingested_at, e.id) >= ((SELECT at FROM previous), (SELECT id FROM previous))
      ORDER BY e.ingested_at, e.id OFFSET $2 LIMIT 1),
    target AS (SELECT coalesce((SELECT at FROM stop), (SELECT until FROM mark)) AS at, coalesce((SELECT id FROM stop), 0) AS id),
    saved AS (
      INSERT INTO alert_cursor (singleton, examined_until, examined_id, updated_at) SELECT true, at, id, now() FROM target
      ON CONFLICT (singleton) DO UPDATE
        SET examined_until = CASE WHEN (EXCLUDED.examined_until, EXCLUDED.examined_id) > (alert_cursor.examined_until, alert_cursor.examined_id)
            THEN EXCLUDED.examined_until ELSE alert_cursor.examined_until END,
          examined_id = CASE WHEN (EXCLUDED.examined_until, EXCLUDED.examined_id) > (alert_cursor.examined_until, alert_cursor.examined_id)
            THEN EXCLUDED.examined_id ELSE alert_cursor.examined_id END,
          updated_at = now()
      RETURNING examined_until, examined_id)
    SELECT (SELECT until FROM mark)::text AS visible_until, (SELECT at FROM previous)::text AS from_text, (SELECT id FROM previous)::text AS from_id,
      (SELECT examined_until FROM saved)::text AS until_text, (SELECT examined_id FROM saved)::text AS until_id,
      ((SELECT at FROM previous), (SELECT id FROM previous)) < ((SELECT examined_until FROM saved), (SELECT examined_id FROM saved)) AS advanced,
      EXISTS (SELECT 1 FROM stop) AS more`,
  /** The evaluation's clock, for the late-data statements of its transaction ($1 as text). */
  setEvaluationContext: `SELECT set_config('logmon.evaluated_at', $1, true)`,
  /**
   * The mark ($1) and the evaluation's clock ($2) recorded while the cursor
   * ($3, $4) is behind it; the marks of entries examined before this
   * evaluation's slice (starting at $5) deleted.
   */
  recordVisibilityMark: `WITH pruned AS (DELETE FROM alert_visibility WHERE visible_until <= $5::timestamptz)
    INSERT INTO alert_visibility (visible_until, evaluated_at)
    SELECT $1::timestamptz, $2::timestamptz WHERE ($3::timestamptz, $4::bigint) < ($1::timestamptz, 0::bigint)
    ON CONFLICT (visible_until) DO NOTHING`,
  /** The oldest open transaction of logmon's sessions but this one (what holds the visibility mark back), $1: logmon's application name. */
  oldestLogmonTransaction: `SELECT pid, state, xact_start, (extract(epoch FROM now() - xact_start) * 1000)::bigint::text AS age_ms, left(query, 200) AS query
    FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend' AND application_name = $1
      AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
    ORDER BY xact_start LIMIT 1`,
  /** The templates of the entries in the slice [($1, $2), ($3, $4)): span, count, and the first entry of each. */
  sliceTemplates: `SELECT e.template_id::text AS id, min(e.logged_at) AS first_at, max(e.logged_at) AS last_at, count(*) AS n, min(e.id)::text AS example_id
    FROM log_entries e WHERE ${SLICE_1_TO_4} AND e.template_id IS NOT NULL GROUP BY 1`,
  /**
   * The templates of the entries logged since $1, for the catalog's first run
   * (history examined by no slice): the newest $2 of them at most (a backward
   * scan of log_entries_logged_at), so a huge database costs a bounded first run.
   */
  historyTemplates: `SELECT e.template_id::text AS id, min(e.logged_at) AS first_at, max(e.logged_at) AS last_at, count(*) AS n, min(e.id)::text AS example_id
    FROM (SELECT template_id, logged_at, id FROM log_entries WHERE logged_at > $1 AND template_id IS NOT NULL
      ORDER BY logged_at DESC LIMIT $2) e GROUP BY 1`,
  /** What the catalog needs of the first entries of sliceTemplates ($1: ids): the message, its file, when that file was first read. */
  catalogExamples: `SELECT e.id::text AS id, left(e.message, 2000) AS message, e.source_id::text AS source_id, s.created_at AS source_since
    FROM log_entries e LEFT JOIN log_sources s ON s.id = e.source_id WHERE e.id = ANY($1::bigint[])`,
  /** When the alert job first examined entries (the first learning period). */
  trackingSince: 'SELECT created_at FROM alert_cursor WHERE singleton',
  /**
   * Add one slice's templates to the catalog (arrays of equal length): $1 ids,
   * $2 templates, $3 examples, $4 example ids, $5 source ids, $6/$7 first and
   * last logged_at, $8 entries, $9 whether an appearance starting now would be
   * learned. An entry after an absence of $10 ms or more starts a new appearance.
   */
  upsertTemplates: `INSERT INTO error_templates AS t
      (id, template, example, example_id, source_id, first_seen, last_seen, entries, appeared_at, seen_before, learning, updated_at)
    SELECT u.id, u.template, u.example, u.example_id, u.source_id, u.first_at, u.last_at, u.n, u.first_at, NULL, u.learning, now()
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::bigint[], $9::boolean[])
      AS u (id, template, example, example_id, source_id, first_at, last_at, n, learning)
    ON CONFLICT (id) DO UPDATE SET
      appeared_at = CASE WHEN EXCLUDED.first_seen >= t.last_seen + make_interval(secs => $10::bigint / 1000.0) THEN EXCLUDED.first_seen ELSE t.appeared_at END,
      seen_before = CASE WHEN EXCLUDED.first_seen >= t.last_seen + make_interval(secs => $10::bigint / 1000.0) THEN t.last_seen ELSE t.seen_before END,
      learning = CASE WHEN EXCLUDED.first_seen >= t.last_seen + make_interval(secs => $10::bigint / 1000.0) THEN EXCLUDED.learning ELSE t.learning END,
      source_id = CASE WHEN EXCLUDED.first_seen >= t.last_seen + make_interval(secs => $10::bigint / 1000.0) THEN EXCLUDED.source_id ELSE t.source_id END,
      first_seen = least(t.first_seen, EXCLUDED.first_seen),
      last_seen = greatest(t.last_seen, EXCLUDED.last_seen),
      entries = t.entries + EXCLUDED.entries,
      updated_at = now()`,
  /** Any entry in the slice [($1, $2), ($3, $4)) logged in ($6, $5] (the cheap pre-check of late data, for the shortest window). */
  anyLateEntries: `SELECT EXISTS (SELECT 1 FROM log_entries e
    WHERE ${SLICE_1_TO_4}
      AND e.logged_at <= $5::timestamptz - ${SEEN_EARLIER_BY} AND e.logged_at > $6) AS found`,
  /**
   * Late entries of a rule in the slice (FRESH_FILTER over (now - horizon,
   * now - grace - window]): how many, their span, and the busiest window of
   * $10 ms among them.
   */
  lateBursts: `SELECT count(*) AS n, min(logged_at) AS first_at, max(logged_at) AS last_at, coalesce(max(in_window), 0) AS busiest
    FROM (SELECT e.logged_at, count(*) OVER (ORDER BY e.logged_at
            RANGE BETWEEN CURRENT ROW AND ${WINDOW_FRAME_10} FOLLOWING) AS in_window
          FROM ${ENTRIES} WHERE ${LATE_FILTER}) late`,
  /** As topTemplates, over the late entries of a rule in the slice ($10: how many). */
  lateTopTemplates: `SELECT e.template_id::text AS template_id,
      CASE WHEN e.template_id IS NULL THEN left(split_part(e.message, E'\\n', 1), 300) END AS line,
      count(*) AS n, max(e.id)::text AS example_id, min(e.logged_at) AS first_at, count(DISTINCT e.source_id) AS files
    FROM ${ENTRIES} WHERE ${LATE_FILTER}
    GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT $10`,
  /**
   * The latest late entries of a rule in the slice ($10: how many). The slice
   * is read first (OFFSET 0 keeps the sort out of the scan): ordered by
   * logged_at with a LIMIT, the planner walked log_entries_logged_at back from
   * the late bound through every newer entry, 1.7 million at 1 million live
   * and 1 million late entries (0.6 s per rule and run of a backlog).
   */
  lateSampleEntries: `SELECT x.logged_at, x.level, x.message, x.path FROM (
      SELECT e.logged_at, e.id, e.level, left(e.message, 2000) AS message, coalesce(s.path, '(unknown file)') AS path
      FROM ${ENTRIES} WHERE ${LATE_FILTER} OFFSET 0) x
    ORDER BY x.logged_at DESC, x.id DESC LIMIT $10`,
  /** Late entries of each rule examined by earlier evaluations of a backlog, not reported yet. */
  listLateTallies:
    'SELECT rule_name, entries, busiest, first_at, last_at, top_messages, samples, since, from_at::text AS from_at, from_id::text AS from_id FROM alert_late_tally',
  saveLateTally: `INSERT INTO alert_late_tally (rule_name, entries, busiest, first_at, last_at, top_messages, samples, since, from_at, from_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (rule_name) DO UPDATE SET entries = $2, busiest = $3, first_at = $4, last_at = $5, top_messages = $6, samples = $7, since = $8,
      from_at = $9, from_id = $10`,
  /**
   * The busiest window of $10 ms among a rule's late entries examined from
   * the tally's start to this slice's end ($6..$9), logged in ($1, $11]
   * (this slice's late entries, one window either side): a window a slice
   * boundary split is counted whole.
   */
  lateBusiest: `SELECT coalesce(max(in_window), 0) AS busiest
    FROM (SELECT count(*) OVER (ORDER BY e.logged_at RANGE BETWEEN CURRENT ROW AND ${WINDOW_FRAME_10} FOLLOWING) AS in_window
          FROM ${ENTRIES} WHERE ${LATE_FILTER} AND e.logged_at <= $11::timestamptz) late`,
  deleteLateTally: 'DELETE FROM alert_late_tally WHERE rule_name = $1',
  /**
   * The late entries of every rule in the slice [($1, $2), ($3, $4)), read
   * once (lib/alert/late-pass.ts), as classes: entries alike for every rule
   * filter, with their times. An entry is late for the latest bound $5
   * (moved back as LATE_FILTER's) and logged after $6 (the horizon), visible
   * before $10 (null: no mark). A class holds the entries of one file, level,
   * template (or first line, before templates), of the same rule bounds met
   * (`tier`: how many of $7, ascending, the entry is at or before, moved back
   * alike) and of the same patterns of $8 matched (their numbers from 1).
   * `globs`: the file globs of $9 its file matches. `times`: its entries'
   * times, in microseconds after $6, as big-endian float8 (a text array of
   * 100,000 numbers took the job longer to parse than the statement to run).
   * Grouped by hashing (no ordered aggregate: the job orders the times). How
   * far an entry's bounds move back (SEEN_EARLIER_BY) comes from the marks
   * as two arrays (width_bucket: no statement per entry), and the bounds it
   * meets from $7 (width_bucket). The scan bounds logged_at with IS TRUE:
   * the planner otherwise added a bitmap of log_entries_logged_at (1.5
   * million entries at 1 million live and 1 million late) to the slice's.
   */
  lateSliceClasses: `${LATE_CLASSES_HEAD}SELECT e.id, e.logged_at, e.ingested_at, e.level, e.source_id, e.template_id, ${LATE_LINE} AS line, ${LATE_PATTERNS_8} AS pats,
        '{}'::int[] AS starts
      FROM log_entries e
      WHERE ${SLICE_1_TO_4} AND (e.logged_at <= $5::timestamptz - (SELECT shift FROM least_shift) AND e.logged_at > $6::timestamptz) IS TRUE
        AND ($10::timestamptz IS NULL OR e.ingested_at < $10::timestamptz)${LATE_CLASSES_TAIL}`,
  /**
   * As lateSliceClasses, the late entries (for $5 to $10 as there) of the
   * levels $13 examined by earlier slices: from the first tally start ($14,
   * $15; all of them: $11 positions, $12 ids) up to the slice ($1, $2), as
   * SLICE_1_TO_4's index ranges with bounds the planner sees (from a
   * subquery it took the whole backlog's ingest time for one range, and
   * joined that index with logged_at's: 10 million index entries read, 0.5 s
   * a run during a backlog committed at once), logged in ($3, $4] (one
   * window around the slice's late entries of the rules whose busiest window
   * across slices is read: readBusiestAcross), with the tally starts their
   * position is at or after (`starts`, numbers from 1); neither template nor
   * line (only their times count).
   */
  /** The first of the positions ($1[i], $2[i]) in the cursor's order (ingested_at, id), as text: lateEarlierClasses' $14, $15. */
  firstPosition: `SELECT s.at::text AS at, s.id::text AS id FROM unnest($1::timestamptz[], $2::bigint[]) AS s(at, id) ORDER BY s.at, s.id LIMIT 1`,
  lateEarlierClasses: `${LATE_CLASSES_HEAD}WITH starts AS (SELECT s.at, s.id, s.i FROM unnest($11::timestamptz[], $12::bigint[]) WITH ORDINALITY AS s(at, id, i))
      SELECT e.id, e.logged_at, e.ingested_at, e.level, e.source_id, NULL::bigint AS template_id, NULL::text AS line, ${LATE_PATTERNS_8} AS pats,
        ARRAY(SELECT t.i::int FROM starts t WHERE (t.at, t.id) <= (e.ingested_at, e.id)) AS starts
      FROM log_entries e
      WHERE e.ingested_at >= $14 AND e.ingested_at <= $1
        AND ((e.ingested_at = $14::timestamptz AND e.id >= $15::bigint AND ($14::timestamptz < $1::timestamptz OR e.id < $2::bigint))
          OR (e.ingested_at > $14::timestamptz AND e.ingested_at < $1::timestamptz)
          OR (e.ingested_at = $1::timestamptz AND $14::timestamptz < $1::timestamptz AND e.id < $2::bigint))
        AND e.logged_at > $3::timestamptz AND e.logged_at <= $4::timestamptz AND e.level = ANY($13::text[])
        AND (e.logged_at <= $5::timestamptz - (SELECT shift FROM least_shift) AND e.logged_at > $6::timestamptz) IS TRUE
        AND ($10::timestamptz IS NULL OR e.ingested_at < $10::timestamptz)${LATE_CLASSES_TAIL}`,
  /**
   * The entries of the slice that lateSliceClasses counts (same $1..$10)
   * logged at one of the times $11 (microseconds after $6): the latest of
   * each rule's classes, to choose its samples from. Each with what says
   * which rules it is of, as a class of lateSliceClasses.
   */
  lateEntriesAt: `SELECT e.id::text AS id, e.logged_at, round(date_part('epoch', e.logged_at - $6::timestamptz) * 1000000) AS us,
      e.level, left(e.message, 2000) AS message, coalesce(s.path, '(unknown file)') AS path,
      (SELECT count(*) FROM unnest($7::timestamptz[]) AS b(at) WHERE e.logged_at <= b.at - ${SEEN_EARLIER_BY})::int AS tier,
      ${LATE_PATTERNS_8} AS pats,
      ARRAY(SELECT g.i::int FROM unnest($9::text[]) WITH ORDINALITY AS g(glob, i) WHERE s.path LIKE g.glob ORDER BY g.i) AS globs
    FROM log_entries e LEFT JOIN log_sources s ON s.id = e.source_id
    WHERE ${SLICE_1_TO_4} AND e.logged_at = ANY(ARRAY(SELECT $6::timestamptz + u * interval '1 microsecond' FROM unnest($11::float8[]) AS u))
      AND e.logged_at <= $5::timestamptz - ${SEEN_EARLIER_BY} AND e.logged_at > $6::timestamptz
      AND ($10::timestamptz IS NULL OR e.ingested_at < $10::timestamptz)`,

  /**
   * The oldest unsent row of a rule that no other run holds, locked for the
   * publish. Rows of one rule and key go out in order: a later row waits
   * while an earlier one is unsent (or being sent by another run). $1: the
   * rule/key pairs to skip, as rule_name, newline, group_key. $2: rows queued
   * after it wait out the group wait (ALERT_GROUP_WAIT; health messages never wait).
   */
  claimNextOutbox: `SELECT ${OUTBOX_COLUMNS} FROM alert_outbox o
    WHERE o.sent_at IS NULL AND NOT ((o.rule_name || E'\\n' || o.group_key) = ANY($1::text[]))
      AND (o.created_at <= $2::timestamptz OR o.attributes->>'kind' = 'health')
      AND NOT EXISTS (SELECT 1 FROM alert_outbox older
        WHERE older.rule_name = o.rule_name AND older.group_key = o.group_key AND older.sent_at IS NULL AND older.id < o.id)
    ORDER BY o.id LIMIT 1 FOR UPDATE SKIP LOCKED`,
  /**
   * The rows to send in one mail with a claimed one (lib/alert/outbox-group.ts):
   * queued by the same evaluation ($2, its created_at) or a later one within
   * the group wait ($7 ms), for the same service ($3) and host ($4), not
   * health messages, each the oldest unsent of its rule and key, no other run
   * holding it; at most $6. $5: pairs to skip.
   */
  claimCompanions: `SELECT ${OUTBOX_COLUMNS} FROM alert_outbox o
    WHERE o.sent_at IS NULL AND o.id <> $1 AND o.created_at >= $2 AND o.created_at <= $2::timestamptz + make_interval(secs => $7::bigint / 1000.0)
      AND (o.attributes->>'service') IS NOT DISTINCT FROM $3::text AND (o.attributes->>'host') IS NOT DISTINCT FROM $4::text
      AND o.attributes->>'kind' <> 'health'
      AND NOT ((o.rule_name || E'\n' || o.group_key) = ANY($5::text[]))
      AND NOT EXISTS (SELECT 1 FROM alert_outbox older
        WHERE older.rule_name = o.rule_name AND older.group_key = o.group_key AND older.sent_at IS NULL AND older.id < o.id)
    ORDER BY o.id LIMIT $6 FOR UPDATE SKIP LOCKED`,
  /**
   * Inhibit the notifications of lower severity (warning, info; firing,
   * reminder, resolved; not health) queued by this evaluation ($1: its time)
   * for a source a critical key fires for: recorded as sent, not published,
   * naming the first such critical key (by rule name, then key).
   */
  inhibitNotifications: `WITH target AS (
      SELECT DISTINCT ON (o.id) o.id, c.rule_name, c.group_key
      FROM alert_outbox o JOIN alert_state c ON ${CRITICAL_FOR_OUTBOX_ROW}
      WHERE o.created_at = $1 AND o.sent_at IS NULL AND o.suppressed IS NULL AND o.kind IN ('firing', 'reminder', 'resolved')
        AND o.attributes->>'severity' IN ('warning', 'info') AND o.attributes->>'kind' <> 'health'
        -- the end of an incident whose FIRING went out on its own is told on its own (a pager resolves what it was sent)
        AND (o.kind <> 'resolved' OR NOT EXISTS (SELECT 1 FROM (SELECT f.suppressed FROM alert_outbox f
          WHERE f.rule_name = o.rule_name AND f.group_key = o.group_key AND f.id < o.id AND f.kind = 'firing' ORDER BY f.id DESC LIMIT 1) announced
          WHERE announced.suppressed IS NULL))
      ORDER BY o.id, c.rule_name, c.group_key)
    UPDATE alert_outbox o SET suppressed = 'inhibited', sent_at = $1, message_id = 'inhibited', inhibited_by_rule = t.rule_name, inhibited_by_key = t.group_key
    FROM target t WHERE o.id = t.id
    RETURNING o.id::text AS id`,
  /**
   * Keys still firing whose latest notification was inhibited, for whose
   * source no critical key fires any more: the critical, which rule, since
   * when the key was folded into it, and whether its incident was announced
   * on its own before (a FIRING or reminder sent since it went FIRING).
   */
  inhibitionEnded: `SELECT s.rule_name, s.group_key, s.labels, s.firing_since, l.inhibited_by_rule,
      (SELECT min(y.created_at) FROM alert_outbox y WHERE y.rule_name = s.rule_name AND y.group_key = s.group_key
        AND y.suppressed = 'inhibited' AND y.created_at >= coalesce(s.firing_since, '-infinity')) AS inhibited_since,
      EXISTS (SELECT 1 FROM alert_outbox k WHERE k.rule_name = s.rule_name AND k.group_key = s.group_key
        AND k.created_at >= coalesce(s.firing_since, '-infinity') AND k.suppressed IS NULL AND k.kind IN ('firing', 'reminder')) AS announced
    FROM alert_state s
    JOIN LATERAL (SELECT x.suppressed, x.inhibited_by_rule FROM alert_outbox x WHERE x.rule_name = s.rule_name AND x.group_key = s.group_key
      ORDER BY x.id DESC LIMIT 1) l ON l.suppressed = 'inhibited'
    WHERE s.state = 'firing' AND NOT EXISTS (SELECT 1 FROM alert_state c WHERE ${CRITICAL_FOR_STATE_ROW})
    ORDER BY s.rule_name, s.group_key`,
  /** A key's notification went out now ($3) outside its state machine step (the end of an inhibition). */
  markNotified: 'UPDATE alert_state SET last_notified_at = $3 WHERE rule_name = $1 AND group_key = $2',
  /** The inhibited rows waiting to be listed in the next mail of critical rule $1, key $2, locked for the publish. */
  waitingFolded: `SELECT id::text AS id, subject, created_at FROM alert_outbox
    WHERE inhibited_by_rule = $1 AND inhibited_by_key = $2 AND folded_into IS NULL ORDER BY id FOR UPDATE`,
  /** Rows $1 listed in outbox row $2, whose body ($3) now lists them. */
  foldInto: `WITH folded AS (UPDATE alert_outbox SET folded_into = $2 WHERE id = ANY($1::bigint[]))
    UPDATE alert_outbox SET body = $3 WHERE id = $2`,
  markSent: `UPDATE alert_outbox SET sent_at = $2, message_id = $3, attempts = attempts + 1, last_attempt_at = $2, last_error = NULL
    WHERE id = $1`,
  markFailed: 'UPDATE alert_outbox SET attempts = attempts + 1, last_attempt_at = $2, last_error = $3 WHERE id = $1',
  countUnsent: 'SELECT count(*) AS n FROM alert_outbox WHERE sent_at IS NULL',
} as const;

// The rows of the statements above, as node-postgres returns them: bigint
// (count, ids) as string, timestamptz as Date, text bounds as string. Each
// names the statements it belongs to.

/** lastEvaluation (null before the first) */
export type LastEvaluationRow = { last: Date | null };
/** databaseNow */
export type DatabaseNowRow = { now: Date };
/** arrivalTime */
export type ArrivalTimeRow = { now: string };
/** reached */
export type ReachedRow = { reached: boolean };
/** tryLockEvaluation */
export type EvaluationLockRow = { locked: boolean };
/** listStates (state: CHECK in 002_alerting.sql) */
export type AlertStateRow = {
  rule_name: string;
  /** '' for a rule without groupBy; else the JSON text of the key's values. */
  group_key: string;
  labels: Record<string, string | null>;
  clearing_since: Date | null;
  held_since: Date | null;
  state: AlertStateName;
  state_since: Date;
  firing_since: Date | null;
  last_count: string;
  peak_count: string;
  last_notified_at: Date | null;
  /** The AlertRule as last evaluated, or `{}` (the column's default). */
  rule: unknown;
};
/** countWindow, minuteCountWindow, countRecentNotifications, countUnsent */
export type CountRow = { n: string };
/** windowBounds */
export type WindowBoundsRow = { n: string; first_at: Date | null; last_at: Date | null; files: string };
/** countByKey, minuteCountByKey */
export type KeyCountRow = { key: string; n: string };
/** freshKeys */
export type KeyRow = { key: string };
/** evaluationWindowGroups: window i's entries of one file, template and level (ids as text) */
export type WindowGroupRow = { i: number; source_id: string; template_id: string | null; level: string; n: string };
/** patternCoverage (positions as text: microseconds kept) */
export type PatternCoverageRow = { pattern: string; covered_from: Date; added_until: string; added_id: string; ahead: boolean };
/** sourcesLike */
export type SourceLikeRow = { pattern: string; source_id: string };
/** groupKeys */
export type GroupKeyRow = { source_id: string; template_id: string | null; level: string; key: string };
/** sliceGroups */
export type SliceGroupRow = { source_id: string; level: string; last_at: Date };
/** topTemplates, lateTopTemplates (template_id null: entries stored before templates, grouped by `line`) */
export type TemplateCountRow = { template_id: string | null; line: string | null; n: string; example_id: string; first_at: Date; files: string };
/** templateExamples (template and times null until the alert job catalogued the template) */
export type TemplateExampleRow = { id: string; message: string; path: string; template: string | null; first_seen: Date | null; appeared_at: Date | null };
/** sampleEntries, lateSampleEntries */
export type SampleEntryRow = { logged_at: Date; level: string; message: string; path: string };
/** freshWindowsSpan (`n` = 0: the bounds mean nothing) */
export type FreshWindowsSpanRow = { n: string; from_text: string; to_text: string };
/** busiestFreshWindow */
export type BusiestFreshWindowRow = { n: string; end_at: Date; end_text: string; start_text: string };
/** insertOutbox (silenced_by: the silence that recorded it instead of sending it) */
export type InsertedOutboxRow = { id: string; silenced_by: string | null };
/** inhibitNotifications */
export type InhibitedRow = { id: string };
/** inhibitionEnded */
export type InhibitionEndedRow = {
  rule_name: string;
  group_key: string;
  labels: Record<string, string | null>;
  firing_since: Date | null;
  inhibited_by_rule: string;
  inhibited_since: Date | null;
  announced: boolean;
};
/** waitingFolded */
export type WaitingFoldedRow = { id: string; subject: string; created_at: Date };
/** lastSilenced (mute_window: the mute window whose opening it was; null for a silence) */
export type LastSilencedRow = { id: string; ends_at: Date; comment: string; mute_window: string | null };
/** outboxLedger */
export type OutboxLedgerRow = {
  rule_name: string;
  group_key: string;
  recent: string;
  silence_id: string | null;
  ends_at: Date | null;
  comment: string | null;
  mute_window: string | null;
};
/** insertSilence, expireSilence */
export type SilenceIdRow = { id: string };
/** listSilences */
export type SilenceRow = {
  id: string;
  rule_glob: string;
  matchers: Record<string, string>;
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_by: string;
};
/** advanceCommitCursor (from_*: null on the first run) */
export type CommitCursorRow = {
  visible_until: string;
  from_text: string | null;
  from_id: string | null;
  until_text: string;
  until_id: string;
  advanced: boolean | null;
  more: boolean;
};
/** oldestLogmonTransaction */
export type LogmonTransactionRow = { pid: number; state: string | null; xact_start: Date; age_ms: string; query: string | null };
/** sliceTemplates, historyTemplates */
export type SliceTemplateRow = { id: string; first_at: Date; last_at: Date; n: string; example_id: string };
/** catalogExamples (source_since null: the file's row is gone) */
export type CatalogExampleRow = { id: string; message: string; source_id: string | null; source_since: Date | null };
/** trackingSince */
export type TrackingSinceRow = { created_at: Date };
/** lateBusiest */
export type LateBusiestRow = { busiest: string };
/** anyLateEntries */
export type FoundRow = { found: boolean };
/** lateSliceClasses, lateEarlierClasses (numbers from 1 in `starts`, `pats`, `globs`; `times`: float8 big-endian, microseconds after the horizon) */
export type LateClassRow = {
  starts: number[];
  tier: number;
  level: string;
  source_id: string | null;
  pats: number[];
  template_id: string | null;
  line: string | null;
  globs: number[];
  rank: number;
  n: string;
  first_at: Date;
  last_at: Date;
  max_id: string;
  times: Buffer;
};
/** lateEntriesAt (us: microseconds after the horizon) */
export type PositionRow = { at: string; id: string };

export type LateEntryRow = SampleEntryRow & { id: string; us: number; tier: number; pats: number[]; globs: number[] };
/** lateBursts */
export type LateBurstRow = { n: string; first_at: Date | null; last_at: Date | null; busiest: string };
/** listLateTallies (top_messages and samples as saveLateTally wrote them) */
export type LateTallyRow = {
  rule_name: string;
  entries: string;
  busiest: string;
  first_at: Date;
  last_at: Date;
  top_messages: { message: string; count: number }[];
  samples: { loggedAt: string; level: string; message: string; path: string }[];
  /** null: begun before migration 014 */
  from_at: string | null;
  from_id: string | null;
  since: Date;
};
/** claimNextOutbox, claimCompanions (kind: CHECK in 002_alerting.sql; attributes: NotificationAttributes, `{}` by default) */
export type OutboxClaimRow = {
  id: string;
  rule_name: string;
  group_key: string;
  kind: NotificationKind;
  subject: string;
  body: string;
  attributes: Record<string, string>;
  attempts: number;
  created_at: Date;
};
