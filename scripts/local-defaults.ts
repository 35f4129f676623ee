// The local stage's values for the TypeScript scripts: a typed view of
// scripts/local-env.cjs, which serverless.yml reads too, plus how `npm start`
// runs serverless offline (scripts/start.ts and the test that checks what
// reaches its functions share it).
import path from 'node:path';
import localEnv from './local-env.cjs';

const ROOT = path.resolve(__dirname, '..');

/** The topic of the local stage (serverless-offline-sns creates it). */
export const LOCAL_TOPIC_ARN: string = localEnv.localTopicArn();

/**
 * Environment for running the handlers on this machine: the local SNS endpoint
 * and topic, and the fake credentials the AWS SDK insists on. Values already set win.
 *
 * @example
 *   Object.assign(process.env, localEnvironment(process.env));
 */
export function localEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return localEnv.localEnvironment(env);
}

/** The alert function's name under serverless offline (service-stage-function). */
export const LOCAL_ALERT_FUNCTION = 'logmon-local-alert';

/** The serverless CLI of the project, and the command `npm start` runs with it. */
export const SERVERLESS_BIN = path.join(ROOT, 'node_modules', '.bin', 'serverless');
export const OFFLINE_ARGS = ['offline', 'start', '--stage', 'local'] as const;

export interface OfflineSettings {
  databaseUrl: string;
  logFiles: string;
  notificationsFile: string;
}

/**
 * The environment `npm start` gives serverless offline: the shell's (which
 * serverless.yml passes on, variable by variable), the local defaults, and
 * the database, files and notification log it chose.
 */
export function offlineEnvironment(env: NodeJS.ProcessEnv, settings: OfflineSettings): NodeJS.ProcessEnv {
  return {
    ...env,
    ...localEnvironment(env),
    DATABASE_URL: settings.databaseUrl,
    LOG_FILES: settings.logFiles,
    NOTIFICATIONS_FILE: settings.notificationsFile,
    // serverless offline runs the alert function: ingest asks it to evaluate after storing entries (`none`: never)
    ALERT_FUNCTION_NAME: env.ALERT_FUNCTION_NAME?.trim() || LOCAL_ALERT_FUNCTION,
    // the dashboard serverless offline serves: each notification links to it
    ALERT_DASHBOARD_URL: env.ALERT_DASHBOARD_URL?.trim() || `http://127.0.0.1:${env.LOGMON_HTTP_PORT?.trim() || '3000'}/`,
  };
}
