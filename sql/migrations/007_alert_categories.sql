-- The categories the alert job keeps inside JSON get the CHECK constraints
-- its columns have had since 002_alerting.sql (alert_state.state,
-- alert_outbox.kind): the values of lib/alert/categories.ts, which
-- __tests__/unit/persisted-categories.test.ts compares with these lists.
-- A missing key is NULL and passes: the columns' `{}` defaults, and rows
-- written by hand or by tests without attributes.
ALTER TABLE alert_outbox
  ADD CONSTRAINT alert_outbox_attributes_severity_check CHECK (attributes->>'severity' IN ('critical', 'warning', 'info')),
  ADD CONSTRAINT alert_outbox_attributes_state_check CHECK (attributes->>'state' IN ('firing', 'resolved', 'late')),
  -- the `kind` message attribute is the row's kind
  ADD CONSTRAINT alert_outbox_attributes_kind_check CHECK (attributes->>'kind' = kind);

-- The rule as last evaluated (kept to resolve a rule removed while FIRING).
ALTER TABLE alert_state
  ADD CONSTRAINT alert_state_rule_severity_check CHECK (rule->>'severity' IN ('critical', 'warning', 'info'));
