// The dashboard in the deployable stack: `serverless package --stage prod`
// (no AWS credentials) with and without --param dashboard=on, and the
// CloudFormation template and zip it builds. Off unless enabled; when on, only
// behind a Lambda function URL with IAM authentication, never API Gateway or
// a public URL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packagingEnv, paramArgs, runServerless as runPackaging } from '../support/serverless-package';
import type { Resource, Template } from '../support/serverless-package';
import { listZip } from '../support/zip';

const ONE_MB = 1024 * 1024;
const PARAMS = {
  alertEmails: 'ops@example.com',
  databaseUrlParameter: '/logmon/prod/database-url',
  subnetIds: 'subnet-0123456789abcdef0',
  securityGroupIds: 'sg-0123456789abcdef0',
  logsAccessPointArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
};

const runServerless = (args: string[]) => runPackaging(args, packagingEnv({}, ['DASHBOARD_WRITE']));

async function packageWith(outDir: string, extra: Record<string, string>): Promise<Template> {
  const params = { ...PARAMS, ...extra };
  const result = await runServerless(['package', '--stage', 'prod', '--package', outDir, ...paramArgs(params)]);
  if (result.code !== 0) throw new Error(`serverless package failed:\n${result.output}`);
  return JSON.parse(fs.readFileSync(path.join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

const ofType = (template: Template, type: string): [string, Resource][] => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('serverless package --stage prod: the dashboard', () => {
  let dir: string;
  let off: Template;
  let on: Template;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-dashboard-package-'));
    off = await packageWith(path.join(dir, 'off'), {});
    on = await packageWith(path.join(dir, 'on'), { dashboard: 'on' });
  }, 240_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is not in the stack unless --param dashboard=on: no function, URL, role or HTTP API', () => {
    // the role is in the template under a condition that is false: CloudFormation creates nothing
    expect(Object.entries(off.Resources).filter(([id, r]) => id.startsWith('Dashboard') && r.Condition !== 'DashboardOn')).toEqual([]);
    expect(off.Conditions?.DashboardOn).toEqual({ 'Fn::Equals': ['off', 'on'] });
    expect(off.Resources.DashboardLambdaFunction).toBeUndefined();
    expect(ofType(off, 'AWS::Lambda::Url')).toEqual([]);
    expect(Object.values(off.Resources).filter((r) => r.Type.startsWith('AWS::ApiGateway'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'off', 'dashboard.zip'))).toBe(false);
  });

  it('with dashboard=on, is reachable only through a function URL with IAM authentication: no public permission, no API Gateway', () => {
    const urls = ofType(on, 'AWS::Lambda::Url');
    const permissions = ofType(on, 'AWS::Lambda::Permission').map(([, r]) => r.Properties);

    expect(urls).toEqual([
      [
        'DashboardLambdaFunctionUrl',
        { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': ['DashboardLambdaFunction', 'Arn'] } } },
      ],
    ]);
    expect(permissions.filter((p) => JSON.stringify(p.FunctionName).includes('Dashboard'))).toEqual([]);
    expect(permissions.filter((p) => p.Principal === '*')).toEqual([]);
    expect(Object.values(on.Resources).filter((r) => r.Type.startsWith('AWS::ApiGateway'))).toEqual([]);
    expect(ofType(on, 'AWS::Events::Rule').some(([, r]) => JSON.stringify(r).includes('Dashboard'))).toBe(false);
    expect(on.Outputs.DashboardLambdaFunctionUrl).toBeDefined();
  });

  it('with dashboard=on, runs read-only in the VPC with a role of its own that may read the database URL and write its logs, nothing else', () => {
    const fn = on.Resources.DashboardLambdaFunction!.Properties;
    const role = on.Resources.DashboardRole!;

    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Role: { 'Fn::GetAtt': ['DashboardRole', 'Arn'] },
      VpcConfig: expect.any(Object),
    });
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      DASHBOARD_WRITE: '',
      DASHBOARD_HOURS: '',
      DATABASE_URL: '',
      DATABASE_URL_PARAMETER: '/logmon/prod/database-url',
    });
    expect(fn.FileSystemConfigs).toBeUndefined();
    expect(role.Condition).toBe('DashboardOn');
    expect(on.Conditions?.DashboardOn).toEqual({ 'Fn::Equals': ['on', 'on'] });
    expect(role.Properties.Policies).toEqual([
      {
        PolicyName: 'dashboard',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'WriteOwnLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/logmon-prod-dashboard:*' },
            },
          ],
        },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toEqual([
      { Ref: 'DatabaseUrlReadPolicy' },
      { 'Fn::If': ['HasVpc', { Ref: 'VpcNetworkInterfacePolicy' }, { Ref: 'AWS::NoValue' }] },
    ]);
  });

  it('with dashboard=on, ships its handler with uPlot (and its licence) under 1 MB', () => {
    const zip = path.join(dir, 'on', 'dashboard.zip');
    const files = listZip(zip).filter((f) => !f.startsWith('sql/migrations/'));

    expect(fs.statSync(zip).size).toBeLessThan(ONE_MB);
    expect(files.sort()).toEqual(
      ['handlers/dashboard.js', 'node_modules/uplot/LICENSE', 'node_modules/uplot/dist/uPlot.iife.min.js', 'node_modules/uplot/dist/uPlot.min.css'].sort(),
    );
  });

  it.each(['local', 'yes', 'public'])(
    'refuses --param dashboard=%s before building anything (on or off only)',
    async (value) => {
      const out = path.join(dir, `bad-${value}`);
      const result = await runServerless([
        'package',
        '--stage',
        'prod',
        '--package',
        out,
        ...Object.entries({ ...PARAMS, dashboard: value }).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
      ]);

      expect(result.code).not.toBe(0);
      expect(result.output).toContain('dashboard: must be on or off');
      expect(fs.existsSync(out)).toBe(false);
    },
    60_000,
  );
});
