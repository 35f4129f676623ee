import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { CatalogExampleRow, SliceTemplateRow, TrackingSinceRow } from '../../sql/alert-statements';
import { templateOf } from '../ingest/template';
import { rangeParams } from './commit-cursor';
import type { CursorStep } from './commit-cursor';
import { ALERT_DEFAULT_MS } from './defaults';
import { RULE_TYPE } from './rules';
import type { AlertRule } from './rules';

// The catalog of error templates (error_templates): every template the
// alert job examined, when it was first and last logged, how many entries
// carry it, one real example, and its current appearance (when it came,
// whether it had been unseen before, whether that was in a learning period).
// Ingest only stores each entry's template id; the catalog is kept here,
// from the commit cursor's slice, in the evaluation's transaction, so every
// entry is counted once and ingest batches never wait on template rows.
// new-template rules (rule-sql.ts) read it.

type Queryable = Pick<pg.PoolClient, 'query'>;

/** The first evaluation seeds the catalog from at most this many of the newest entries (a bounded first run on a huge database). */
export const SEED_ENTRIES = 1_000_000;

/** The catalog's parameters, from the rules: the shortest absence that makes a template new, the longest learning period. */
export interface CatalogPolicy {
  unseenForMs: number;
  learningPeriodMs: number;
}

/** The policy of `rules`: their new-template rules' shortest unseenFor and longest learningPeriod (the defaults without any). */
export function catalogPolicy(rules: readonly AlertRule[]): CatalogPolicy {
  const novel = rules.filter((r) => r.type === RULE_TYPE.NEW_TEMPLATE);
  if (novel.length === 0) return { unseenForMs: ALERT_DEFAULT_MS.unseenFor, learningPeriodMs: ALERT_DEFAULT_MS.learningPeriod };
  return { unseenForMs: Math.min(...novel.map((r) => r.unseenForMs)), learningPeriodMs: Math.max(...novel.map((r) => r.learningPeriodMs)) };
}

/**
 * Whether an appearance starting at `firstAt` is learned, not new: it falls
 * within the learning period after logmon first examined entries, or after
 * its file was first read (a new source's first lines are its history).
 */
export function inLearningPeriod(firstAt: number, trackingSince: number, sourceSince: number | null, learningPeriodMs: number): boolean {
  const start = Math.max(trackingSince, sourceSince ?? trackingSince);
  return firstAt < start + learningPeriodMs;
}

export interface CatalogUpdate {
  templates: number;
  entries: number;
}

/**
 * Add the templates of the cursor's slice to the catalog (on the first
 * evaluation ever, which has no slice, those logged within `unseenFor`
 * before `now`, all learned: a database's history is not new).
 *
 * @example
 *   await updateTemplateCatalog(client, await advanceCommitCursor(client), catalogPolicy(rules), Date.now());
 */
export async function updateTemplateCatalog(client: Queryable, step: CursorStep, policy: CatalogPolicy, now: number): Promise<CatalogUpdate> {
  const { range, first } = step;
  if (range === null && !first) return { templates: 0, entries: 0 };
  const seeding = range === null;
  const rows = seeding
    ? (await client.query<SliceTemplateRow>(SQL.historyTemplates, [new Date(now - policy.unseenForMs), SEED_ENTRIES])).rows
    : (await client.query<SliceTemplateRow>(SQL.sliceTemplates, rangeParams(range))).rows;
  if (rows.length === 0) return { templates: 0, entries: 0 };
  const examples = new Map<string, CatalogExampleRow>();
  for (const r of (await client.query<CatalogExampleRow>(SQL.catalogExamples, [rows.map((r) => r.example_id)])).rows) examples.set(r.id, r);
  const tracking = (await client.query<TrackingSinceRow>(SQL.trackingSince)).rows[0]?.created_at.getTime() ?? now;
  const ids: string[] = [];
  const templates: string[] = [];
  const messages: string[] = [];
  const exampleIds: string[] = [];
  const sourceIds: (string | null)[] = [];
  const firsts: Date[] = [];
  const lasts: Date[] = [];
  const counts: string[] = [];
  const learning: boolean[] = [];
  // sorted by id: the same rows in the same order in every run
  for (const r of [...rows].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))) {
    const example = examples.get(r.example_id);
    const message = example?.message ?? '';
    ids.push(r.id);
    templates.push(templateOf(message).template);
    messages.push(message);
    exampleIds.push(r.example_id);
    sourceIds.push(example?.source_id ?? null);
    firsts.push(r.first_at);
    lasts.push(r.last_at);
    counts.push(r.n);
    learning.push(seeding || inLearningPeriod(r.first_at.getTime(), tracking, example?.source_since?.getTime() ?? null, policy.learningPeriodMs));
  }
  await client.query(SQL.upsertTemplates, [ids, templates, messages, exampleIds, sourceIds, firsts, lasts, counts, learning, policy.unseenForMs]);
  return { templates: rows.length, entries: counts.reduce((sum, n) => sum + Number(n), 0) };
}
