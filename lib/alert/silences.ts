import os from 'node:os';
import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { SilenceIdRow, SilenceRow } from '../../sql/alert-statements';
import { parseDuration } from '../platform/duration';
import { ConfigError } from '../platform/errors';
import { GROUP_DIMENSIONS, globToLike } from './rules';
import type { GroupDimension } from './rules';

// Silences: while one is active, a notification of a matching rule and key
// is recorded in alert_outbox (silenced_by), not sent (the match is made in
// the INSERT, sql/alert-statements.ts insertOutbox). When a silence ends and
// the alert still fires, one message says so. `npm run silence` manages them.

type Queryable = Pick<pg.Pool, 'query'>;

/** A silence to add: which rules (a name or a glob), which keys (labels they must have), when, why. */
export interface SilenceSpec {
  ruleGlob: string;
  matchers: Partial<Record<GroupDimension, string>>;
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy?: string;
}

export interface Silence extends SilenceSpec {
  id: string;
}

/** The longest silence (a longer one is a rule to remove, not to silence). */
const MAX_SILENCE_MS = 90 * 86_400_000;

/**
 * A validated silence from the command's words: `rule` (name or glob), the
 * labels, `for` (a duration) or `until` (a time), `from` (default now), a
 * comment (required: the next person on call reads it).
 *
 * @example
 *   silenceSpec({ rule: 'error-burst', labels: { service: 'payments' }, for: '2h', comment: 'deploy' }, Date.now());
 */
export function silenceSpec(
  words: { rule?: string; labels?: Record<string, string>; for?: string; until?: string; from?: string; comment?: string; createdBy?: string },
  now: number,
): SilenceSpec {
  const ruleGlob = words.rule?.trim() ?? '';
  if (ruleGlob === '') throw new ConfigError('silence: --rule is required (a rule name, or a glob such as "health:*" or "*")');
  const comment = words.comment?.trim() ?? '';
  if (comment === '') throw new ConfigError('silence: --comment is required (why, for whoever is on call next)');
  const matchers: Partial<Record<GroupDimension, string>> = {};
  for (const [name, value] of Object.entries(words.labels ?? {})) {
    if (!(GROUP_DIMENSIONS as readonly string[]).includes(name))
      throw new ConfigError(`silence: --${name} is not a key label (known: ${GROUP_DIMENSIONS.join(', ')})`);
    matchers[name as GroupDimension] = value;
  }
  const startsAt = words.from ? Date.parse(words.from) : now;
  if (!Number.isFinite(startsAt)) throw new ConfigError(`silence: --from must be a time such as 2026-12-24T22:00:00Z, got "${words.from}"`);
  let endsAt: number;
  if (words.for !== undefined && words.until !== undefined) throw new ConfigError('silence: give --for or --until, not both');
  if (words.for !== undefined) {
    const ms = parseDuration(words.for);
    if (ms === null || ms <= 0) throw new ConfigError(`silence: --for must be a duration such as "2h", got "${words.for}"`);
    endsAt = startsAt + ms;
  } else if (words.until !== undefined) {
    endsAt = Date.parse(words.until);
    if (!Number.isFinite(endsAt)) throw new ConfigError(`silence: --until must be a time such as 2026-12-24T23:00:00Z, got "${words.until}"`);
  } else throw new ConfigError('silence: --for (a duration such as "2h") or --until (a time) is required');
  if (endsAt <= startsAt) throw new ConfigError('silence: it must end after it starts');
  if (endsAt <= now) throw new ConfigError('silence: it must end in the future');
  if (endsAt - startsAt > MAX_SILENCE_MS) throw new ConfigError('silence: at most 90 days (remove or change the rule instead)');
  return { ruleGlob, matchers, startsAt, endsAt, comment, createdBy: words.createdBy ?? os.userInfo().username };
}

/** Store a silence; its id. */
export async function addSilence(db: Queryable, spec: SilenceSpec): Promise<string> {
  const row = await db.query<SilenceIdRow>(SQL.insertSilence, [
    spec.ruleGlob,
    globToLike(spec.ruleGlob),
    JSON.stringify(spec.matchers),
    new Date(spec.startsAt),
    new Date(spec.endsAt),
    spec.comment,
    spec.createdBy ?? '',
  ]);
  return row.rows[0]!.id;
}

/** Silences not ended at `now` (active or to come), earliest first. */
export async function listSilences(db: Queryable, now: number): Promise<Silence[]> {
  return (await db.query<SilenceRow>(SQL.listSilences, [new Date(now)])).rows.map((r) => ({
    id: r.id,
    ruleGlob: r.rule_glob,
    matchers: r.matchers,
    startsAt: r.starts_at.getTime(),
    endsAt: r.ends_at.getTime(),
    comment: r.comment,
    createdBy: r.created_by,
  }));
}

/** End a silence now; false when there is none by that id still running. */
export async function expireSilence(db: Queryable, id: string, now: number): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) throw new ConfigError(`silence: expire takes a silence id (a number, see list), got "${id}"`);
  return (await db.query<SilenceIdRow>(SQL.expireSilence, [id, new Date(now)])).rows.length > 0;
}
