/** The local SNS (serverless-offline-sns) port and the topic the local stage uses. */
export const LOCAL_SNS_PORT = process.env.LOGMON_SNS_PORT ?? '4002';
export const LOCAL_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts-local';

/**
 * Environment for running the handlers on this machine: the local SNS endpoint
 * and the fake credentials the AWS SDK insists on. Values already set win.
 */
export function localEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const defaults: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${LOCAL_SNS_PORT}`,
    ALERT_TOPIC_ARN: LOCAL_TOPIC_ARN,
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
    // The SDK's notice that its 2027 releases need Node 22: harmless here, and noisy.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(defaults)) out[key] = env[key] ?? value;
  return out;
}
