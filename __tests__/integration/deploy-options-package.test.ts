// The deployable stack's options, packaged (`serverless package --stage prod`,
// no AWS credentials) and its zips run under Node: the default network (no
// VPC), tags on every resource, the configuration files packaged with the
// functions (100 rules, every environment under Lambda's 4 KB), an
// environment over 4 KB refused, the AWS SDK bundled, source maps and the
// KMS key only when asked.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENVIRONMENT_LIMIT_BYTES, environmentBytes } from '../../scripts/stack-plugin.cjs';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { packageStack, packagingEnv, paramArgs, runServerless } from '../support/serverless-package';
import type { Template } from '../support/serverless-package';
import { listZip } from '../support/zip';

const ROOT = path.resolve(__dirname, '../..');
const FUNCTIONS = ['ingest', 'alert', 'retention'] as const;
const BASE = { alertEmails: 'ops@example.com', databaseUrlParameter: '/logmon/prod/database-url' };
const USER_TAGS = [
  { Key: 'team', Value: 'payments' },
  { Key: 'cost-center', Value: '1234' },
];
const STACK_TAGS = [
  { Key: 'service', Value: 'logmon' },
  { Key: 'stage', Value: 'prod' },
];
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
/** Resource types whose CloudFormation definition takes Tags (a list of Key/Value), and the ones that take none. */
const TAGGABLE = ['AWS::Lambda::Function', 'AWS::SNS::Topic', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::CloudWatch::Alarm', 'AWS::S3::Bucket'];
const NOT_TAGGABLE = [
  'AWS::S3::BucketPolicy',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Permission',
  'AWS::Lambda::Url',
  'AWS::Events::Rule', // its Tags are for ECS targets only
  'AWS::SNS::Subscription',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Policy',
];
const RULE_COUNT = 100;
/** Modules the SDK requires only when present (SigV4a signing), which are not installed and not needed. */
const OPTIONAL_SDK_MODULES = ['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'];

const fnId = (fn: string): string => `${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`;
const variablesOf = (template: Template, fn: string): Record<string, unknown> =>
  (template.Resources[fnId(fn)]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

/** 100 threshold rules, each with its own pattern: a rules file far larger than a function environment may be. */
function hundredRules(): string {
  const rules = Array.from({ length: RULE_COUNT }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return [
      `  - name: upstream-${n}-timeouts`,
      `    description: timeouts talking to upstream service ${n} (checkout path)`,
      '    levels: [ERROR, FATAL]',
      '    threshold: 5',
      '    window: 5m',
      `    pattern: 'timeout .* upstream-${n}\\b'`,
    ].join('\n');
  });
  return `rules:\n${rules.join('\n')}\n`;
}

/** Run `handlers/<fn>.js` of an unpacked zip under node, from that folder, with only `env`: its summary (or the error). */
function runHandler(dir: string, fn: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; summary: unknown; output: string }> {
  const out = path.join(dir, 'summary.json');
  const runner = [
    `const { handler } = require('./handlers/${fn}.js');`,
    `const context = { functionName: 'logmon-prod-${fn}', awsRequestId: 'zip-run', getRemainingTimeInMillis: () => 60000 };`,
    `handler(undefined, context).then((s) => { require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(s)); process.exit(0); },`,
    '  (err) => { console.error(err); process.exit(1); });',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', runner], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, summary: fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as unknown) : null }));
  });
}

describe('serverless package --stage prod: the deploy options', () => {
  let dir: string;
  let plain: Template;
  let asked: Template;
  // in the service folder, where serverless.yml names them (not a hidden folder: those are never packaged)
  const folder = `package-test-${process.pid}`;
  const rulesFile = `${folder}/alert-rules.yml`;
  const sourcesFile = `${folder}/logmon.yml`;
  const caFile = `${folder}/db-ca.pem`;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-options-'));
    fs.mkdirSync(path.join(ROOT, folder), { recursive: true });
    fs.writeFileSync(path.join(ROOT, rulesFile), hundredRules());
    fs.writeFileSync(path.join(ROOT, sourcesFile), 'sources:\n  - name: app\n    path: /mnt/logs/{host}/app.log\n    service: payments\n');
    fs.writeFileSync(path.join(ROOT, caFile), '-----BEGIN CERTIFICATE-----\nnot a real one\n-----END CERTIFICATE-----\n');
    const config = { alertRules: rulesFile, logmonConfig: sourcesFile, databaseCaFile: caFile, tags: 'team=payments,cost-center=1234' };
    plain = await packageStack(path.join(dir, 'plain'), { ...BASE, ...config });
    asked = await packageStack(path.join(dir, 'asked'), { ...BASE, ...config, sourcemaps: 'on', kmsKeyArn: KEY });
  }, 240_000);

  afterAll(() => {
    fs.rmSync(path.join(ROOT, folder), { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every function outside any VPC, with no EFS mount and no network-interface permission, by default', () => {
    for (const fn of FUNCTIONS) {
      expect(plain.Resources[fnId(fn)]!.Properties.VpcConfig).toBeUndefined();
      expect(plain.Resources[fnId(fn)]!.Properties.FileSystemConfigs).toBeUndefined();
    }
    expect(plain.Resources.VpcNetworkInterfacePolicy!.Condition).toBe('HasVpc');
    expect(plain.Conditions?.HasVpc).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('tags every taggable resource with service, stage and the tags parameter', () => {
    const types = new Set(Object.values(plain.Resources).map((r) => r.Type));
    const untagged = Object.entries(plain.Resources)
      .filter(([, r]) => TAGGABLE.includes(r.Type))
      .filter(([, r]) => !expect.arrayContaining([...STACK_TAGS, ...USER_TAGS]).asymmetricMatch(r.Properties.Tags))
      .map(([id]) => id);

    expect([...types].filter((t) => !TAGGABLE.includes(t) && !NOT_TAGGABLE.includes(t))).toEqual([]);
    expect(untagged).toEqual([]);
    expect(Object.values(plain.Resources).filter((r) => TAGGABLE.includes(r.Type)).length).toBeGreaterThan(15);
  });

  it("packages the rules file, the sources file and the database's CA file with every function, which name them in a small environment", () => {
    for (const fn of FUNCTIONS) {
      const files = listZip(path.join(dir, 'plain', `${fn}.zip`));
      const variables = variablesOf(plain, fn);

      expect(files).toEqual(expect.arrayContaining([rulesFile, sourcesFile, caFile]));
      expect(variables).toMatchObject({ ALERT_RULES: rulesFile, LOGMON_CONFIG: sourcesFile, DATABASE_CA_FILE: caFile });
      expect(environmentBytes(variables)).toBeLessThan(ENVIRONMENT_LIMIT_BYTES / 2);
    }
  });

  describe('the alert zip, unpacked and run under node with no node_modules', () => {
    let db: TestDatabase;
    let run: string;

    beforeAll(async () => {
      db = await createTestDatabase();
      run = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-alert-zip-'));
      execFileSync('unzip', ['-q', path.join(dir, 'plain', 'alert.zip'), '-d', run]);
    }, 60_000);

    afterAll(async () => {
      await db?.drop();
      if (run) fs.rmSync(run, { recursive: true, force: true });
    });

    it('reads the 100 rules of the packaged file and evaluates them', async () => {
      const deployed = Object.fromEntries(Object.entries(variablesOf(plain, 'alert')).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
      const env = {
        PATH: process.env.PATH,
        ...deployed,
        // what the stack or SSM give a deployed function, here: the test database, a topic, the CA bundle Node has
        DATABASE_URL: db.url,
        DATABASE_URL_PARAMETER: '',
        NODE_EXTRA_CA_CERTS: '',
        // the test database has no TLS (the private CA is tested in database-tls.test.ts)
        DATABASE_CA_FILE: '',
        ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:logmon-alerts-prod',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        NODE_PATH: '',
      };

      const { code, summary, output } = await runHandler(run, 'alert', env);

      expect({ code, error: code === 0 ? '' : output }).toEqual({ code: 0, error: '' });
      expect(summary).toMatchObject({ evaluation: 'done', rulesEvaluated: RULE_COUNT });
      expect((summary as { rules: { rule: string }[] }).rules.map((r) => r.rule)).toContain('upstream-100-timeouts');
    }, 60_000);
  });

  it('bundles the AWS SDK clients into each handler: nothing of @aws-sdk or @smithy is left to the runtime', () => {
    for (const fn of FUNCTIONS) {
      const code = execFileSync('unzip', ['-p', path.join(dir, 'plain', `${fn}.zip`), `handlers/${fn}.js`], { maxBuffer: 64 * 1024 * 1024 }).toString();

      const left = (code.match(/require\(["'](@aws-sdk|@smithy)\/[^"']+["']\)/g) ?? []).map((r) => r.replace(/require\(["']|["']\)/g, ''));

      // left: only the optional SigV4a signers, required inside a try (multi-region S3 access points; none used here)
      expect([...new Set(left)].filter((m) => !OPTIONAL_SDK_MODULES.includes(m))).toEqual([]);
    }
    const alert = execFileSync('unzip', ['-p', path.join(dir, 'plain', 'alert.zip'), 'handlers/alert.js'], { maxBuffer: 64 * 1024 * 1024 }).toString();
    // the SNS client's own service and operation names (class names are minified in its ES module build)
    expect(alert).toContain('AmazonSimpleNotificationService');
    expect(alert).toContain('"PublishInput"');
  });

  it('ships no source map and no --enable-source-maps unless sourcemaps=on', () => {
    for (const fn of FUNCTIONS) {
      expect(listZip(path.join(dir, 'plain', `${fn}.zip`)).filter((f) => f.endsWith('.map'))).toEqual([]);
      expect(variablesOf(plain, fn).NODE_OPTIONS).toBe('');
      expect(listZip(path.join(dir, 'asked', `${fn}.zip`))).toContain(`handlers/${fn}.js.map`);
      expect(variablesOf(asked, fn).NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('encrypts the topic and the log groups with kmsKeyArn when given, and only then', () => {
    const logGroups = (t: Template) => Object.values(t.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');

    expect(asked.Resources.AlertTopic!.Properties.KmsMasterKeyId).toEqual({ 'Fn::If': ['HasKmsKey', KEY, { Ref: 'AWS::NoValue' }] });
    expect(asked.Conditions?.HasKmsKey).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [KEY, ''] }] });
    expect(logGroups(asked).map((r) => r.Properties.KmsKeyId)).toEqual([KEY, KEY, KEY]);
    expect(plain.Conditions?.HasKmsKey).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(logGroups(plain).map((r) => r.Properties.KmsKeyId)).toEqual([undefined, undefined, undefined]);
  });

  it('refuses, naming the functions, an environment over 4 KB (the 100 rules inline)', async () => {
    const inline = JSON.stringify(
      Array.from({ length: RULE_COUNT }, (_, i) => ({
        name: `upstream-${i}-timeouts`,
        levels: ['ERROR'],
        threshold: 5,
        window: '5m',
        pattern: `timeout .* upstream-${i}`,
      })),
    );
    const out = path.join(dir, 'inline');

    const { code, output } = await runServerless(
      ['package', '--stage', 'prod', '--package', out, ...paramArgs({ ...BASE, alertRules: inline })],
      packagingEnv(),
    );

    expect(code).not.toBe(0);
    expect(output).toContain("a function environment is over Lambda's 4 KB limit");
    expect(output).toMatch(/AlertLambdaFunction: its environment is \d+ bytes, over Lambda's 4096 \(largest: ALERT_RULES \d+ bytes/);
    expect(output).toContain('a file packaged with the functions');
    expect(fs.existsSync(path.join(out, 'cloudformation-template-update-stack.json'))).toBe(false);
  }, 60_000);
});
