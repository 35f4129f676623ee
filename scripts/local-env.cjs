// The values of the `local` stage, in one place: serverless.yml's `local`
// params (serverless offline, serverless invoke local), `npm start` and
// `npm run invoke` all take them from here, so every local entry point gives
// the handlers the same environment.
// Plain CommonJS: serverless.yml loads it through ${file(...)}.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const LOCAL_STAGE = 'local';
const DEFAULT_REGION = 'us-east-1';
const DEFAULT_SNS_PORT = '4002';
/** serverless offline's Lambda endpoint (serverless.yml custom.serverless-offline.lambdaPort). */
const DEFAULT_LAMBDA_PORT = '3002';
/** The topic serverless-offline-sns creates for the local subscriber. */
const LOCAL_TOPIC_NAME = 'logmon-alerts-local';
const LOCAL_ACCOUNT = '123456789012';

/** A variable's value, blank counting as unset. */
const givenValue = (env, name) => (env[name] === undefined || env[name].trim() === '' ? undefined : env[name]);

/** DATABASE_URL wins; otherwise the URL `npm start` saved for its embedded PostgreSQL; '' when neither. */
function databaseUrl() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const saved = path.join(ROOT, '.data', 'database-url');
  return fs.existsSync(saved) ? fs.readFileSync(saved, 'utf8').trim() : '';
}

/**
 * LOG_FILES, or the demo log. Relative paths are made absolute against the
 * project: `serverless invoke local` and offline run the bundle from
 * .esbuild/.build, where a relative path would point elsewhere.
 */
function logFiles() {
  const value = process.env.LOG_FILES || 'logs/app.log';
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => path.resolve(ROOT, p))
    .join(',');
}

/** The local stage's topic ARN in `region`. */
function localTopicArn(region = DEFAULT_REGION) {
  return `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:${LOCAL_TOPIC_NAME}`;
}

/**
 * What the handlers need on this machine besides their own variables: the
 * local SNS (serverless-offline-sns) and its topic, the fake credentials the
 * AWS SDK insists on, and its notices turned off. Values already set win.
 *
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, string>}
 * @example
 *   Object.assign(process.env, localEnvironment(process.env));
 */
function localEnvironment(env = process.env) {
  const region = givenValue(env, 'AWS_REGION') ?? DEFAULT_REGION;
  const defaults = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${givenValue(env, 'LOGMON_SNS_PORT') ?? DEFAULT_SNS_PORT}`,
    AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${givenValue(env, 'LOGMON_LAMBDA_PORT') ?? DEFAULT_LAMBDA_PORT}`,
    ALERT_TOPIC_ARN: localTopicArn(region),
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
    // The SDK's notice that its 2027 releases need Node 22: harmless here, and noisy.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  /** @type {Record<string, string>} */
  const out = {};
  for (const [name, value] of Object.entries(defaults)) out[name] = givenValue(env, name) ?? value;
  return out;
}

/**
 * Lambda reserves AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, so no stage of
 * serverless.yml may list them. On the local stage, the fake pair of
 * localEnvironment (and the SDK notices) is set in the serverless process's
 * own environment when absent: serverless offline passes its AWS_* variables
 * to the functions, and invoke local runs them in that process. Other stages:
 * nothing changes.
 */
async function applyLocalSdkEnvironment({ resolveVariable }) {
  if ((await resolveVariable('sls:stage')) !== LOCAL_STAGE) return 'not the local stage';
  const local = localEnvironment(process.env);
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  ]) {
    process.env[name] = local[name];
  }
  return 'local AWS SDK environment applied';
}

module.exports = {
  // ${file(./scripts/local-env.cjs):…} resolvers of serverless.yml
  databaseUrl,
  logFiles,
  alertTopicArn: async ({ resolveVariable }) => givenValue(process.env, 'ALERT_TOPIC_ARN') ?? localTopicArn(await resolveVariable('self:provider.region')),
  snsEndpointUrl: () => localEnvironment(process.env).AWS_ENDPOINT_URL_SNS,
  lambdaEndpointUrl: () => localEnvironment(process.env).AWS_ENDPOINT_URL_LAMBDA,
  applyLocalSdkEnvironment,
  // for the scripts (through scripts/local-defaults.ts)
  localEnvironment,
  localTopicArn,
};
