// Least privilege, simulated: the packaged CloudFormation template's role
// policies (`serverless package`, no AWS credentials) evaluated by
// __tests__/support/iam-simulator.ts against requests each function makes,
// which must be allowed, and requests it must not be able to make; and the
// policies of the VPC endpoints the stack creates, against the same requests
// made through them. Two stacks: the default (no VPC, no EFS, no bucket, no
// key) and one with every option (VPC with its endpoints, EFS, two log
// buckets with S3 events, KMS keys, the dashboard).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { endpointStatements, isAllowed, roleArn, roleStatements } from '../support/iam-simulator';
import type { Account, Request } from '../support/iam-simulator';
import { packageStack } from '../support/serverless-package';
import type { Template } from '../support/serverless-package';

const ACCOUNT: Account = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const BASE = { alertEmails: 'ops@example.com', databaseUrlParameter: '/logmon/prod/database-url' };
const ACCESS_POINT = 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0';
const DATABASE_KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const STACK_KEY = 'arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const EVERY_OPTION = {
  ...BASE,
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  securityGroupIds: 'sg-0123456789abcdef0',
  vpcEndpoints: 'on',
  vpcId: 'vpc-0123456789abcdef0',
  routeTableIds: 'rtb-0123456789abcdef0',
  logsAccessPointArn: ACCESS_POINT,
  logBuckets: 'my-logs/app/,alb-logs-123456789012',
  s3Events: 'on',
  databaseKmsKeyArn: DATABASE_KEY,
  kmsKeyArn: STACK_KEY,
  dashboard: 'on',
};

const arn = (service: string, rest: string, region = ACCOUNT.region): string => `arn:aws:${service}:${region}:${ACCOUNT.accountId}:${rest}`;
const logStream = (fn: string): string => arn('logs', `log-group:/aws/lambda/logmon-prod-${fn}:log-stream:2026/12/02/[$LATEST]0123456789abcdef`);
const TOPIC = arn('sns', 'logmon-alerts-prod');
const DATABASE_URL = arn('ssm', 'parameter/logmon/prod/database-url');
const req = (action: string, resource: string, context?: Record<string, string>): Request => ({ action, resource, ...(context ? { context } : {}) });
const ROLES = { ingest: 'IngestRole', alert: 'AlertRole', retention: 'RetentionRole', dashboard: 'DashboardRole' } as const;
type Fn = keyof typeof ROLES;

/** What every function does: its own logs, the database URL. */
const common = (fn: Fn): Request[] => [
  req('logs:CreateLogStream', logStream(fn)),
  req('logs:PutLogEvents', logStream(fn)),
  req('ssm:GetParameters', DATABASE_URL),
];
/** What no function may do, whatever the options. */
const never = (fn: Fn): Request[] => [
  ...(['ingest', 'alert', 'retention', 'dashboard'] as const).filter((other) => other !== fn).map((other) => req('logs:PutLogEvents', logStream(other))),
  req('logs:PutLogEvents', arn('logs', `log-group:/aws/lambda/logmon-prod-${fn}-copy:log-stream:x`)),
  req('logs:CreateLogGroup', arn('logs', `log-group:/aws/lambda/logmon-prod-${fn}`)),
  req('logs:DeleteLogGroup', arn('logs', `log-group:/aws/lambda/logmon-prod-${fn}:*`)),
  req('ssm:GetParameters', arn('ssm', 'parameter/logmon/prod/other-secret')),
  req('ssm:GetParameter', DATABASE_URL),
  req('ssm:PutParameter', DATABASE_URL),
  req('sns:Publish', arn('sns', 'ops-alarms')),
  req('sns:Subscribe', TOPIC),
  req('lambda:InvokeFunction', arn('lambda', 'function:other-function')),
  req('lambda:InvokeFunction', arn('lambda', 'function:logmon-prod-alert', 'eu-west-1')),
  req('elasticfilesystem:ClientWrite', arn('elasticfilesystem', 'file-system/fs-0123456789abcdef0'), { 'elasticfilesystem:AccessPointArn': ACCESS_POINT }),
  req('elasticfilesystem:ClientRootAccess', arn('elasticfilesystem', 'file-system/fs-0123456789abcdef0'), { 'elasticfilesystem:AccessPointArn': ACCESS_POINT }),
  req('s3:PutObject', 'arn:aws:s3:::my-logs/app/x.log'),
  req('s3:DeleteObject', 'arn:aws:s3:::my-logs/app/x.log'),
  req('s3:GetObject', 'arn:aws:s3:::someone-elses-bucket/app/x.log'),
  req('iam:PassRole', `arn:aws:iam::${ACCOUNT.accountId}:role/${ROLES[fn]}`),
  req('ec2:CreateNetworkInterface', arn('ec2', 'subnet/subnet-99999999999999999')),
  req('ec2:CreateNetworkInterface', arn('ec2', 'security-group/sg-99999999999999999')),
  req('ec2:DescribeNetworkInterfaces', '*', { 'aws:RequestedRegion': 'eu-west-1' }),
  req('ec2:DeleteNetworkInterface', arn('ec2', 'network-interface/eni-0123456789abcdef0', 'eu-west-1')),
  req('ec2:TerminateInstances', arn('ec2', 'instance/i-0123456789abcdef0')),
  req('kms:Decrypt', DATABASE_KEY),
  req('kms:Decrypt', DATABASE_KEY, { 'kms:ViaService': 's3.us-east-1.amazonaws.com' }),
  req('kms:Encrypt', STACK_KEY, { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' }),
];

/** Network interfaces, as Lambda creates and removes them for a function in the VPC. */
const ENI = [
  req('ec2:CreateNetworkInterface', arn('ec2', 'network-interface/*')),
  req('ec2:CreateNetworkInterface', arn('ec2', 'subnet/subnet-0123456789abcdef0')),
  req('ec2:CreateNetworkInterface', arn('ec2', 'subnet/subnet-0fedcba9876543210')),
  req('ec2:CreateNetworkInterface', arn('ec2', 'security-group/sg-0123456789abcdef0')),
  req('ec2:DescribeNetworkInterfaces', '*'),
  req('ec2:DescribeSubnets', '*'),
  req('ec2:DeleteNetworkInterface', arn('ec2', 'network-interface/eni-0123456789abcdef0')),
  req('ec2:AssignPrivateIpAddresses', arn('ec2', 'network-interface/eni-0123456789abcdef0')),
  req('ec2:UnassignPrivateIpAddresses', arn('ec2', 'network-interface/eni-0123456789abcdef0')),
];
const MOUNT = req('elasticfilesystem:ClientMount', arn('elasticfilesystem', 'file-system/fs-0123456789abcdef0'), {
  'elasticfilesystem:AccessPointArn': ACCESS_POINT,
});
const READ_LOG_OBJECTS = [
  req('s3:ListBucket', 'arn:aws:s3:::my-logs', { 's3:prefix': 'app/' }),
  req('s3:ListBucket', 'arn:aws:s3:::my-logs', { 's3:prefix': 'app/web-1/2026/12/02/' }),
  req('s3:GetObject', 'arn:aws:s3:::my-logs/app/web-1/2026/12/02/part-0001.log.gz'),
  req('s3:ListBucket', 'arn:aws:s3:::alb-logs-123456789012'),
  req('s3:ListBucket', 'arn:aws:s3:::alb-logs-123456789012', { 's3:prefix': 'AWSLogs/' }),
  req('s3:GetObject', 'arn:aws:s3:::alb-logs-123456789012/AWSLogs/123456789012/elasticloadbalancing/x.log.gz'),
];
const OUTSIDE_THE_PREFIX = [
  req('s3:ListBucket', 'arn:aws:s3:::my-logs'),
  req('s3:ListBucket', 'arn:aws:s3:::my-logs', { 's3:prefix': '' }),
  req('s3:ListBucket', 'arn:aws:s3:::my-logs', { 's3:prefix': 'secrets/' }),
  req('s3:ListBucket', 'arn:aws:s3:::my-logs', { 's3:prefix': 'ap' }),
  req('s3:GetObject', 'arn:aws:s3:::my-logs/secrets/app/x.log'),
  req('s3:GetObject', 'arn:aws:s3:::my-logs/application.log'),
];
const PUBLISH = req('sns:Publish', TOPIC);
const EVALUATE = req('lambda:InvokeFunction', arn('lambda', 'function:logmon-prod-alert'));
const ENCRYPT_MESSAGES = [
  req('kms:GenerateDataKey', STACK_KEY, { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' }),
  req('kms:Decrypt', STACK_KEY, { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' }),
];
const DECRYPT_DATABASE_URL = req('kms:Decrypt', DATABASE_KEY, { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' });

const describeRequest = (r: Request): string => `${r.action} ${r.resource}${r.context ? ` ${JSON.stringify(r.context)}` : ''}`;

describe('IAM simulation of the packaged roles', () => {
  let dir: string;
  let plain: Template;
  let full: Template;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-iam-'));
    plain = await packageStack(path.join(dir, 'plain'), BASE);
    full = await packageStack(path.join(dir, 'full'), EVERY_OPTION);
  }, 240_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The requests of `list` whose outcome is not `expected`, for `fn` in `template`. */
  const wrong = (template: Template, fn: Fn, list: Request[], expected: boolean): string[] => {
    const statements = roleStatements(template, ROLES[fn], ACCOUNT);
    return list.filter((r) => isAllowed(statements, r, ACCOUNT) !== expected).map(describeRequest);
  };

  describe('the default stack (no VPC, no EFS, no bucket, no key)', () => {
    it.each([
      ['ingest', [...common('ingest'), EVALUATE]],
      ['alert', [...common('alert'), PUBLISH]],
      ['retention', common('retention')],
    ] as [Fn, Request[]][])('lets %s do its work: its own logs, the database URL, and its one call', (fn, allowed) => {
      expect(wrong(plain, fn, allowed, true)).toEqual([]);
    });

    it.each([
      ['ingest', [PUBLISH, ...ENI, MOUNT, ...READ_LOG_OBJECTS, ...ENCRYPT_MESSAGES, DECRYPT_DATABASE_URL]],
      ['alert', [EVALUATE, ...ENI, MOUNT, ...READ_LOG_OBJECTS, ...ENCRYPT_MESSAGES, DECRYPT_DATABASE_URL]],
      ['retention', [PUBLISH, EVALUATE, ...ENI, MOUNT, ...READ_LOG_OBJECTS, ...ENCRYPT_MESSAGES, DECRYPT_DATABASE_URL]],
    ] as [Fn, Request[]][])('denies %s what it does not use: no network interfaces without a VPC, no mount, no bucket, no key', (fn, denied) => {
      expect(wrong(plain, fn, [...never(fn), ...denied], false)).toEqual([]);
    });

    it('creates no network-interface policy and no dashboard role', () => {
      expect(() => roleStatements(plain, 'DashboardRole', ACCOUNT)).toThrow('is not created');
      expect(plain.Resources.VpcNetworkInterfacePolicy!.Condition).toBe('HasVpc');
      expect(plain.Conditions?.HasVpc).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    });
  });

  describe('the stack with every option (VPC, EFS, log buckets, S3 events, KMS keys, dashboard)', () => {
    it.each([
      ['ingest', [...common('ingest'), EVALUATE, ...ENI, MOUNT, ...READ_LOG_OBJECTS, DECRYPT_DATABASE_URL]],
      ['alert', [...common('alert'), PUBLISH, ...ENI, ...ENCRYPT_MESSAGES, DECRYPT_DATABASE_URL]],
      ['retention', [...common('retention'), ...ENI, DECRYPT_DATABASE_URL]],
      ['dashboard', [...common('dashboard'), ...ENI, DECRYPT_DATABASE_URL]],
    ] as [Fn, Request[]][])('lets %s do its work, in the VPC', (fn, allowed) => {
      expect(wrong(full, fn, allowed, true)).toEqual([]);
    });

    it.each([
      ['ingest', [PUBLISH, ...OUTSIDE_THE_PREFIX, ...ENCRYPT_MESSAGES, req('elasticfilesystem:ClientMount', MOUNT.resource)]],
      ['ingest', [req('elasticfilesystem:ClientMount', MOUNT.resource, { 'elasticfilesystem:AccessPointArn': ACCESS_POINT.replace('fsap-0', 'fsap-9') })]],
      ['alert', [EVALUATE, MOUNT, ...READ_LOG_OBJECTS, req('kms:GenerateDataKey', STACK_KEY, { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })]],
      ['retention', [PUBLISH, EVALUATE, MOUNT, ...READ_LOG_OBJECTS, ...ENCRYPT_MESSAGES]],
      ['dashboard', [PUBLISH, EVALUATE, MOUNT, ...READ_LOG_OBJECTS, ...ENCRYPT_MESSAGES]],
    ] as [Fn, Request[]][])('denies %s what it does not use: no write to EFS, nothing outside the prefixes, no other key use', (fn, denied) => {
      expect(wrong(full, fn, [...never(fn), ...denied], false)).toEqual([]);
    });

    it('lets S3 invoke ingest only from the log buckets, of this account', () => {
      const permissions = Object.values(full.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 's3.amazonaws.com')
        .map((r) => r.Properties);

      expect(permissions).toEqual([
        expect.objectContaining({
          FunctionName: { 'Fn::GetAtt': ['IngestLambdaFunction', 'Arn'] },
          SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::my-logs' },
          SourceAccount: { Ref: 'AWS::AccountId' },
        }),
        expect.objectContaining({
          FunctionName: { 'Fn::GetAtt': ['IngestLambdaFunction', 'Arn'] },
          SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::alb-logs-123456789012' },
          SourceAccount: { Ref: 'AWS::AccountId' },
        }),
      ]);
      expect(Object.values(plain.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 's3.amazonaws.com')).toEqual([]);
    });
  });

  describe('the policies of the VPC endpoints of the stack with every option (vpcEndpoints=on)', () => {
    /** The endpoint of the stack a request goes through, by its service: the ones the stack creates. */
    const ENDPOINTS: Record<string, string> = { ssm: 'SsmVpcEndpoint', sns: 'SnsVpcEndpoint', lambda: 'LambdaVpcEndpoint', s3: 'S3VpcEndpoint' };
    const through = (list: Request[]): Request[] => list.filter((r) => r.action.split(':')[0]! in ENDPOINTS);
    /** The requests of `list`, made by `principal` through their endpoint, whose outcome is not `expected`. */
    const wrongThrough = (list: Request[], principal: string, expected: boolean): string[] =>
      through(list)
        .filter((r) => isAllowed(endpointStatements(full, ENDPOINTS[r.action.split(':')[0]!]!, ACCOUNT), { ...r, principal }, ACCOUNT) !== expected)
        .map(describeRequest);
    const OTHER_ROLE = `arn:aws:iam::${ACCOUNT.accountId}:role/another-application`;
    const calls: [Fn, Request[]][] = [
      ['ingest', [...common('ingest'), EVALUATE, ...READ_LOG_OBJECTS]],
      ['alert', [...common('alert'), PUBLISH]],
      ['retention', common('retention')],
      ['dashboard', common('dashboard')],
    ];

    it.each(calls)('lets %s make its calls through the endpoints, by its role', (fn, allowed) => {
      expect(through(allowed).length).toBeGreaterThan(0);
      expect(wrongThrough(allowed, roleArn(ROLES[fn], ACCOUNT), true)).toEqual([]);
    });

    it.each(calls)("denies the same calls of %s to any other principal of the account (the endpoints' private DNS serves the whole VPC)", (_fn, allowed) => {
      expect(wrongThrough(allowed, OTHER_ROLE, false)).toEqual([]);
    });

    it.each([
      ['ingest', [PUBLISH, ...OUTSIDE_THE_PREFIX.filter((r) => r.action === 's3:GetObject')]],
      ['alert', [EVALUATE, ...READ_LOG_OBJECTS]],
      ['retention', [PUBLISH, EVALUATE, ...READ_LOG_OBJECTS]],
      ['dashboard', [PUBLISH, EVALUATE, ...READ_LOG_OBJECTS]],
    ] as [Fn, Request[]][])('denies %s, through the endpoints, what it does not do: other parameters, topics, functions, objects', (fn, denied) => {
      expect(wrongThrough([...never(fn), ...denied], roleArn(ROLES[fn], ACCOUNT), false)).toEqual([]);
    });

    it("leaves the listing's prefix to the ingest role: a listing outside it passes the S3 endpoint, and the role refuses it", () => {
      const listings = OUTSIDE_THE_PREFIX.filter((r) => r.action === 's3:ListBucket');

      expect(listings.length).toBeGreaterThan(0);
      expect(wrongThrough(listings, roleArn('IngestRole', ACCOUNT), true)).toEqual([]);
      expect(wrong(full, 'ingest', listings, false)).toEqual([]);
    });
  });

  it('justifies every statement in docs/deploy.md (each Sid in its Permissions table)', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/deploy.md'), 'utf8');
    const permissions = doc.slice(doc.indexOf('## Permissions'), doc.indexOf('\n## ', doc.indexOf('## Permissions') + 1));
    const sids = new Set<string>();
    for (const role of Object.values(ROLES)) for (const s of roleStatements(full, role, ACCOUNT)) sids.add((s.Sid ?? '(no Sid)').replace(/\d+$/, 'N'));

    expect([...sids].filter((sid) => !permissions.includes(`\`${sid}\``))).toEqual([]);
  });

  it('justifies every endpoint policy statement in docs/deploy.md (each endpoint and Sid in its Endpoint policies table)', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/deploy.md'), 'utf8');
    const start = doc.indexOf('### Endpoint policies');
    const table = doc.slice(start, doc.indexOf('\n#', start + 1));
    const endpoints = Object.entries(full.Resources).filter(([, r]) => r.Type === 'AWS::EC2::VPCEndpoint');
    const undocumented = endpoints.flatMap(([id]) =>
      [id, ...endpointStatements(full, id, ACCOUNT).map((s) => (s.Sid ?? '(no Sid)').replace(/\d+$/, 'N'))].filter((name) => !table.includes(`\`${name}\``)),
    );

    expect(start).toBeGreaterThan(0);
    expect(endpoints.length).toBe(4);
    expect(undocumented).toEqual([]);
  });
});
