import { readLogLevels } from '../ingest/config';
import { loadAlertRules } from '../alert/rules';
import type { AlertRule } from '../alert/rules';
import { intVar } from '../platform/env';
import type { Env } from '../platform/env';
import { ConfigError } from '../platform/errors';

export interface DashboardConfig {
  /** DASHBOARD_WRITE: the forms that add and expire silences are shown and accepted. Off by default. */
  writeEnabled: boolean;
  /** DASHBOARD_HOURS: the hours the chart and the top templates cover (a request may ask for 1 to MAX_HOURS). */
  hours: number;
  /** The alert rules (ALERT_RULES, as the alert function reads them): their thresholds are drawn on the chart. */
  rules: AlertRule[];
}

export const DASHBOARD_DEFAULTS = { hours: 6 } as const;
/** The longest chart: 48 h is 2,880 points per series, still light for the page. */
export const MAX_HOURS = 48;

const ON = new Set(['1', 'on', 'true']);
const OFF = new Set(['', '0', 'off', 'false']);

/**
 * Read the dashboard's configuration; every problem is a ConfigError raised
 * at start-up (the handler's module scope), naming the variable.
 *
 * @example
 *   const config = readDashboardConfig(process.env);
 */
export function readDashboardConfig(env: Env): DashboardConfig {
  const write = (env.DASHBOARD_WRITE ?? '').trim().toLowerCase();
  if (!ON.has(write) && !OFF.has(write)) {
    throw new ConfigError(`DASHBOARD_WRITE must be on or off (1 or 0), got "${env.DASHBOARD_WRITE}"`, { value: env.DASHBOARD_WRITE });
  }
  return {
    writeEnabled: ON.has(write),
    hours: intVar(env, 'DASHBOARD_HOURS', DASHBOARD_DEFAULTS.hours, 1, MAX_HOURS),
    rules: loadAlertRules(env.ALERT_RULES, { ingestedLevels: readLogLevels(env) }),
  };
}
