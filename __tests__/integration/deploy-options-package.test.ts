// The deployable stack's options, packaged (`serverless package --stage prod`,
// no AWS credentials) and its zips run under Node: the default network (no
// VPC), tags on every resource, the configuration files packaged with the
// functions (100 rules, every environment under Lambda's 4 KB), an
// environment over 4 KB refused, the AWS SDK bundled, source maps, the KMS
// key and the VPC endpoints only when asked.
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
const TAGGABLE = [
  'AWS::Lambda::Function',
  'AWS::SNS::Topic',
  'AWS::IAM::Role',
  'AWS::Logs::LogGroup',
  'AWS::CloudWatch::Alarm',
  'AWS::S3::Bucket',
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::SecurityGroup',
];
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
const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'];
const FUNCTION_GROUPS = ['sg-0123456789abcdef0', 'sg-0aaaaaaaaaaaaaaaa'];
const VPC = { subnetIds: SUBNETS.join(','), securityGroupIds: FUNCTION_GROUPS.join(',') };
const ENDPOINTS_ON = { ...VPC, vpcEndpoints: 'on', vpcId: 'vpc-0123456789abcdef0' };
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
  let endpoints: Template;
  let fewer: Template;
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
    asked = await packageStack(path.join(dir, 'asked'), { ...BASE, ...config, sourcemaps: 'on', kmsKeyArn: KEY, metrics: 'basic', ...VPC });
    endpoints = await packageStack(path.join(dir, 'endpoints'), {
      ...BASE,
      ...config,
      ...ENDPOINTS_ON,
      logBuckets: 'my-logs/app/,alb-logs-123456789012',
      routeTableIds: 'rtb-0123456789abcdef0,rtb-0fedcba9876543210',
    });
    // what needs fewer endpoints: the URL given directly (no SSM), no evaluation requests (no Lambda), no bucket (no S3)
    fewer = await packageStack(path.join(dir, 'fewer'), {
      ...BASE,
      ...config,
      ...ENDPOINTS_ON,
      databaseUrl: 'postgres://logmon@db.internal/logmon',
      alertFunctionName: 'none',
    });
  }, 360_000);

  afterAll(() => {
    fs.rmSync(path.join(ROOT, folder), { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the functions' own metrics and the alarms on them by default, and with metrics=basic only the alarms on Lambda's metrics", () => {
    const alarms = (t: Template) =>
      Object.entries(t.Resources)
        .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
        .map(([id, r]) => ({ id, custom: r.Condition === 'HasCustomMetrics' }));
    const conditionHolds = (t: Template) => JSON.stringify(t.Conditions?.HasCustomMetrics);

    expect(
      alarms(plain)
        .filter((a) => a.custom)
        .map((a) => a.id)
        .sort(),
    ).toEqual(['AlertNotificationDelayedAlarm', 'AlertOutboxNotDrainingAlarm', 'IngestBytesLostAlarm', 'IngestMostlyUnparsedAlarm'].sort());
    expect(alarms(plain).filter((a) => !a.custom)).toHaveLength(6);
    expect(conditionHolds(plain)).toBe(JSON.stringify({ 'Fn::Equals': ['full', 'full'] }));
    expect(conditionHolds(asked)).toBe(JSON.stringify({ 'Fn::Equals': ['basic', 'full'] }));
    for (const fn of FUNCTIONS) {
      expect(variablesOf(plain, fn).LOGMON_METRICS).toBe('');
      expect(variablesOf(asked, fn).LOGMON_METRICS).toBe('0');
    }
  });

  it('runs every function outside any VPC, with no EFS mount and no network-interface permission, by default', () => {
    for (const fn of FUNCTIONS) {
      expect(plain.Resources[fnId(fn)]!.Properties.VpcConfig).toBeUndefined();
      expect(plain.Resources[fnId(fn)]!.Properties.FileSystemConfigs).toBeUndefined();
    }
    expect(plain.Resources.VpcNetworkInterfacePolicy!.Condition).toBe('HasVpc');
    expect(plain.Conditions?.HasVpc).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('tags every taggable resource with service, stage and the tags parameter, the VPC endpoints and their security group included', () => {
    for (const template of [plain, endpoints]) {
      const types = new Set(Object.values(template.Resources).map((r) => r.Type));
      const untagged = Object.entries(template.Resources)
        .filter(([, r]) => TAGGABLE.includes(r.Type))
        .filter(([, r]) => !expect.arrayContaining([...STACK_TAGS, ...USER_TAGS]).asymmetricMatch(r.Properties.Tags))
        .map(([id]) => id);

      expect([...types].filter((t) => !TAGGABLE.includes(t) && !NOT_TAGGABLE.includes(t))).toEqual([]);
      expect(untagged).toEqual([]);
      expect(Object.values(template.Resources).filter((r) => TAGGABLE.includes(r.Type)).length).toBeGreaterThan(15);
    }
    expect(Object.values(endpoints.Resources).filter((r) => r.Type.startsWith('AWS::EC2::')).length).toBe(5);
  });

  describe('the VPC endpoints (vpcEndpoints=on)', () => {
    const ec2Resources = (t: Template): string[] => Object.keys(t.Resources).filter((id) => t.Resources[id]!.Type.startsWith('AWS::EC2::'));
    const service = (name: string) => ({ 'Fn::Sub': `com.amazonaws.\${AWS::Region}.${name}` });
    const interfaceEndpoint = (name: string) => ({
      VpcEndpointType: 'Interface',
      ServiceName: service(name),
      VpcId: 'vpc-0123456789abcdef0',
      SubnetIds: SUBNETS,
      SecurityGroupIds: [{ Ref: 'VpcEndpointSecurityGroup' }],
      PrivateDnsEnabled: true,
    });

    it('creates no endpoint and no security group when vpcEndpoints is off, in a VPC or not', () => {
      expect(asked.Resources.IngestLambdaFunction!.Properties.VpcConfig).toEqual({ SubnetIds: SUBNETS, SecurityGroupIds: FUNCTION_GROUPS });
      expect(ec2Resources(plain)).toEqual([]);
      expect(ec2Resources(asked)).toEqual([]);
    });

    it('creates each endpoint the functions call, in the given VPC: SSM, SNS and Lambda in the subnets with private DNS, S3 on the route tables', () => {
      expect(ec2Resources(endpoints).sort()).toEqual(['LambdaVpcEndpoint', 'S3VpcEndpoint', 'SnsVpcEndpoint', 'SsmVpcEndpoint', 'VpcEndpointSecurityGroup']);
      expect(endpoints.Resources.SsmVpcEndpoint!.Properties).toMatchObject(interfaceEndpoint('ssm'));
      expect(endpoints.Resources.SnsVpcEndpoint!.Properties).toMatchObject(interfaceEndpoint('sns'));
      expect(endpoints.Resources.LambdaVpcEndpoint!.Properties).toMatchObject(interfaceEndpoint('lambda'));
      expect(endpoints.Resources.S3VpcEndpoint!.Properties).toMatchObject({
        VpcEndpointType: 'Gateway',
        ServiceName: service('s3'),
        VpcId: 'vpc-0123456789abcdef0',
        RouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0fedcba9876543210'],
      });
      expect(endpoints.Resources.S3VpcEndpoint!.Properties.SubnetIds).toBeUndefined();
    });

    it('leaves out the endpoints nothing calls: no SSM with the URL given directly, no Lambda with alertFunctionName=none, no S3 without logBuckets', () => {
      expect(ec2Resources(fewer).sort()).toEqual(['SnsVpcEndpoint', 'VpcEndpointSecurityGroup']);
      expect(variablesOf(fewer, 'ingest').ALERT_FUNCTION_NAME).toBe('none');
    });

    it("admits HTTPS to the endpoints from the functions' security groups only, and lets them open no connection", () => {
      const group = endpoints.Resources.VpcEndpointSecurityGroup!.Properties;

      expect(group.VpcId).toBe('vpc-0123456789abcdef0');
      expect(group.SecurityGroupIngress).toEqual(
        FUNCTION_GROUPS.map((id) => ({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: id, Description: expect.any(String) })),
      );
      expect(group.SecurityGroupEgress).toEqual([{ IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32', Description: 'No egress' }]);
    });

    it('makes each function wait, at deploy, for the endpoints it calls through', () => {
      const waits = (t: Template, fn: string): string[] =>
        ((t.Resources[fnId(fn)] as { DependsOn?: string[] }).DependsOn ?? []).filter((id) => id.endsWith('VpcEndpoint')).sort();

      expect(waits(endpoints, 'ingest')).toEqual(['LambdaVpcEndpoint', 'S3VpcEndpoint', 'SsmVpcEndpoint']);
      expect(waits(endpoints, 'alert')).toEqual(['SnsVpcEndpoint', 'SsmVpcEndpoint']);
      expect(waits(endpoints, 'retention')).toEqual(['SsmVpcEndpoint']);
      expect(waits(fewer, 'ingest')).toEqual([]);
      expect(waits(fewer, 'alert')).toEqual(['SnsVpcEndpoint']);
      expect(waits(asked, 'alert')).toEqual([]);
    });

    it('limits each endpoint policy to the stack: its parameter, its topic, its alert function, its log buckets', () => {
      const resources = (id: string): unknown[] =>
        (endpoints.Resources[id]!.Properties.PolicyDocument as { Statement: { Resource: unknown }[] }).Statement.map((s) => s.Resource);

      expect(resources('SsmVpcEndpoint')).toEqual([
        { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/logmon/prod/database-url' },
      ]);
      expect(resources('SnsVpcEndpoint')).toEqual([{ Ref: 'AlertTopic' }]);
      expect(resources('LambdaVpcEndpoint')).toEqual([
        [
          { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:logmon-prod-alert' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:logmon-prod-alert:*' },
        ],
      ]);
      expect(resources('S3VpcEndpoint')).toEqual([
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::my-logs' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::my-logs/app/*' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::alb-logs-123456789012' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::alb-logs-123456789012/*' },
      ]);
    });
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
