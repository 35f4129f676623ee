// The deploy parameters of serverless.yml (`--param "name=value"`), for every
// stage but `local`: checked here so that `serverless package` / `deploy`
// fails before anything is built, with one message that names every missing
// or malformed parameter; and turned into what YAML cannot loop over (one SNS
// e-mail subscription per address, with its optional filter policy).
// Plain CommonJS: serverless.yml loads it through ${file(...)}.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { buildVpcEndpointResources, endpointsByRole } = require('./vpc-endpoints.cjs');

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

/** The folder of serverless.yml: packaged files are named relative to it, and found there in Lambda (/var/task). */
const SERVICE_DIR = path.join(__dirname, '..');

/** A file packaged with the functions (LOGMON_CONFIG, ALERT_RULES): a relative path inside the service folder that exists. */
function packagedFileProblem(v) {
  if (!/^[\w./-]+$/.test(v) || path.isAbsolute(v) || v.split('/').includes('..'))
    return `must be a path inside the service folder, relative to serverless.yml (it is packaged with the functions), got "${v}"`;
  if (v.split('/').some((part) => part.startsWith('.'))) return `must not be in a hidden folder or file (serverless packages none of them), got "${v}"`;
  if (!fs.existsSync(path.join(SERVICE_DIR, v))) return `names ${v}, which does not exist next to serverless.yml (it is packaged with the functions)`;
  return undefined;
}

/**
 * One entry of `logBuckets`: `bucket` or `bucket/prefix` → { bucket, prefix } ('' = the whole bucket),
 * or null when malformed. IAM would read `*`, `?` and `${` in a prefix as wildcards or variables.
 */
function parseLogBucket(entry) {
  const slash = entry.indexOf('/');
  const bucket = slash < 0 ? entry : entry.slice(0, slash);
  const prefix = slash < 0 ? '' : entry.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) return null;
  if (/[*?$\s]/.test(prefix) || prefix.startsWith('/')) return null;
  return { bucket, prefix };
}

/** Tags set by the stack itself on every resource. */
const STACK_TAG_KEYS = ['service', 'stage'];

/** `tags`: `key=value,key=value` → { key: value }. Throws a readable Error. */
function parseTags(text) {
  const tags = {};
  for (const entry of list(text)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`must be key=value pairs separated by commas, got "${entry}"`);
    const key = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (!/^[\p{L}\p{Z}\p{N}_.:/+\-@]{1,128}$/u.test(key)) throw new Error(`tag key "${key}" must be 1-128 letters, digits, spaces or _.:/+-@`);
    if (key.toLowerCase().startsWith('aws:')) throw new Error(`tag key "${key}": the aws: prefix is reserved by AWS`);
    if (STACK_TAG_KEYS.includes(key)) throw new Error(`tag key "${key}" is set by the stack (service=logmon, stage=<stage>)`);
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(value)) throw new Error(`tag value of "${key}" must be at most 256 letters, digits, spaces or _.:/=+-@`);
    if (key in tags) throw new Error(`tag key "${key}" is given twice`);
    tags[key] = value;
  }
  if (Object.keys(tags).length + STACK_TAG_KEYS.length > 50) throw new Error('at most 48 tags (AWS allows 50 per resource, service and stage included)');
  return tags;
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
  // The network (docs/deploy.md#network): none by default, the functions then run outside any VPC and reach
  // PostgreSQL over TLS, SSM, SNS and Lambda directly; both, or neither (checked in findProblems).
  subnetIds: {
    required: false,
    example: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
    check: (v) => (list(v).length > 0 && list(v).every((s) => /^subnet-[0-9a-f]+$/.test(s)) ? undefined : 'must be comma-separated subnet-… ids'),
  },
  securityGroupIds: {
    required: false,
    example: 'sg-0123456789abcdef0',
    check: (v) => (list(v).length > 0 && list(v).every((s) => /^sg-[0-9a-f]+$/.test(s)) ? undefined : 'must be comma-separated sg-… ids'),
  },
  // on: the stack creates, in that VPC, the endpoints the functions need (scripts/vpc-endpoints.cjs); needs the VPC above and vpcId.
  vpcEndpoints: { required: false, example: 'on', check: (v) => (v === 'on' || v === 'off' ? undefined : 'must be on or off') },
  // The VPC of subnetIds, where vpcEndpoints=on creates the endpoints and their security group (a template cannot look it up).
  vpcId: { required: false, example: 'vpc-0123456789abcdef0', check: (v) => (/^vpc-[0-9a-f]+$/.test(v) ? undefined : 'must be a vpc-… id') },
  // The route tables of subnetIds, which the S3 gateway endpoint of vpcEndpoints=on (with logBuckets) is added to.
  routeTableIds: {
    required: false,
    example: 'rtb-0123456789abcdef0',
    check: (v) => (list(v).length > 0 && list(v).every((s) => /^rtb-[0-9a-f]+$/.test(s)) ? undefined : 'must be comma-separated rtb-… ids'),
  },
  // The log files on EFS, mounted read-only at /mnt/logs (an EFS mount needs the VPC above).
  logsAccessPointArn: {
    required: false,
    example: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
    check: (v) =>
      /^arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z0-9-]+:\d{12}:access-point\/fsap-[0-9a-f]{17}$/.test(v) ? undefined : 'must be the ARN of an EFS access point',
  },
  // S3 buckets (and prefixes) ingest may read log objects from: s3:ListBucket under the prefix, s3:GetObject on it.
  logBuckets: {
    required: false,
    example: 'my-log-bucket/fluent-bit/,alb-logs-123456789012',
    check: (v) => {
      const bad = list(v).filter((entry) => parseLogBucket(entry) === null);
      return bad.length > 0 ? `not a bucket or bucket/prefix (no "*", "?" or "$" in a prefix): ${bad.join(', ')}` : undefined;
    },
  },
  // on: S3 may invoke ingest for the buckets of logBuckets (their event notifications are yours to point at it).
  s3Events: { required: false, example: 'on', check: (v) => (v === 'on' || v === 'off' ? undefined : 'must be on or off') },
  // Tags on every resource that takes them, besides service and stage.
  tags: {
    required: false,
    example: 'team=payments,cost-center=1234',
    check: (v) => {
      try {
        parseTags(v);
        return undefined;
      } catch (err) {
        return err.message;
      }
    },
  },
  // A customer-managed KMS key for the alert topic and the functions' log groups ('': AWS-owned encryption).
  kmsKeyArn: {
    required: false,
    example: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    check: (v) => (/^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/.test(v) ? undefined : 'must be empty or the ARN of a KMS key'),
  },
  // on: each zip carries its source map and the functions run with --enable-source-maps.
  sourcemaps: { required: false, example: 'on', check: (v) => (v === 'on' || v === 'off' ? undefined : 'must be on or off') },
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
    example: 'deploy/alert-rules.example.yml',
    check: (v) => {
      if (!/^\s*[[{]/.test(v)) return packagedFileProblem(v); // a file packaged with the functions
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
  logmonConfig: { required: false, example: 'deploy/efs/logmon.yml', check: (v) => packagedFileProblem(v) },
  databaseCaFile: { required: false, example: 'certs/db-ca.pem', check: (v) => packagedFileProblem(v) },
  ssmTimeoutMs: { required: false, example: '4000', check: wholeNumber },
  // full: the functions' CloudWatch metrics and the 4 alarms on them; basic: neither (about $4 a month less, docs/deploy.md).
  metrics: { required: false, example: 'basic', check: (v) => (v === 'full' || v === 'basic' ? undefined : 'must be full or basic') },
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

/** The problems of vpcEndpoints, vpcId and routeTableIds together: each one only where it is used, and what it needs. */
function endpointProblems(params, vpc) {
  const problems = [];
  const on = String(params.vpcEndpoints ?? '').trim() === 'on';
  const vpcId = String(params.vpcId ?? '').trim() !== '';
  const routeTables = list(params.routeTableIds).length > 0;
  const buckets = list(params.logBuckets).length > 0;
  if (on && !vpc) problems.push('vpcEndpoints: on needs subnetIds and securityGroupIds (the VPC of the functions, where the endpoints are created)');
  if (on && !vpcId)
    problems.push(
      'vpcId: missing: vpcEndpoints=on creates the endpoints and their security group in the VPC of subnetIds, e.g. --param "vpcId=vpc-0123456789abcdef0"',
    );
  if (on && buckets && !routeTables)
    problems.push(
      'routeTableIds: missing: vpcEndpoints=on with logBuckets creates an S3 gateway endpoint, which needs the route tables of subnetIds, e.g. --param "routeTableIds=rtb-0123456789abcdef0"',
    );
  if (!on && vpcId) problems.push('vpcId: only used with vpcEndpoints=on (the VPC of the endpoints it creates)');
  if (routeTables && !(on && buckets))
    problems.push('routeTableIds: only used with vpcEndpoints=on and logBuckets (the route tables of the S3 gateway endpoint)');
  return problems;
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
  const subnets = list(params.subnetIds).length > 0;
  const groups = list(params.securityGroupIds).length > 0;
  if (subnets !== groups)
    problems.push(`${subnets ? 'securityGroupIds' : 'subnetIds'}: missing: a VPC needs both subnetIds and securityGroupIds (or neither: no VPC)`);
  if (String(params.logsAccessPointArn ?? '').trim() !== '' && !(subnets && groups))
    problems.push('logsAccessPointArn: an EFS mount needs the VPC of its mount targets: give subnetIds and securityGroupIds too');
  if (String(params.s3Events ?? '').trim() === 'on' && list(params.logBuckets).length === 0)
    problems.push('s3Events: on needs logBuckets (the buckets whose event notifications may invoke ingest)');
  problems.push(...endpointProblems(params, subnets && groups));
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
  // Not a deploy parameter (deployed stages read the URL from SSM), but a URL given anyway means the functions call no SSM.
  params.databaseUrl = await resolveVariable(`param:databaseUrl, ''`);
  return { stage, params };
}

/** The deploy's network: in a VPC (subnets and security groups given), with the EFS mount. */
function networkOf(params) {
  const vpc = list(params.subnetIds).length > 0 && list(params.securityGroupIds).length > 0;
  return { vpc, efs: vpc && String(params.logsAccessPointArn ?? '').trim() !== '' };
}

/** The functions of the stack (the dashboard only with dashboard=on), by logical id prefix. */
function stackFunctions(params) {
  return ['Ingest', 'Alert', 'Retention', ...(params.dashboard === 'on' ? ['Dashboard'] : [])];
}

/**
 * The VPC endpoints this deploy's functions need when `vpcEndpoints=on` (null when off or outside a VPC), from
 * what their code calls: SSM (@middy/ssm, lib/platform/lambda.ts) only when the database URL comes from
 * databaseUrlParameter (a databaseUrl given directly wins, lib/platform/database-url.ts); SNS always (alert
 * publishes); Lambda only with evaluation requests (ALERT_FUNCTION_NAME of ingest: alertFunctionName, not
 * none); S3 (a gateway) only with logBuckets. No CloudWatch Logs endpoint: no function calls a logs API
 * (Lambda ships their stdout, the metrics included, itself). Nor KMS: SSM and SNS call it themselves.
 */
function endpointPlan(params) {
  if (String(params.vpcEndpoints ?? '').trim() !== 'on' || !networkOf(params).vpc) return null;
  const parameter = String(params.databaseUrlParameter ?? '').trim();
  const alertFunction = String(params.alertFunctionName ?? '').trim();
  return {
    vpcId: String(params.vpcId ?? '').trim(),
    subnetIds: list(params.subnetIds),
    functionSecurityGroupIds: list(params.securityGroupIds),
    routeTableIds: list(params.routeTableIds),
    roles: stackFunctions(params).map((fn) => `${fn}Role`),
    databaseUrlParameter: String(params.databaseUrl ?? '').trim() === '' && parameter !== '' ? parameter : null,
    alertFunctionName: alertFunction === '' || alertFunction.toLowerCase() === 'none' ? null : alertFunction,
    logBuckets: list(params.logBuckets)
      .map(parseLogBucket)
      .filter((b) => b !== null),
  };
}

/**
 * `resources.extensions` of the functions and their log groups: the VPC (only when given), the EFS mount of
 * ingest (only when given), the KMS key of the log groups (only when given), and with vpcEndpoints=on the
 * endpoints each function calls through, which it waits for (DependsOn: no first run before its endpoints
 * exist). Extensions, not `provider.vpc` / `fileSystemConfig`: serverless cannot leave those out depending
 * on a parameter.
 */
function buildExtensions(params) {
  const { vpc, efs } = networkOf(params);
  const kms = String(params.kmsKeyArn ?? '').trim();
  const plan = endpointPlan(params);
  const waits = plan === null ? {} : endpointsByRole(plan);
  const extensions = {};
  for (const fn of stackFunctions(params)) {
    const properties = {};
    if (vpc) properties.VpcConfig = { SubnetIds: list(params.subnetIds), SecurityGroupIds: list(params.securityGroupIds) };
    if (efs && fn === 'Ingest') properties.FileSystemConfigs = [{ Arn: params.logsAccessPointArn.trim(), LocalMountPath: LOGS_MOUNT }];
    const dependsOn = waits[`${fn}Role`] ?? [];
    if (Object.keys(properties).length > 0 || dependsOn.length > 0)
      extensions[`${fn}LambdaFunction`] = {
        ...(Object.keys(properties).length > 0 ? { Properties: properties } : {}),
        ...(dependsOn.length > 0 ? { DependsOn: dependsOn } : {}),
      };
    if (kms !== '') extensions[`${fn}LogGroup`] = { Properties: { KmsKeyId: kms } };
  }
  return extensions;
}

/** The endpoints of vpcEndpoints=on and their security group (scripts/vpc-endpoints.cjs); none when off. */
function buildEndpointResources(params) {
  const plan = endpointPlan(params);
  return plan === null ? {} : buildVpcEndpointResources(plan);
}

/**
 * The network-interface permissions Lambda needs from a function's role in a VPC (what the managed
 * AWSLambdaVPCAccessExecutionRole grants on "*"), scoped: interfaces created only in the given subnets
 * with the given security groups. Under the condition HasVpc: not created without a VPC.
 */
function buildNetworkInterfacePolicy(params) {
  const ec2 = (type, id) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${type}/${id}` });
  return {
    Type: 'AWS::IAM::ManagedPolicy',
    Condition: 'HasVpc',
    Properties: {
      Description: 'logmon functions attach to the given subnets and security groups',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CreateNetworkInterfaceInGivenSubnets',
            Effect: 'Allow',
            Action: 'ec2:CreateNetworkInterface',
            Resource: [
              ec2('network-interface', '*'),
              ...list(params.subnetIds).map((id) => ec2('subnet', id)),
              ...list(params.securityGroupIds).map((id) => ec2('security-group', id)),
            ],
          },
          {
            // Lambda names no interface in advance: those of this account and region (the Lambda guide asks for all).
            Sid: 'ManageNetworkInterfaces',
            Effect: 'Allow',
            Action: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
            Resource: ec2('network-interface', '*'),
          },
          {
            // Describe calls have no resource-level permissions: "*", in this region only.
            Sid: 'DescribeNetworkInterfaces',
            Effect: 'Allow',
            Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
          },
        ],
      },
    },
  };
}

/**
 * What `logBuckets` (and `s3Events=on`) add: one policy of the ingest role with s3:ListBucket on each
 * bucket, only under its prefix (the `s3:prefix` condition), and s3:GetObject on the prefix's objects;
 * with s3Events=on, one permission per bucket for S3 to invoke ingest (from that bucket, of this account).
 */
function buildLogBucketResources(params) {
  const buckets = list(params.logBuckets)
    .map(parseLogBucket)
    .filter((b) => b !== null);
  if (buckets.length === 0) return {};
  const bucketArn = (b) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${b.bucket}` });
  const statements = [];
  buckets.forEach((b, i) => {
    // ListObjectsV2 with Prefix (and StartAfter): allowed only for prefixes under the configured one
    statements.push({
      Sid: `ListLogObjects${i}`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn(b),
      ...(b.prefix === '' ? {} : { Condition: { StringLike: { 's3:prefix': [`${b.prefix}*`] } } }),
    });
    statements.push({
      Sid: `ReadLogObjects${i}`,
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${b.bucket}/${b.prefix}*` },
    });
  });
  const resources = {
    IngestLogBucketsPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'read-log-objects',
        Roles: [{ Ref: 'IngestRole' }],
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
      },
    },
  };
  if (String(params.s3Events ?? '').trim() === 'on') {
    const seen = new Set();
    for (const b of buckets) {
      if (seen.has(b.bucket)) continue;
      seen.add(b.bucket);
      const id = `IngestS3EventsPermission${b.bucket.replace(/[^a-z0-9]/g, '').slice(0, 40)}${crypto.createHash('sha256').update(b.bucket).digest('hex').slice(0, 8)}`;
      resources[id] = {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          FunctionName: { 'Fn::GetAtt': ['IngestLambdaFunction', 'Arn'] },
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
          SourceArn: bucketArn(b),
          SourceAccount: { Ref: 'AWS::AccountId' },
        },
      };
    }
  }
  return resources;
}

/** The files packaged with every function: the default sources files, and the LOGMON_CONFIG / ALERT_RULES files named. */
function buildPackagePatterns(params) {
  const patterns = ['sql/migrations/*.sql', 'logmon.yml', 'logmon.yaml', 'logmon.json'];
  const config = String(params.logmonConfig ?? '').trim();
  const rules = String(params.alertRules ?? '').trim();
  if (config !== '' && !path.isAbsolute(config)) patterns.push(config);
  if (rules !== '' && !/^[[{]/.test(rules) && !path.isAbsolute(rules)) patterns.push(rules);
  const ca = String(params.databaseCaFile ?? '').trim();
  if (ca !== '' && !path.isAbsolute(ca)) patterns.push(ca);
  return [...new Set(patterns)];
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
  // ${file(./scripts/deploy-params.cjs):tags} — provider.tags and stackTags: service, stage and the `tags` parameter.
  tags: async ({ resolveVariable }) => {
    const { stage, params } = await readParams(resolveVariable);
    let extra = {};
    try {
      extra = parseTags(params.tags);
    } catch {
      // reported by `check`
    }
    return { service: 'logmon', stage, ...extra };
  },
  // ${file(./scripts/deploy-params.cjs):network} — a `resources` fragment: the network-interface policy, and `extensions` (VPC, EFS, KMS).
  network: async ({ resolveVariable }) => {
    const { stage, params } = await readParams(resolveVariable);
    if (stage === LOCAL_STAGE) return {};
    const extensions = buildExtensions(params);
    return { Resources: { VpcNetworkInterfacePolicy: buildNetworkInterfacePolicy(params) }, ...(Object.keys(extensions).length > 0 ? { extensions } : {}) };
  },
  // ${file(./scripts/deploy-params.cjs):logBucketResources} — a `resources` fragment (S3 read policy, S3 invoke permissions).
  logBucketResources: async ({ resolveVariable }) => {
    const { stage, params } = await readParams(resolveVariable);
    if (stage === LOCAL_STAGE) return { Resources: {} };
    return { Resources: buildLogBucketResources(params) };
  },
  // ${file(./scripts/deploy-params.cjs):vpcEndpointResources} — a `resources` fragment: with vpcEndpoints=on, the endpoints and their security group.
  vpcEndpointResources: async ({ resolveVariable }) => {
    const { stage, params } = await readParams(resolveVariable);
    if (stage === LOCAL_STAGE) return { Resources: {} };
    return { Resources: buildEndpointResources(params) };
  },
  // ${file(./scripts/deploy-params.cjs):packagePatterns} — package.patterns.
  packagePatterns: async ({ resolveVariable }) => {
    const { params } = await readParams(resolveVariable);
    return buildPackagePatterns(params);
  },
  // ${file(./scripts/deploy-params.cjs):logmonMetrics} — LOGMON_METRICS of a deployed stage: 0 with metrics=basic, else on.
  logmonMetrics: async ({ resolveVariable }) => ((await resolveVariable(`param:metrics, 'full'`)) === 'basic' ? '0' : ''),
  // ${file(./scripts/deploy-params.cjs):sourcemap} — custom.esbuild.sourcemap: linked with sourcemaps=on, else none.
  sourcemap: async ({ resolveVariable }) => ((await resolveVariable(`param:sourcemaps, ''`)) === 'on' ? 'linked' : false),
  // ${file(./scripts/deploy-params.cjs):nodeOptions} — NODE_OPTIONS: source maps followed only when packaged.
  nodeOptions: async ({ resolveVariable }) => ((await resolveVariable(`param:sourcemaps, ''`)) === 'on' ? '--enable-source-maps' : ''),
  PARAMETERS,
  findProblems,
  parseTags,
  parseLogBucket,
  buildExtensions,
  endpointPlan,
  buildEndpointResources,
  buildNetworkInterfacePolicy,
  buildLogBucketResources,
  buildPackagePatterns,
  parseEmailFilters,
  buildSubscriptions,
};
