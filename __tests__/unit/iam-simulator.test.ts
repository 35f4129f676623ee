// The IAM simulator of the template tests (__tests__/support/iam-simulator.ts):
// its evaluation rules on small hand-written policies, so that a pass of
// iam-simulation.test.ts means what it says.
import { endpointStatements, evaluateConditions, isAllowed, resolveValue, roleArn, roleStatements, wildcardMatch } from '../support/iam-simulator';
import type { Account, Statement } from '../support/iam-simulator';
import type { Template } from '../support/serverless-package';

const ACCOUNT: Account = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const allow = (s: Partial<Statement>): Statement => ({ Effect: 'Allow', ...s });

describe('Function: wildcardMatch', () => {
  it.each([
    ['arn:aws:s3:::b/app/*', 'arn:aws:s3:::b/app/x/y.log', true],
    ['arn:aws:s3:::b/app/*', 'arn:aws:s3:::b/application.log', false],
    ['a?c', 'abc', true],
    ['a?c', 'abbc', false],
    ['arn:aws:logs:*:*:log-group:/aws/lambda/f:*', 'arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f2:log-stream:x', false],
  ])('%p against %p: %p', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });
});

describe('Function: isAllowed', () => {
  it('allows only what an Allow statement matches (action case-insensitively), else denies', () => {
    const statements = [allow({ Action: 'sns:Publish', Resource: 'arn:aws:sns:us-east-1:1:t' })];

    expect(isAllowed(statements, { action: 'SNS:publish', resource: 'arn:aws:sns:us-east-1:1:t' }, ACCOUNT)).toBe(true);
    expect(isAllowed(statements, { action: 'sns:Publish', resource: 'arn:aws:sns:us-east-1:1:other' }, ACCOUNT)).toBe(false);
    expect(isAllowed(statements, { action: 'sns:Subscribe', resource: 'arn:aws:sns:us-east-1:1:t' }, ACCOUNT)).toBe(false);
  });

  it('lets an explicit Deny win over an Allow', () => {
    const statements = [allow({ Action: 's3:*', Resource: '*' }), { Effect: 'Deny' as const, Action: 's3:DeleteObject', Resource: '*' }];

    expect(isAllowed(statements, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, ACCOUNT)).toBe(true);
    expect(isAllowed(statements, { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k' }, ACCOUNT)).toBe(false);
  });

  it('reads NotAction and NotResource as everything but', () => {
    const statements = [allow({ NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' })];

    expect(isAllowed(statements, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, ACCOUNT)).toBe(true);
    expect(isAllowed(statements, { action: 'iam:PassRole', resource: 'arn:aws:iam::1:role/r' }, ACCOUNT)).toBe(false);
    expect(isAllowed(statements, { action: 's3:GetObject', resource: 'arn:aws:s3:::secret/k' }, ACCOUNT)).toBe(false);
  });

  it('requires every condition, any value of each, and fails a condition whose key the request lacks', () => {
    const statements = [
      allow({
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::b',
        Condition: { StringLike: { 's3:prefix': ['app/*', 'web/*'] }, StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
      }),
    ];

    expect(isAllowed(statements, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'web/x' } }, ACCOUNT)).toBe(true);
    expect(isAllowed(statements, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'db/' } }, ACCOUNT)).toBe(false);
    expect(isAllowed(statements, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, ACCOUNT)).toBe(false);
    expect(
      isAllowed(
        statements,
        { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'app/', 'aws:RequestedRegion': 'eu-west-1' } },
        ACCOUNT,
      ),
    ).toBe(false);
  });

  it('throws on a condition operator it does not know, rather than guess', () => {
    const statements = [allow({ Action: '*', Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } })];

    expect(() => isAllowed(statements, { action: 's3:GetObject', resource: 'x', context: { 'aws:MultiFactorAuthAge': '1' } }, ACCOUNT)).toThrow(
      'NumericLessThan is not supported',
    );
  });
});

describe('Function: isAllowed, with a resource policy (Principal)', () => {
  const ingest = roleArn('IngestRole', ACCOUNT);
  const publish = { action: 'sns:Publish', resource: 'arn:aws:sns:us-east-1:123456789012:t' };

  it('allows only the principals a statement names by ARN, or everyone with "*"', () => {
    const named = [allow({ Principal: { AWS: [ingest] }, Action: 'sns:Publish', Resource: publish.resource })];
    const everyone = [allow({ Principal: '*', Action: 'sns:Publish', Resource: publish.resource })];

    expect(isAllowed(named, { ...publish, principal: ingest }, ACCOUNT)).toBe(true);
    expect(isAllowed(named, { ...publish, principal: roleArn('AlertRole', ACCOUNT) }, ACCOUNT)).toBe(false);
    expect(isAllowed(everyone, { ...publish, principal: roleArn('AlertRole', ACCOUNT) }, ACCOUNT)).toBe(true);
  });

  it('gives the request its principal as aws:PrincipalArn, so that Principal "*" can be narrowed to roles by a condition', () => {
    const narrowed = [allow({ Principal: '*', Action: 'sns:Publish', Resource: publish.resource, Condition: { ArnEquals: { 'aws:PrincipalArn': [ingest] } } })];

    expect(isAllowed(narrowed, { ...publish, principal: ingest }, ACCOUNT)).toBe(true);
    expect(isAllowed(narrowed, { ...publish, principal: roleArn('AlertRole', ACCOUNT) }, ACCOUNT)).toBe(false);
  });

  it('throws on a request without a principal, and on principal forms it does not know, rather than guess', () => {
    const named = [allow({ Principal: { AWS: ingest }, Action: '*', Resource: '*' })];
    const service = [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: '*', Resource: '*' } as unknown as Statement];

    expect(() => isAllowed(named, publish, ACCOUNT)).toThrow('the request needs one');
    expect(() => isAllowed(service, { ...publish, principal: ingest }, ACCOUNT)).toThrow('principal types Service are not supported');
  });
});

describe('Function: endpointStatements', () => {
  const template: Template = {
    Resources: {
      IngestRole: { Type: 'AWS::IAM::Role', Properties: {} },
      Limited: {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: {
          PolicyDocument: {
            Statement: [
              { Effect: 'Allow', Principal: { AWS: [{ 'Fn::GetAtt': ['IngestRole', 'Arn'] }] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
            ],
          },
        },
      },
      Open: { Type: 'AWS::EC2::VPCEndpoint', Properties: {} },
    },
    Outputs: {},
  };

  it("resolves the endpoint's policy, its principals as the roles' ARNs", () => {
    expect(endpointStatements(template, 'Limited', ACCOUNT)).toEqual([
      { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::123456789012:role/IngestRole'] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    ]);
  });

  it("gives an endpoint without a policy AWS's default: everything, for everyone", () => {
    const statements = endpointStatements(template, 'Open', ACCOUNT);

    expect(isAllowed(statements, { action: 's3:PutObject', resource: 'arn:aws:s3:::any/k', principal: 'arn:aws:iam::999999999999:role/x' }, ACCOUNT)).toBe(
      true,
    );
  });

  it('refuses what is not a VPC endpoint of the template', () => {
    expect(() => endpointStatements(template, 'IngestRole', ACCOUNT)).toThrow('VPC endpoint IngestRole is not created');
  });
});

describe('Function: resolveValue', () => {
  const template: Template = {
    Conditions: { On: { 'Fn::Equals': ['a', 'a'] }, Off: { 'Fn::Not': [{ Condition: 'On' }] } },
    Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 't' } } },
    Outputs: {},
  };

  it('resolves Fn::Sub, Ref (pseudo and resource), Fn::If and drops AWS::NoValue', () => {
    const conditions = evaluateConditions(template, ACCOUNT);

    expect(conditions).toEqual({ On: true, Off: false });
    expect(
      resolveValue(
        [
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:x' },
          { Ref: 'Topic' },
          { 'Fn::If': ['Off', 'no', { Ref: 'AWS::NoValue' }] },
          { 'Fn::Split': [',', { 'Fn::Join': [',', ['a', 'b']] }] },
        ],
        template,
        ACCOUNT,
        conditions,
      ),
    ).toEqual(['arn:aws:logs:us-east-1:123456789012:x', 'arn:aws:sns:us-east-1:123456789012:t', ['a', 'b']]);
  });
});

describe('Function: roleStatements', () => {
  it('refuses a role with an AWS managed policy it cannot read from the template', () => {
    const template: Template = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'] },
        },
      },
      Outputs: {},
    };

    expect(() => roleStatements(template, 'Role', ACCOUNT)).toThrow('a managed policy the template does not define');
  });
});
