import fs from 'node:fs';
import path from 'node:path';

/** The jobs' environment on a test "server": one log folder, the database, an SNS stand-in, no alert function to ask. */
export function serverJobEnvironment(options: { databaseUrl: string; logDir: string; topicArn: string; snsEndpoint: string }): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    LOG_FILES: path.join(options.logDir, '*.log'),
    LOG_TIMEZONE: 'UTC',
    MULTILINE_FLUSH_MS: '0',
    ALERT_TOPIC_ARN: options.topicArn,
    ALERT_FUNCTION_NAME: 'none',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SNS: options.snsEndpoint,
  };
}

/** Write `env` as the NAME=value lines of deploy/server/logmon.env (mode 0600: it holds the database password). */
export function writeEnvFile(file: string, env: Record<string, string>): void {
  fs.writeFileSync(
    file,
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
}
