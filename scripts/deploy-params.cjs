// The deploy parameters of serverless.yml (`--param "name=value"`), for every
// stage but `local`: checked here so that `serverless package` / `deploy`
// fails before anything is built, with one message that names every missing
// or malformed parameter; and turned into what YAML cannot loop over (one SNS
// e-mail subscription per address, with its optional filter policy).
// Plain CommonJS: serverless.yml loads it through ${file(...)}.
'use strict';

const crypto = require('node:crypto');

const LOCAL_STAGE = 'local';
const LOGS_MOUNT = '/mnt/logs';
/** Message attributes every alert notification carries (SNS filter policies may only use these). */
// service and host: only notifications of rules grouped by them carry these (docs/deploy.md)
const ALERT_ATTRIBUTES = ['severity', 'rule', 'state', 'kind', 'service', 'host'];

const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

function wholeNumber(v) {
  return /^\d+$/.test(v) ? undefined : 'must be a whole number';
}

function duration(v) {
  return /^(?:\d+(?:ms|s|m|h|d))+$/.test(v) ? undefined : 'must be a duration such as "90s", "3m" or "1h30m"';
}

function oneOf(values) {
  return (v) => (values.includes(v.toUpperCase()) ? undefined : `must be one of ${values.join(', ')}`);
}

/**
 * Every deploy parameter: what it is, an example, and a check returning a
 * problem (or nothing). `required` ones have no default in serverless.yml.
 */
const PARAMETERS = {
  alertEmails: {
    required: true,
    example: 'ops@example.com,oncall@example.com',
    check: (v) => {
      const emails = list(v);
      if (emails.length === 0) return 'needs at least one e-mail address';
      const bad = emails.filter((e) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e));
      return bad.length > 0 ? `not e-mail addresses: ${bad.join(', ')}` : undefined;
    },
  },
  databaseUrlParameter: {
    required: true,
    example: '/logmon/prod/database-url',
    check: (v) => {
      if (v.includes('://')) return 'is the NAME of the SSM SecureString parameter, never the URL itself';
      return /^\/[A-Za-z0-9_.\-/]+$/.test(v) ? undefined : 'must be an SSM parameter name starting with "/" (e.g. /logmon/prod/database-url)';
    },
  },
  subnetIds: {
    required: true,
    example: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
    check: (v) => (list(v).length > 0 && list(v).every((s) => /^subnet-[0-9a-f]+$/.test(s)) ? undefined : 'must be comma-separated subnet-… ids'),
  },
  securityGroupIds: {
    required: true,
    example: 'sg-0123456789abcdef0',
    check: (v) => (list(v).length > 0 && list(v).every((s) => /^sg-[0-9a-f]+$/.test(s)) ? undefined : 'must be comma-separated sg-… ids'),
  },
  logsAccessPointArn: {
    required: true,
    example: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
    check: (v) =>
      /^arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z0-9-]+:\d{12}:access-point\/fsap-[0-9a-f]{17}$/.test(v) ? undefined : 'must be the ARN of an EFS access point',
  },
  databaseKmsKeyArn: {
    required: false,
    example: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    check: (v) => (v === '' || /^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/.test(v) ? undefined : 'must be empty or the ARN of a KMS key'),
  },
  // Where the CloudWatch alarms send (and their recovery): an SNS topic of the operators, without filter policies.
  opsTopicArn: {
    required: false,
    example: 'arn:aws:sns:us-east-1:123456789012:ops-alarms',
    check: (v) => {
      if (v.endsWith('.fifo')) return 'must be a standard SNS topic: CloudWatch alarms cannot notify a FIFO topic';
      return /^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(v) ? undefined : 'must be empty or the ARN of an SNS topic';
    },
  },
  alertEmailFilters: {
    required: false,
    example: '{"oncall@example.com":{"severity":["critical"]}}',
    check: () => undefined, // checked with alertEmails in parseEmailFilters
  },
  logFiles: {
    required: false,
    example: `${LOGS_MOUNT}/*.log`,
    check: (v) => {
      const outside = list(v).filter((p) => !p.startsWith(`${LOGS_MOUNT}/`));
      return outside.length > 0 ? `must be under the EFS mount ${LOGS_MOUNT}/: ${outside.join(', ')}` : undefined;
    },
  },
  logLevels: {
    required: false,
    example: 'ERROR,FATAL,CRITICAL',
    check: (v) => (list(v).length > 0 && list(v).every((l) => /^[A-Za-z]+$/.test(l)) ? undefined : 'must be comma-separated level names'),
  },
  logTimezone: {
    required: false,
    example: 'Europe/Berlin',
    check: (v) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: v });
        return undefined;
      } catch {
        return 'must be an IANA time zone such as Europe/Berlin';
      }
    },
  },
  alertRules: {
    required: false,
    example: '[{"name":"error-burst","levels":["ERROR","FATAL"],"threshold":5,"window":"5m"}]',
    check: (v) => {
      if (!/^\s*[[{]/.test(v)) return undefined; // a file packaged with the function
      try {
        JSON.parse(v);
        return undefined;
      } catch (err) {
        return `is not valid JSON: ${err.message}`;
      }
    },
  },
  retentionDays: {
    required: false,
    example: '30',
    check: (v) => (/^[1-9]\d*$/.test(v) ? undefined : 'must be a whole number of days >= 1'),
  },
  // The functions' tunables (README, Configuration): '' leaves the function's default. Only
  // their form is checked here; each function checks its range at start-up, naming the variable.
  logLevel: { required: false, example: 'INFO', check: oneOf(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT']) },
  logMaxLineBytes: { required: false, example: '65536', check: wholeNumber },
  multilineFlushMs: { required: false, example: '5000', check: wholeNumber },
  ingestBatchBytes: { required: false, example: '16777216', check: wholeNumber },
  ingestStopMarginMs: { required: false, example: '10000', check: wholeNumber },
  ingestPollInterval: { required: false, example: '5s', check: (v) => (v === '0' ? undefined : duration(v)) },
  alertFunctionName: {
    required: false,
    example: 'none',
    check: (v) => (/^[A-Za-z0-9_-]{1,64}$/.test(v) ? undefined : 'must be a Lambda function name of this account and region, or none'),
  },
  lambdaEndpointUrl: {
    required: false,
    example: 'https://vpce-0123456789abcdef0-abcdefgh.lambda.us-east-1.vpce.amazonaws.com',
    check: (v) => (/^https:\/\/[^\s/]+\/?$/.test(v) ? undefined : 'must be an https:// URL of a Lambda endpoint'),
  },
  alertGrace: { required: false, example: '3m', check: duration },
  alertGroupWait: { required: false, example: '2m', check: duration },
  alertLateHorizon: { required: false, example: '24h', check: duration },
  alertSubjectPrefix: {
    required: false,
    example: '[logmon prod]',
    check: (v) => (/^[\x20-\x7e]{1,30}$/.test(v) ? undefined : 'must be at most 30 printable ASCII characters'),
  },
  alertDashboardUrl: {
    required: false,
    example: 'https://abcdefghij.lambda-url.us-east-1.on.aws/',
    check: (v) => (/^https:\/\/[^\s]+$/.test(v) ? undefined : 'must be the https:// URL of the dashboard'),
  },
  alertSnsTimeoutMs: { required: false, example: '10000', check: wholeNumber },
  // The notification channels' secrets (docs/alerting.md#channels); the alert function checks them at start-up.
  smtpAlertsUrl: {
    required: false,
    example: 'smtps://alerts:app-password@smtp.example.com:465',
    check: (v) => (/^smtps?:\/\/\S+$/.test(v) ? undefined : 'must be an smtp:// or smtps:// URL'),
  },
  alertWebhookUrl: {
    required: false,
    example: 'https://ops.example.com/logmon',
    check: (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'must be an http(s):// URL'),
  },
  alertWebhookSecret: { required: false, example: 'a-long-random-secret', check: (v) => (v.length >= 16 ? undefined : 'must be at least 16 characters') },
  slackWebhookUrl: {
    required: false,
    example: 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXX',
    check: (v) => (/^https:\/\/\S+$/.test(v) ? undefined : 'must be an https:// URL'),
  },
  pagerdutyRoutingKey: { required: false, example: '0123456789abcdef0123456789abcdef', check: (v) => (/^\S+$/.test(v) ? undefined : 'must have no spaces') },
  snsMaxAttempts: { required: false, example: '3', check: wholeNumber },
  snsEndpointUrl: {
    required: false,
    example: 'https://vpce-0123456789abcdef0-abcdefgh.sns.us-east-1.vpce.amazonaws.com',
    check: (v) => (/^https:\/\/[^\s/]+\/?$/.test(v) ? undefined : 'must be an https:// URL of an SNS endpoint'),
  },
  retentionBatchSize: { required: false, example: '5000', check: wholeNumber },
  logFormat: {
    required: false,
    example: 'json',
    check: (v) => (/^[a-z-]+$/.test(v) ? undefined : 'must be auto or a format name (docs/sources.md)'),
  },
  // A sources file packaged with the functions (logmon.yml at the package root is read without it).
  logmonConfig: { required: false, example: 'logmon.yml', check: (v) => (/^[\w./-]+$/.test(v) ? undefined : 'must be a path inside the package') },
  ssmTimeoutMs: { required: false, example: '4000', check: wholeNumber },
  // The dashboard (docs/dashboard.md): off unless "on"; then behind an IAM-authenticated function URL.
  dashboard: { required: false, example: 'on', check: (v) => (v === 'on' || v === 'off' ? undefined : 'must be on or off') },
  dashboardWrite: { required: false, example: 'on', check: (v) => (/^(on|off|1|0)$/.test(v) ? undefined : 'must be on or off') },
  dashboardHours: { required: false, example: '6', check: wholeNumber },
};

/**
 * Parse `alertEmailFilters`: a JSON object from address to SNS filter policy
 * on the message attributes (`severity`, `rule`, `state`), e.g.
 * {"oncall@example.com":{"severity":["critical"]}}. Throws a readable Error.
 */
function parseEmailFilters(text, emails) {
  if (!text || text.trim() === '') return {};
  let filters;
  try {
    filters = JSON.parse(text);
  } catch (err) {
    throw new Error(`alertEmailFilters is not JSON: ${err.message}`);
  }
  if (filters === null || typeof filters !== 'object' || Array.isArray(filters))
    throw new Error('alertEmailFilters must be a JSON object {"address": {filter policy}}');
  const known = new Set(emails.map((e) => e.toLowerCase()));
  const problems = [];
  for (const [email, policy] of Object.entries(filters)) {
    if (!known.has(email.toLowerCase())) problems.push(`${email} is not in alertEmails`);
    if (policy === null || typeof policy !== 'object' || Array.isArray(policy) || Object.keys(policy).length === 0) {
      problems.push(`the filter of ${email} must be a non-empty object such as {"severity":["critical"]}`);
      continue;
    }
    for (const [attribute, allowed] of Object.entries(policy)) {
      if (!ALERT_ATTRIBUTES.includes(attribute))
        problems.push(`the filter of ${email} uses "${attribute}"; notifications carry only ${ALERT_ATTRIBUTES.join(', ')}`);
      if (!Array.isArray(allowed) || allowed.length === 0) problems.push(`the filter of ${email} needs a non-empty list for "${attribute}"`);
    }
  }
  if (problems.length > 0) throw new Error(`alertEmailFilters: ${problems.join('; ')}`);
  return Object.fromEntries(Object.entries(filters).map(([email, policy]) => [email.toLowerCase(), policy]));
}

/** Every problem with `params` for a deployable stage, one line each (empty when all is well). */
function findProblems(params) {
  const problems = [];
  for (const [name, spec] of Object.entries(PARAMETERS)) {
    const value = String(params[name] ?? '').trim();
    if (value === '') {
      if (spec.required) problems.push(`${name}: missing, e.g. --param "${name}=${spec.example}"`);
      continue;
    }
    const problem = spec.check(value);
    if (problem) problems.push(`${name}: ${problem}`);
  }
  try {
    parseEmailFilters(params.alertEmailFilters, list(params.alertEmails));
  } catch (err) {
    problems.push(err.message);
  }
  return problems;
}

/** An Error whose stack is its message: serverless prints `stack`, and a trace would hide the list. */
function parameterError(stage, problems) {
  const err = new Error(
    `logmon cannot be packaged for stage "${stage}":\n  - ${problems.join('\n  - ')}\n` +
      'See docs/deploy.md (parameters) for what each one is; use --stage local for serverless offline / invoke local.',
  );
  err.stack = err.message;
  return err;
}

/** One AWS::SNS::Subscription per address, with its filter policy when it has one. Logical ids are stable per address. */
function buildSubscriptions(emails, filters) {
  const resources = {};
  const seen = new Set();
  for (const email of emails) {
    const key = email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const readable = key.replace(/[^a-z0-9]/g, '').slice(0, 40);
    const hash = crypto.createHash('sha256').update(key).digest('hex').slice(0, 8);
    const filter = filters[key];
    resources[`AlertEmail${readable}${hash}`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: {
        TopicArn: { Ref: 'AlertTopic' },
        Protocol: 'email',
        Endpoint: email,
        ...(filter ? { FilterPolicyScope: 'MessageAttributes', FilterPolicy: filter } : {}),
      },
    };
  }
  return resources;
}

async function readParams(resolveVariable) {
  const stage = await resolveVariable('sls:stage');
  const params = {};
  for (const name of Object.keys(PARAMETERS)) params[name] = await resolveVariable(`param:${name}, ''`);
  return { stage, params };
}

module.exports = {
  // ${file(./scripts/deploy-params.cjs):check} — throws on a deployable stage with bad parameters.
  check: async ({ resolveVariable }) => {
    const { stage, params } = await readParams(resolveVariable);
    if (stage === LOCAL_STAGE) return 'local stage: no deploy parameters needed';
    const problems = findProblems(params);
    if (problems.length > 0) throw parameterError(stage, problems);
    return 'deploy parameters checked';
  },
  // ${file(./scripts/deploy-params.cjs):subscriptions} — a `resources` fragment.
  subscriptions: async ({ resolveVariable }) => {
    const { stage, params } = await readParams(resolveVariable);
    if (stage === LOCAL_STAGE) return { Resources: {} };
    const emails = list(params.alertEmails);
    let filters = {};
    try {
      filters = parseEmailFilters(params.alertEmailFilters, emails);
    } catch {
      // reported by `check`
    }
    return { Resources: buildSubscriptions(emails, filters) };
  },
  PARAMETERS,
  findProblems,
  parseEmailFilters,
  buildSubscriptions,
};
