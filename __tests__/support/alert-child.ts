// One alert run in a process of its own, so fault tests can kill it with
// SIGKILL at any moment or start several at once. It calls the same
// `runAlert` as handlers/alert.ts, configured from the same environment
// variables (ALERT_RULES, ALERT_TOPIC_ARN, ALERT_GRACE, ALERT_SNS_TIMEOUT_MS, and the SDK's
// own AWS_ENDPOINT_URL_SNS, AWS_MAX_ATTEMPTS), without the middy stack.
//
// LOGMON_TEST_NOW (milliseconds since the epoch) is the run's clock, so tests
// can place runs on the timeline their entries were written on.
//
// Protocol on stdout: `ready` once the pool and the SNS client exist (the run
// starts right after), then the JSON summary on one line. Exit 0 on success;
// on failure the error is written to stderr (described, never the URL) and the
// exit code is 1.
import { runAlert } from '../../lib/alert/alert';
import { readAlertConfig } from '../../lib/alert/config';
import { createPool } from '../../lib/platform/db';
import { describeError } from '../../lib/platform/errors';
import { createSnsClient } from '../../lib/alert/sns-client';

async function main(): Promise<void> {
  const config = readAlertConfig(process.env);
  const sns = createSnsClient({ topicArn: config.topicArn, timeoutMs: config.snsTimeoutMs });
  const pool = createPool(process.env.DATABASE_URL ?? '', 2);
  const fixedNow = process.env.LOGMON_TEST_NOW ? Number(process.env.LOGMON_TEST_NOW) : null;
  process.stdout.write('ready\n');
  try {
    const summary = await runAlert({
      pool,
      rules: config.rules,
      sns,
      topicArn: config.topicArn,
      subjectPrefix: config.subjectPrefix,
      graceMs: config.graceMs,
      lateHorizonMs: config.lateHorizonMs,
      ...(fixedNow === null ? {} : { now: () => fixedNow }),
    });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    sns.destroy();
    await pool.end().catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`alert failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
