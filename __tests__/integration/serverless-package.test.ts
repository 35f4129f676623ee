// `serverless package` of the deployable stage, without AWS credentials, and
// assertions on the CloudFormation template and the function bundles it builds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packagingEnv, paramArgs, runServerless as runPackaging } from '../support/serverless-package';
import type { Resource, Template } from '../support/serverless-package';
import { listZip } from '../support/zip';

const FUNCTIONS = ['ingest', 'alert', 'retention'] as const;
const ONE_MB = 1024 * 1024;
/** A connection string in the environment of the packaging: it must not reach anything deployable. */
const LOCAL_DATABASE_URL = 'postgres://logmon:leaked-password@127.0.0.1:5432/logmon';
const PARAMS = {
  alertEmails: 'ops@example.com,oncall@example.com',
  alertEmailFilters: '{"oncall@example.com":{"severity":["critical"]}}',
  databaseUrlParameter: '/logmon/prod/database-url',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  securityGroupIds: 'sg-0123456789abcdef0',
  logsAccessPointArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
  opsTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops-alarms',
};

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const runServerless = (args: string[]) => runPackaging(args, packagingEnv({ DATABASE_URL: LOCAL_DATABASE_URL }));
const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('serverless package --stage prod (no AWS credentials)', () => {
  let outDir: string;
  let result: { code: number | null; output: string };
  let template: Template;
  let templateText: string;

  const resourcesOf = (type: string): [string, Resource][] => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  /** Every IAM statement of the stack, by the role or policy that holds it (a Fn::If is taken as its "true" side). */
  const statements = (): { owner: string; statement: Statement }[] => {
    const out: { owner: string; statement: Statement }[] = [];
    const add = (owner: string, list: unknown[]): void => {
      for (const s of list) {
        const ifBranches = (s as { 'Fn::If'?: unknown[] })['Fn::If'];
        out.push({ owner, statement: (ifBranches ? ifBranches[1] : s) as Statement });
      }
    };
    for (const [id, r] of resourcesOf('AWS::IAM::Role')) {
      for (const p of (r.Properties.Policies as { PolicyDocument: { Statement: unknown[] } }[] | undefined) ?? []) add(id, p.PolicyDocument.Statement);
    }
    for (const [id, r] of resourcesOf('AWS::IAM::ManagedPolicy')) add(id, (r.Properties.PolicyDocument as { Statement: unknown[] }).Statement);
    return out;
  };

  beforeAll(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-package-'));
    result = await runServerless(['package', '--stage', 'prod', '--package', outDir, ...paramArgs(PARAMS)]);
    if (result.code !== 0) throw new Error(`serverless package failed:\n${result.output}`);
    templateText = fs.readFileSync(path.join(outDir, 'cloudformation-template-update-stack.json'), 'utf8');
    template = JSON.parse(templateText) as Template;
  }, 180000);

  afterAll(() => {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('runs every function on nodejs24.x, arm64, in the given VPC', () => {
    for (const fn of FUNCTIONS) {
      const props = template.Resources[`${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`]!.Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        VpcConfig: { SubnetIds: PARAMS.subnetIds.split(','), SecurityGroupIds: [PARAMS.securityGroupIds] },
      });
      expect(props.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('bundles each function on its own, under 1 MB, with only its handler and the migrations (no source map unless asked)', () => {
    for (const fn of FUNCTIONS) {
      const zip = path.join(outDir, `${fn}.zip`);
      expect(fs.statSync(zip).size).toBeLessThan(ONE_MB);
      const files = listZip(zip);
      expect(files).toContain(`handlers/${fn}.js`);
      expect(files.filter((f) => !f.startsWith('sql/migrations/'))).toEqual([`handlers/${fn}.js`]);
    }
  });

  it('schedules ingest and alert at rate(1 minute) and retention at rate(1 hour), without retries', () => {
    const schedules = Object.fromEntries(
      resourcesOf('AWS::Events::Rule').map(([, r]) => {
        const target = (r.Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] } }[])[0]!.Arn['Fn::GetAtt'][0];
        return [target, r.Properties.ScheduleExpression];
      }),
    );

    expect(schedules).toEqual({ IngestLambdaFunction: 'rate(1 minute)', AlertLambdaFunction: 'rate(1 minute)', RetentionLambdaFunction: 'rate(1 hour)' });
    expect(resourcesOf('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties.MaximumRetryAttempts)).toEqual([0, 0, 0]);
  });

  it('creates the alert topic, outputs its ARN, and subscribes each address by e-mail with its filter policy', () => {
    const subscriptions = resourcesOf('AWS::SNS::Subscription').map(([, r]) => r.Properties);

    expect(template.Resources.AlertTopic).toMatchObject({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'logmon-alerts-prod' } });
    expect(template.Outputs.AlertTopicArn!.Value).toEqual({ Ref: 'AlertTopic' });
    expect(subscriptions).toEqual([
      { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: 'ops@example.com' },
      {
        TopicArn: { Ref: 'AlertTopic' },
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
        FilterPolicyScope: 'MessageAttributes',
        FilterPolicy: { severity: ['critical'] },
      },
    ]);
  });

  it('gives each function a role of its own with the network-interface policy (in a VPC) and the database secret, and no default shared role', () => {
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    for (const fn of FUNCTIONS) {
      const role = `${fn[0]!.toUpperCase()}${fn.slice(1)}Role`;
      expect(template.Resources[`${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`]!.Properties.Role).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
      expect(template.Resources[role]!.Properties.ManagedPolicyArns).toEqual([
        { Ref: 'DatabaseUrlReadPolicy' },
        { 'Fn::If': ['HasVpc', { Ref: 'VpcNetworkInterfacePolicy' }, { Ref: 'AWS::NoValue' }] },
      ]);
      expect(template.Conditions?.HasVpc).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [PARAMS.subnetIds, ''] }] });
    }
  });

  it('allows sns:Publish on the alert topic only, and only to the alert function', () => {
    const sns = statements().filter(({ statement }) => actions(statement).some((a) => a.startsWith('sns:')));

    expect(sns).toEqual([
      { owner: 'AlertRole', statement: expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'AlertTopic' } }) },
    ]);
  });

  it('allows lambda:InvokeFunction on the alert function only, and only to ingest (its evaluation requests)', () => {
    const invoke = statements().filter(({ statement }) => actions(statement).some((a) => a.startsWith('lambda:')));

    expect(invoke).toEqual([
      {
        owner: 'IngestRole',
        statement: expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:logmon-prod-alert' },
        }),
      },
    ]);
    expect(template.Resources.IngestLambdaFunction!.Properties.Environment).toMatchObject({ Variables: { ALERT_FUNCTION_NAME: 'logmon-prod-alert' } });
  });

  it('tags every function and the topic with the service and stage', () => {
    for (const id of ['IngestLambdaFunction', 'AlertLambdaFunction', 'RetentionLambdaFunction', 'AlertTopic'])
      expect(template.Resources[id]!.Properties.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'service', Value: 'logmon' },
          { Key: 'stage', Value: 'prod' },
        ]),
      );
  });

  it('allows reading the one SSM parameter, and kms:Decrypt only when a customer key is given', () => {
    const ssm = statements().filter(({ statement }) => actions(statement).some((a) => a.startsWith('ssm:')));
    const kms = statements().filter(({ statement }) => actions(statement).some((a) => a.startsWith('kms:')));

    expect(ssm).toEqual([
      {
        owner: 'DatabaseUrlReadPolicy',
        statement: expect.objectContaining({
          Action: 'ssm:GetParameters',
          Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/logmon/prod/database-url' },
        }),
      },
    ]);
    // the database URL's key (via SSM) and the topic's (via SNS), each under a condition that is false here
    expect(kms.map(({ owner, statement }) => [owner, statement.Sid])).toEqual([
      ['AlertRole', 'EncryptAlertMessages'],
      ['DatabaseUrlReadPolicy', 'DecryptDatabaseUrlParameter'],
    ]);
    expect(template.Conditions?.HasDatabaseKmsKey).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(template.Conditions?.HasKmsKey).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('lets ingest mount the logs access point read-only at /mnt/logs', () => {
    const efs = statements().filter(({ statement }) => actions(statement).some((a) => a.startsWith('elasticfilesystem:')));

    expect(efs).toEqual([
      {
        owner: 'IngestRole',
        statement: expect.objectContaining({
          Action: 'elasticfilesystem:ClientMount',
          Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': PARAMS.logsAccessPointArn } },
        }),
      },
    ]);
    expect(template.Resources.IngestLambdaFunction!.Properties.FileSystemConfigs).toEqual([{ Arn: PARAMS.logsAccessPointArn, LocalMountPath: '/mnt/logs' }]);
    expect(template.Resources.AlertLambdaFunction!.Properties.FileSystemConfigs).toBeUndefined();
  });

  it('has no statement on every resource ("*") unless a condition narrows it', () => {
    const wide = statements().filter(({ statement }) => [statement.Resource].flat().includes('*') && !statement.Condition);

    expect(wide).toEqual([]);
  });

  it('keeps the database URL, passwords and local addresses out of what is deployed', () => {
    const state = fs.readFileSync(path.join(outDir, 'serverless-state.json'), 'utf8');
    const environment = template.Resources.IngestLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> };

    expect(templateText).not.toMatch(/postgres(ql)?:\/\//);
    expect(templateText).not.toMatch(/password|leaked/i);
    expect(templateText).not.toMatch(/localhost|127\.0\.0\.1/);
    expect(state).not.toContain('leaked-password');
    expect(environment.Variables).toMatchObject({
      DATABASE_URL: '',
      DATABASE_URL_PARAMETER: '/logmon/prod/database-url',
      LOG_FILES: '/mnt/logs/*.log',
      RETENTION_DAYS: '30',
    });
  });

  describe('alarms', () => {
    /** Where every alarm notifies, and its recovery: the ops topic when opsTopicArn is given, else the alert topic. */
    const ACTIONS = [{ 'Fn::If': ['HasOpsTopic', PARAMS.opsTopicArn, { Ref: 'AlertTopic' }] }];
    const TAGS = [
      { Key: 'service', Value: 'logmon' },
      { Key: 'stage', Value: 'prod' },
    ];
    const lambda = (fn: string): unknown[] => [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }];
    const own = (fn: string): unknown[] => [
      { Name: 'Service', Value: 'logmon' },
      { Name: 'Function', Value: { Ref: `${fn}LambdaFunction` } },
    ];
    const alarmsOf = (): Record<string, Record<string, unknown>> =>
      Object.fromEntries(resourcesOf('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));

    it.each([
      // id, namespace, metric, dimensions, statistic, period, evaluation periods, datapoints to alarm, operator, threshold, missing data
      ['IngestNotRunningAlarm', 'AWS/Lambda', 'Invocations', lambda('Ingest'), 'Sum', 60, 3, 3, 'LessThanThreshold', 1, 'breaching'],
      ['AlertNotRunningAlarm', 'AWS/Lambda', 'Invocations', lambda('Alert'), 'Sum', 60, 3, 3, 'LessThanThreshold', 1, 'breaching'],
      ['RetentionNotRunningAlarm', 'AWS/Lambda', 'Invocations', lambda('Retention'), 'Sum', 3600, 2, 2, 'LessThanThreshold', 1, 'breaching'],
      ['IngestFailingAlarm', 'AWS/Lambda', 'Errors', lambda('Ingest'), 'Sum', 60, 3, 2, 'GreaterThanOrEqualToThreshold', 1, 'notBreaching'],
      ['AlertFailingAlarm', 'AWS/Lambda', 'Errors', lambda('Alert'), 'Sum', 60, 3, 2, 'GreaterThanOrEqualToThreshold', 1, 'notBreaching'],
      ['RetentionFailingAlarm', 'AWS/Lambda', 'Errors', lambda('Retention'), 'Sum', 3600, 2, 2, 'GreaterThanOrEqualToThreshold', 1, 'notBreaching'],
      ['AlertOutboxNotDrainingAlarm', 'logmon', 'UnsentNotifications', own('Alert'), 'Minimum', 60, 3, 3, 'GreaterThanOrEqualToThreshold', 1, 'missing'],
      ['AlertNotificationDelayedAlarm', 'logmon', 'OldestUnsentAgeSeconds', own('Alert'), 'Maximum', 60, 1, 1, 'GreaterThanThreshold', 120, 'missing'],
      ['IngestBytesLostAlarm', 'logmon', 'BytesLost', own('Ingest'), 'Sum', 60, 1, 1, 'GreaterThanThreshold', 0, 'notBreaching'],
    ])('%s watches %s %s', (id, namespace, metric, dimensions, statistic, period, evaluationPeriods, datapoints, operator, threshold, missing) => {
      const alarm = alarmsOf()[id];

      expect(alarm).toEqual({
        AlarmDescription: expect.any(String),
        Namespace: namespace,
        MetricName: metric,
        Dimensions: dimensions,
        Statistic: statistic,
        Period: period,
        EvaluationPeriods: evaluationPeriods,
        DatapointsToAlarm: datapoints,
        ComparisonOperator: operator,
        Threshold: threshold,
        TreatMissingData: missing,
        AlarmActions: ACTIONS,
        OKActions: ACTIONS,
        Tags: TAGS,
      });
      expect(alarm!.AlarmDescription).toContain(metric);
      expect(String(alarm!.AlarmDescription).length).toBeGreaterThan(100);
    });

    it('IngestMostlyUnparsedAlarm watches the share UnparsedLines / LinesRead over 5 minutes, once 10 lines were read', () => {
      const alarm = alarmsOf().IngestMostlyUnparsedAlarm;
      const stat = (name: string) => ({ Metric: { Namespace: 'logmon', MetricName: name, Dimensions: own('Ingest') }, Period: 300, Stat: 'Sum' });

      expect(alarm).toEqual({
        AlarmDescription: expect.stringContaining('UnparsedLines / LinesRead'),
        Metrics: [
          { Id: 'share', Label: expect.any(String), Expression: 'IF(lines >= 10, unparsed / lines, 0)', ReturnData: true },
          { Id: 'unparsed', MetricStat: stat('UnparsedLines'), ReturnData: false },
          { Id: 'lines', MetricStat: stat('LinesRead'), ReturnData: false },
        ],
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0.5,
        TreatMissingData: 'notBreaching',
        AlarmActions: ACTIONS,
        OKActions: ACTIONS,
        Tags: TAGS,
      });
    });

    it('has exactly these alarms, notifying the topic of opsTopicArn when given (else the alert topic)', () => {
      expect(Object.keys(alarmsOf()).sort()).toEqual(
        [
          'AlertFailingAlarm',
          'AlertNotRunningAlarm',
          'AlertNotificationDelayedAlarm',
          'AlertOutboxNotDrainingAlarm',
          'IngestBytesLostAlarm',
          'IngestFailingAlarm',
          'IngestMostlyUnparsedAlarm',
          'IngestNotRunningAlarm',
          'RetentionFailingAlarm',
          'RetentionNotRunningAlarm',
        ].sort(),
      );
      expect(template.Conditions?.HasOpsTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [PARAMS.opsTopicArn, ''] }] });
    });

    it('keeps the metrics on in every deployed function (the alarms watch them)', () => {
      for (const fn of FUNCTIONS) {
        const environment = template.Resources[`${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`]!.Properties.Environment as {
          Variables: Record<string, unknown>;
        };
        expect(environment.Variables.LOGMON_METRICS).toBe('');
      }
    });
  });

  it('fails before building anything, naming each missing deploy parameter', async () => {
    const { code, output } = await runServerless([
      'package',
      '--stage',
      'prod',
      '--package',
      path.join(outDir, 'incomplete'),
      ...paramArgs({ alertEmails: PARAMS.alertEmails }),
    ]);

    expect(code).not.toBe(0);
    expect(output).toContain('databaseUrlParameter: missing');
    // the network is optional: none means no VPC
    for (const name of ['alertEmails', 'subnetIds', 'securityGroupIds', 'logsAccessPointArn']) expect(output).not.toContain(`${name}: missing`);
    expect(fs.existsSync(path.join(outDir, 'incomplete'))).toBe(false);
  }, 60000);

  it('resolves the local stage with no deploy parameter at all', async () => {
    const { code, output } = await runServerless(['print', '--stage', 'local']);

    expect({ code, error: code === 0 ? '' : output }).toEqual({ code: 0, error: '' });
  }, 60000);
});
