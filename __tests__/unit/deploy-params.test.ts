import {
  buildEndpointResources,
  buildExtensions,
  buildLogBucketResources,
  buildPackagePatterns,
  buildSubscriptions,
  findProblems,
  parseEmailFilters,
  parseLogBucket,
  parseTags,
} from '../../scripts/deploy-params.cjs';

const VALID = {
  alertEmails: 'ops@example.com, oncall@example.com',
  databaseUrlParameter: '/logmon/prod/database-url',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  securityGroupIds: 'sg-0123456789abcdef0',
  logsAccessPointArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
  logFiles: '/mnt/logs/*.log',
  retentionDays: '30',
};

const REQUIRED = { alertEmails: 'ops@example.com', databaseUrlParameter: '/logmon/prod/database-url' };
const NETWORK = { subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210', securityGroupIds: 'sg-0123456789abcdef0' };

describe('Function: findProblems', () => {
  it('accepts a complete set of deploy parameters', () => {
    expect(findProblems(VALID)).toEqual([]);
  });

  it('accepts the optional tunables of the functions in their documented forms', () => {
    const tunables = {
      logLevels: 'ERROR,FATAL,CRITICAL',
      logTimezone: 'Europe/Berlin',
      alertRules: 'logmon.example.yml',
      logBuckets: 'my-logs/fluent-bit/,alb-logs-123456789012',
      s3Events: 'on',
      vpcEndpoints: 'on',
      vpcId: 'vpc-0123456789abcdef0',
      routeTableIds: 'rtb-0123456789abcdef0,rtb-0fedcba9876543210',
      tags: 'team=payments,cost-center=1234',
      kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      sourcemaps: 'on',
      logLevel: 'debug',
      logMaxLineBytes: '4096',
      multilineFlushMs: '0',
      alertGrace: '5m',
      alertLateHorizon: '1h30m',
      alertSubjectPrefix: '[logmon prod]',
      snsEndpointUrl: 'https://vpce-0123456789abcdef0-abcdefgh.sns.us-east-1.vpce.amazonaws.com',
      retentionBatchSize: '1000',
      opsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-alarms',
    };

    expect(findProblems({ ...VALID, ...tunables })).toEqual([]);
  });

  it('accepts no network at all (no VPC, no EFS): the functions then run outside any VPC', () => {
    expect(findProblems({ alertEmails: 'ops@example.com', databaseUrlParameter: '/logmon/prod/database-url' })).toEqual([]);
  });

  it.each([
    [{ subnetIds: 'subnet-0123456789abcdef0' }, 'securityGroupIds: missing: a VPC needs both subnetIds and securityGroupIds (or neither: no VPC)'],
    [{ securityGroupIds: 'sg-0123456789abcdef0' }, 'subnetIds: missing: a VPC needs both'],
    [
      { logsAccessPointArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0' },
      'logsAccessPointArn: an EFS mount needs the VPC of its mount targets',
    ],
    [{ s3Events: 'on' }, 's3Events: on needs logBuckets'],
  ])('refuses a network half given: %p', (params, problem) => {
    expect(findProblems({ alertEmails: 'ops@example.com', databaseUrlParameter: '/logmon/prod/database-url', ...params })).toEqual([
      expect.stringContaining(problem),
    ]);
  });

  it.each([
    [
      { vpcEndpoints: 'on', vpcId: 'vpc-0123456789abcdef0' },
      ['vpcEndpoints: on needs subnetIds and securityGroupIds (the VPC of the functions, where the endpoints are created)'],
    ],
    [
      { ...NETWORK, vpcEndpoints: 'on' },
      ['vpcId: missing: vpcEndpoints=on creates the endpoints and their security group in the VPC of subnetIds, e.g. --param "vpcId=vpc-0123456789abcdef0"'],
    ],
    [
      { ...NETWORK, vpcEndpoints: 'on', vpcId: 'vpc-0123456789abcdef0', logBuckets: 'my-logs/app/' },
      [
        'routeTableIds: missing: vpcEndpoints=on with logBuckets creates an S3 gateway endpoint, which needs the route tables of subnetIds, e.g. --param "routeTableIds=rtb-0123456789abcdef0"',
      ],
    ],
    [{ ...NETWORK, vpcId: 'vpc-0123456789abcdef0' }, ['vpcId: only used with vpcEndpoints=on (the VPC of the endpoints it creates)']],
    [
      { ...NETWORK, vpcEndpoints: 'on', vpcId: 'vpc-0123456789abcdef0', routeTableIds: 'rtb-0123456789abcdef0' },
      ['routeTableIds: only used with vpcEndpoints=on and logBuckets (the route tables of the S3 gateway endpoint)'],
    ],
    [
      { ...NETWORK, logBuckets: 'my-logs/app/', routeTableIds: 'rtb-0123456789abcdef0' },
      ['routeTableIds: only used with vpcEndpoints=on and logBuckets (the route tables of the S3 gateway endpoint)'],
    ],
    [{ ...NETWORK, vpcEndpoints: 'yes' }, ['vpcEndpoints: must be on or off']],
    [{ ...NETWORK, vpcEndpoints: 'on', vpcId: 'vpc_0123' }, ['vpcId: must be a vpc-… id']],
    [
      { ...NETWORK, vpcEndpoints: 'on', vpcId: 'vpc-0123456789abcdef0', logBuckets: 'my-logs', routeTableIds: 'rtb-0123456789abcdef0,igw-0123' },
      ['routeTableIds: must be comma-separated rtb-… ids'],
    ],
  ])('refuses the VPC endpoints without what they need, or their parameters where nothing uses them: %p', (params, problems) => {
    expect(findProblems({ ...REQUIRED, ...params })).toEqual(problems);
  });

  it('names every missing required parameter with an example', () => {
    const problems = findProblems({});

    expect(problems).toEqual([
      'alertEmails: missing, e.g. --param "alertEmails=ops@example.com,oncall@example.com"',
      'databaseUrlParameter: missing, e.g. --param "databaseUrlParameter=/logmon/prod/database-url"',
    ]);
  });

  it.each([
    ['databaseUrlParameter', 'postgres://logmon:pw@db/logmon', 'databaseUrlParameter: is the NAME of the SSM SecureString parameter, never the URL itself'],
    ['databaseUrlParameter', 'logmon-db-url', 'databaseUrlParameter: must be an SSM parameter name starting with "/"'],
    ['alertEmails', 'ops@example.com,not-an-address', 'alertEmails: not e-mail addresses: not-an-address'],
    ['subnetIds', 'subnet-0123456789abcdef0,vpc-1', 'subnetIds: must be comma-separated subnet-… ids'],
    [
      'logsAccessPointArn',
      'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0',
      'logsAccessPointArn: must be the ARN of an EFS access point',
    ],
    ['logFiles', '/var/log/app.log', 'logFiles: must be under the EFS mount /mnt/logs/: /var/log/app.log'],
    ['retentionDays', '0', 'retentionDays: must be a whole number of days >= 1'],
    ['databaseKmsKeyArn', 'alias/aws/ssm', 'databaseKmsKeyArn: must be empty or the ARN of a KMS key'],
    ['opsTopicArn', 'ops-alarms', 'opsTopicArn: must be empty or the ARN of an SNS topic'],
    [
      'opsTopicArn',
      'arn:aws:sns:us-east-1:123456789012:ops-alarms.fifo',
      'opsTopicArn: must be a standard SNS topic: CloudWatch alarms cannot notify a FIFO topic',
    ],
    ['logLevels', 'ERROR;FATAL', 'logLevels: must be comma-separated level names'],
    ['logTimezone', 'Mars/Olympus', 'logTimezone: must be an IANA time zone'],
    ['alertRules', '[{"name": ', 'alertRules: is not valid JSON'],
    ['alertRules', 'config/no-such-rules.yml', 'alertRules: names config/no-such-rules.yml, which does not exist next to serverless.yml'],
    ['alertRules', '/etc/logmon/rules.yml', 'alertRules: must be a path inside the service folder'],
    ['alertRules', '../rules.yml', 'alertRules: must be a path inside the service folder'],
    ['logmonConfig', '.data/logmon.yml', 'logmonConfig: must not be in a hidden folder'],
    ['databaseCaFile', '/etc/ssl/db-ca.pem', 'databaseCaFile: must be a path inside the service folder'],
    ['databaseCaFile', 'certs/none.pem', 'databaseCaFile: names certs/none.pem, which does not exist next to serverless.yml'],
    ['logBuckets', 'My_Bucket', 'logBuckets: not a bucket or bucket/prefix'],
    ['logBuckets', 'my-logs/app/*.gz', 'logBuckets: not a bucket or bucket/prefix (no "*", "?" or "$" in a prefix): my-logs/app/*.gz'],
    ['s3Events', 'yes', 's3Events: must be on or off'],
    ['metrics', 'none', 'metrics: must be full or basic'],
    ['tags', 'team', 'tags: must be key=value pairs'],
    ['tags', 'stage=dev', 'tags: tag key "stage" is set by the stack'],
    ['tags', 'aws:owner=me', 'tags: tag key "aws:owner": the aws: prefix is reserved'],
    ['kmsKeyArn', 'alias/logmon', 'kmsKeyArn: must be empty or the ARN of a KMS key'],
    ['sourcemaps', 'yes', 'sourcemaps: must be on or off'],
    ['logLevel', 'LOUD', 'logLevel: must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT'],
    ['logMaxLineBytes', '64k', 'logMaxLineBytes: must be a whole number'],
    ['alertGrace', '3 minutes', 'alertGrace: must be a duration'],
    ['alertSubjectPrefix', '[logmon] Zürich', 'alertSubjectPrefix: must be at most 30 printable ASCII characters'],
    ['snsEndpointUrl', 'http://sns.internal', 'snsEndpointUrl: must be an https:// URL of an SNS endpoint'],
    ['retentionBatchSize', '-1', 'retentionBatchSize: must be a whole number'],
  ])('rejects %s=%p', (name, value, problem) => {
    expect(findProblems({ ...VALID, [name]: value })).toEqual([expect.stringContaining(problem)]);
  });
});

describe('Function: parseEmailFilters', () => {
  const emails = ['ops@example.com', 'OnCall@example.com'];

  it('maps each address (case-insensitively) to its SNS filter policy', () => {
    expect(parseEmailFilters('{"oncall@example.com":{"severity":["FATAL"],"rule":["db-errors"]}}', emails)).toEqual({
      'oncall@example.com': { severity: ['FATAL'], rule: ['db-errors'] },
    });
  });

  it('is empty when no filter is given', () => {
    expect(parseEmailFilters('', emails)).toEqual({});
  });

  it.each([
    ['{"severity":', 'alertEmailFilters is not JSON'],
    ['["FATAL"]', 'alertEmailFilters must be a JSON object'],
    ['{"someone@example.com":{"severity":["FATAL"]}}', 'someone@example.com is not in alertEmails'],
    ['{"ops@example.com":{"level":["FATAL"]}}', 'uses "level"; notifications carry only severity, rule, state, kind, service, host'],
    ['{"ops@example.com":{"severity":"FATAL"}}', 'needs a non-empty list for "severity"'],
    ['{"ops@example.com":{}}', 'must be a non-empty object'],
  ])('rejects %p', (text, message) => {
    expect(() => parseEmailFilters(text, emails)).toThrow(message);
  });
});

describe('Function: buildSubscriptions', () => {
  it('subscribes each address once by e-mail, with its filter policy, under a logical id stable per address', () => {
    const resources = buildSubscriptions(['ops@example.com', 'oncall@example.com', 'OPS@example.com'], { 'oncall@example.com': { severity: ['FATAL'] } });
    const again = buildSubscriptions(['oncall@example.com'], {});

    expect(Object.values(resources)).toEqual([
      { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: 'ops@example.com' } },
      {
        Type: 'AWS::SNS::Subscription',
        Properties: {
          TopicArn: { Ref: 'AlertTopic' },
          Protocol: 'email',
          Endpoint: 'oncall@example.com',
          FilterPolicyScope: 'MessageAttributes',
          FilterPolicy: { severity: ['FATAL'] },
        },
      },
    ]);
    expect(Object.keys(again)[0]).toBe(Object.keys(resources)[1]);
    expect(Object.keys(resources).every((id) => /^[A-Za-z0-9]+$/.test(id))).toBe(true);
  });
});

describe('Function: parseTags', () => {
  it('reads key=value pairs, trimmed, in order', () => {
    expect(parseTags(' team=payments , cost-center=1234,owner=ops@example.com')).toEqual({ team: 'payments', 'cost-center': '1234', owner: 'ops@example.com' });
  });

  it('is empty for no tags', () => {
    expect(parseTags('')).toEqual({});
  });

  it('refuses a key given twice', () => {
    expect(() => parseTags('team=a,team=b')).toThrow('tag key "team" is given twice');
  });
});

describe('Function: parseLogBucket', () => {
  it.each([
    ['my-logs', { bucket: 'my-logs', prefix: '' }],
    ['my-logs/app/', { bucket: 'my-logs', prefix: 'app/' }],
    ['alb.logs-1/AWSLogs/123456789012/', { bucket: 'alb.logs-1', prefix: 'AWSLogs/123456789012/' }],
  ])('reads %p', (entry, expected) => {
    expect(parseLogBucket(entry)).toEqual(expected);
  });

  it.each(['ab', 'Upper', 'my..logs', 'my-logs//app', 'my-logs/a?b', 'my-logs/${aws:username}'])('refuses %p', (entry) => {
    expect(parseLogBucket(entry)).toBeNull();
  });
});

describe('Function: buildLogBucketResources', () => {
  it("lists each bucket only under its prefix and reads only the prefix's objects; S3 may invoke ingest per bucket with s3Events=on", () => {
    const resources = buildLogBucketResources({ logBuckets: 'my-logs/app/,my-logs/web/', s3Events: 'on' }) as Record<string, unknown>;
    const policy = resources.IngestLogBucketsPolicy as { Properties: { Roles: unknown; PolicyDocument: { Statement: unknown[] } } };

    expect(policy.Properties.Roles).toEqual([{ Ref: 'IngestRole' }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['app/*'] } } }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::my-logs/app/*' } }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['web/*'] } } }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::my-logs/web/*' } }),
    ]);
    // one bucket, one permission
    expect(Object.values(resources).filter((r) => (r as { Type: string }).Type === 'AWS::Lambda::Permission')).toHaveLength(1);
  });

  it('adds nothing without logBuckets', () => {
    expect(buildLogBucketResources({ logBuckets: '' })).toEqual({});
  });
});

describe('Function: buildExtensions', () => {
  it('adds no VPC, mount or key when none is given', () => {
    expect(buildExtensions({ subnetIds: '', securityGroupIds: '', logsAccessPointArn: '', kmsKeyArn: '' })).toEqual({});
  });

  it('puts every function in the VPC, mounts EFS on ingest only, and encrypts every log group with the key', () => {
    const ext = buildExtensions({
      subnetIds: 'subnet-0123456789abcdef0',
      securityGroupIds: 'sg-0123456789abcdef0',
      logsAccessPointArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
      kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
      dashboard: 'on',
    });

    expect(Object.keys(ext).sort()).toEqual(['Ingest', 'Alert', 'Retention', 'Dashboard'].flatMap((f) => [`${f}LambdaFunction`, `${f}LogGroup`]).sort());
    expect(
      Object.entries(ext)
        .filter(([, e]) => 'FileSystemConfigs' in ((e as { Properties: object }).Properties ?? {}))
        .map(([id]) => id),
    ).toEqual(['IngestLambdaFunction']);
  });
});

describe('Function: buildEndpointResources', () => {
  const ON = {
    ...REQUIRED,
    ...NETWORK,
    vpcEndpoints: 'on',
    vpcId: 'vpc-0123456789abcdef0',
    alertFunctionName: 'logmon-prod-alert',
    logBuckets: '',
    routeTableIds: '',
  };
  const ids = (params: Record<string, string>): string[] => Object.keys(buildEndpointResources(params)).sort();

  it.each([
    ['off', { vpcEndpoints: 'off' }, []],
    ['on without a VPC', { subnetIds: '', securityGroupIds: '' }, []],
    ['on: SSM, SNS, Lambda', {}, ['LambdaVpcEndpoint', 'SnsVpcEndpoint', 'SsmVpcEndpoint', 'VpcEndpointSecurityGroup']],
    ['the URL given directly: no SSM', { databaseUrl: 'postgres://db.internal/logmon' }, ['LambdaVpcEndpoint', 'SnsVpcEndpoint', 'VpcEndpointSecurityGroup']],
    ['alertFunctionName=none: no Lambda', { alertFunctionName: 'none' }, ['SnsVpcEndpoint', 'SsmVpcEndpoint', 'VpcEndpointSecurityGroup']],
    ['alertFunctionName=NONE: no Lambda', { alertFunctionName: 'NONE' }, ['SnsVpcEndpoint', 'SsmVpcEndpoint', 'VpcEndpointSecurityGroup']],
    [
      'logBuckets: the S3 gateway too',
      { logBuckets: 'my-logs/app/', routeTableIds: 'rtb-0123456789abcdef0' },
      ['LambdaVpcEndpoint', 'S3VpcEndpoint', 'SnsVpcEndpoint', 'SsmVpcEndpoint', 'VpcEndpointSecurityGroup'],
    ],
  ])('creates the endpoints the functions call: %s', (_case, params, expected) => {
    expect(ids({ ...ON, ...params })).toEqual(expected);
  });

  it('lets every function role read the database URL through SSM, the dashboard role with dashboard=on', () => {
    const principals = (params: Record<string, string>): unknown => {
      const ssm = (buildEndpointResources({ ...ON, ...params }) as Record<string, unknown>).SsmVpcEndpoint as {
        Properties: { PolicyDocument: { Statement: { Principal: unknown; Condition: unknown }[] } };
      };
      return ssm.Properties.PolicyDocument.Statement.map((s) => [s.Principal, s.Condition]);
    };
    const arns = (roles: string[]) => [['*', { ArnEquals: { 'aws:PrincipalArn': roles.map((role) => ({ 'Fn::GetAtt': [role, 'Arn'] })) } }]];

    expect(principals({})).toEqual(arns(['IngestRole', 'AlertRole', 'RetentionRole']));
    expect(principals({ dashboard: 'on' })).toEqual(arns(['IngestRole', 'AlertRole', 'RetentionRole', 'DashboardRole']));
  });
});

describe('Function: buildPackagePatterns', () => {
  it('packages the files logmonConfig, alertRules and databaseCaFile name, not inline rules', () => {
    expect(buildPackagePatterns({ logmonConfig: 'config/logmon.yml', alertRules: 'config/rules.yml', databaseCaFile: 'certs/db-ca.pem' })).toEqual(
      expect.arrayContaining(['sql/migrations/*.sql', 'logmon.yml', 'config/logmon.yml', 'config/rules.yml', 'certs/db-ca.pem']),
    );
    expect(buildPackagePatterns({ logmonConfig: '', alertRules: '[{"name":"x"}]' })).toEqual([
      'sql/migrations/*.sql',
      'logmon.yml',
      'logmon.yaml',
      'logmon.json',
    ]);
  });
});
