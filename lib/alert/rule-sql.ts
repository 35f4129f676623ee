import { RULE_EXTRA, RULE_KEY } from '../../sql/alert-statements';
import { keyExpression } from './rule-key';
import type { RuleKey } from './rule-key';
import { RULE_TYPE } from './rules';
import type { AlertRule } from './rules';

/**
 * A statement of sql/alert-statements.ts made for one rule: RULE_KEY becomes
 * the rule's key expression, RULE_EXTRA its new-template condition and, when
 * `key` is given, the condition "this key only" on parameter $`params.length
 * + 1` (the key is appended to `params`). Only code-written SQL and numbers
 * validated by the rule parser are put in; every value from configuration
 * or logs travels as a parameter.
 *
 * @example
 *   const { text, values } = ruleStatement(SQL.countWindow, rule, params, '["api"]');
 */
export function ruleStatement(
  sql: string,
  rule: AlertRule,
  params: unknown[],
  key: RuleKey | null = null,
  visibleUntil: string | null = null,
): { text: string; values: unknown[] } {
  const extra: string[] = [];
  const values = [...params];
  if (visibleUntil !== null) {
    // the evaluation's visibility mark (commit-cursor.ts): entries ingested before it only
    values.push(visibleUntil);
    extra.push(`AND e.ingested_at < $${values.length}::timestamptz`);
  }
  if (rule.type === RULE_TYPE.NEW_TEMPLATE) extra.push(newTemplateCondition(rule));
  if (key !== null && rule.groupBy.length > 0) {
    values.push(key);
    extra.push(`AND ${keyExpression(rule.groupBy)} = $${values.length}`);
  }
  const text = sql.replaceAll(RULE_KEY, keyExpression(rule.groupBy)).replaceAll(RULE_EXTRA, extra.join(' '));
  return { text, values };
}

/**
 * Entries of a template in its first `window` after it appeared, when it
 * was not seen for `unseenFor` before and did not appear in a learning
 * period (error_templates, kept by template-catalog.ts).
 */
function newTemplateCondition(rule: AlertRule): string {
  const unseen = Math.trunc(rule.unseenForMs);
  const window = Math.trunc(rule.windowMs);
  return `AND EXISTS (SELECT 1 FROM error_templates t WHERE t.id = e.template_id AND NOT t.learning
    AND (t.seen_before IS NULL OR t.appeared_at - t.seen_before >= make_interval(secs => ${unseen} / 1000.0))
    AND e.logged_at >= t.appeared_at AND e.logged_at <= t.appeared_at + make_interval(secs => ${window} / 1000.0))`;
}
