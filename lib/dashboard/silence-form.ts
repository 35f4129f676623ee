import type pg from 'pg';
import { addSilence, expireSilence, silenceSpec } from '../alert/silences';
import { GROUP_DIMENSIONS } from '../alert/rules';

// The dashboard's two write actions, through lib/alert/silences.ts (the same
// validation and statements as `npm run silence`). What may call them is
// decided by the caller (DASHBOARD_WRITE and csrf.ts).

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * Add the silence a form describes: rule, the key labels given (service,
 * host, file, template, level; blank ones ignored), for, comment. Its id; a
 * ConfigError saying what is wrong with the form.
 */
export async function addSilenceFromForm(db: Queryable, form: Record<string, string>, createdBy: string, now: number): Promise<string> {
  const labels: Record<string, string> = {};
  for (const name of GROUP_DIMENSIONS) {
    const value = form[name]?.trim();
    if (value) labels[name] = value;
  }
  const spec = silenceSpec({ rule: form.rule, labels, for: form.for?.trim() || undefined, comment: form.comment, createdBy }, now);
  return addSilence(db, spec);
}

/** End the silence a form names now; false when none by that id is still running. */
export async function expireSilenceFromForm(db: Queryable, form: Record<string, string>, now: number): Promise<boolean> {
  return expireSilence(db, (form.id ?? '').trim(), now);
}
