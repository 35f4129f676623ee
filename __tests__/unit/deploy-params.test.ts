import { buildSubscriptions, findProblems, parseEmailFilters } from '../../scripts/deploy-params.cjs';

const VALID = {
  alertEmails: 'ops@example.com, oncall@example.com',
  databaseUrlParameter: '/logmon/prod/database-url',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  securityGroupIds: 'sg-0123456789abcdef0',
  logsAccessPointArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
  logFiles: '/mnt/logs/*.log',
  retentionDays: '30',
};

describe('Function: findProblems', () => {
  it('accepts a complete set of deploy parameters', () => {
    expect(findProblems(VALID)).toEqual([]);
  });

  it('accepts the optional tunables of the functions in their documented forms', () => {
    const tunables = {
      logLevels: 'ERROR,FATAL,CRITICAL',
      logTimezone: 'Europe/Berlin',
      alertRules: 'config/alert-rules.yaml',
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

  it('names every missing required parameter with an example', () => {
    const problems = findProblems({});

    expect(problems).toEqual([
      'alertEmails: missing, e.g. --param "alertEmails=ops@example.com,oncall@example.com"',
      'databaseUrlParameter: missing, e.g. --param "databaseUrlParameter=/logmon/prod/database-url"',
      expect.stringMatching(/^subnetIds: missing/),
      expect.stringMatching(/^securityGroupIds: missing/),
      expect.stringMatching(/^logsAccessPointArn: missing/),
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
