// The VPC endpoints of `vpcEndpoints=on` (docs/deploy.md#network): the
// CloudFormation resources for an endpoint plan made by scripts/deploy-params.cjs
// (which endpoints this deploy's functions need, from its parameters). Interface
// endpoints with private DNS in the functions' subnets, behind one security group
// that admits HTTPS from the functions' security groups only; an S3 gateway
// endpoint on the given route tables. Each endpoint's policy allows only the
// calls the functions make, by their roles, on the stack's own resources; what
// each statement allows is in docs/deploy.md (Endpoint policies), and
// __tests__/integration/iam-simulation.test.ts simulates them. The roles are
// named by the aws:PrincipalArn condition, with Principal "*": a gateway
// endpoint's policy matches principals only that way (PrivateLink guide,
// "Principals for gateway endpoints"), and the same form serves all of them.
// Plain CommonJS: required by scripts/deploy-params.cjs.
'use strict';

/** The security group of the interface endpoints. */
const ENDPOINT_SECURITY_GROUP = 'VpcEndpointSecurityGroup';

/**
 * @typedef {object} EndpointPlan
 * @property {string} vpcId
 * @property {string[]} subnetIds
 * @property {string[]} functionSecurityGroupIds
 * @property {string[]} routeTableIds
 * @property {string[]} roles                       logical ids of the functions' roles (every one reads the database URL)
 * @property {string | null} databaseUrlParameter  the SSM parameter the functions read (null: they read none)
 * @property {string | null} alertFunctionName      the function ingest invokes (null: no evaluation requests)
 * @property {{ bucket: string, prefix: string }[]} logBuckets  what ingest lists and reads (none: no S3 endpoint)
 */

const sub = (text) => ({ 'Fn::Sub': text });
const policy = (statements) => ({ Version: '2012-10-17', Statement: statements });

/** `statement` for `roles` only: Principal "*" narrowed to the roles' ARNs (the calls' aws:PrincipalArn). */
function byRoles(roles, statement) {
  return { ...statement, Principal: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': roles.map((role) => ({ 'Fn::GetAtt': [role, 'Arn'] })) } } };
}

/** The endpoints of `plan`, by logical id: which service, and the statements of its policy. */
function endpointsOf(plan) {
  const endpoints = {};
  if (plan.databaseUrlParameter !== null)
    endpoints.SsmVpcEndpoint = {
      service: 'ssm',
      statements: [
        // @middy/ssm's one call (lib/platform/lambda.ts), by every function, for the one parameter.
        byRoles(plan.roles, {
          Sid: 'ReadDatabaseUrlParameter',
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${plan.databaseUrlParameter}`),
        }),
      ],
    };
  // alert publishes every notification (lib/alert/sns-client.ts): always needed.
  endpoints.SnsVpcEndpoint = {
    service: 'sns',
    statements: [byRoles(['AlertRole'], { Sid: 'PublishToAlertTopic', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'AlertTopic' } })],
  };
  if (plan.alertFunctionName !== null)
    endpoints.LambdaVpcEndpoint = {
      service: 'lambda',
      statements: [
        // ingest's evaluation requests (lib/ingest/evaluation-request.ts): an asynchronous invoke of the alert function;
        // the function's ARN with and without a qualifier, as the Lambda guide asks of an endpoint policy.
        byRoles(['IngestRole'], {
          Sid: 'RequestAlertEvaluation',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: ['', ':*'].map((qualifier) =>
            sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${plan.alertFunctionName}${qualifier}`),
          ),
        }),
      ],
    };
  if (plan.logBuckets.length > 0)
    endpoints.S3VpcEndpoint = {
      service: 's3',
      gateway: true,
      // ingest's S3 calls: ListObjectsV2 on each bucket (the role's own policy keeps it under the prefix: an endpoint
      // policy refuses a StringLike with fewer than six characters beside its wildcard, as `app/*` has), GetObject
      // and HeadObject on the prefix's objects.
      statements: plan.logBuckets.flatMap((b, i) => [
        byRoles(['IngestRole'], {
          Sid: `ListLogObjects${i}`,
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: sub(`arn:\${AWS::Partition}:s3:::${b.bucket}`),
        }),
        byRoles(['IngestRole'], {
          Sid: `ReadLogObjects${i}`,
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: sub(`arn:\${AWS::Partition}:s3:::${b.bucket}/${b.prefix}*`),
        }),
      ]),
    };
  return endpoints;
}

/** The logical ids of the endpoints each function calls through, by role: what its Lambda function waits for at deploy. */
function endpointsByRole(plan) {
  const byRole = Object.fromEntries(plan.roles.map((role) => [role, []]));
  for (const [id, endpoint] of Object.entries(endpointsOf(plan)))
    for (const statement of endpoint.statements)
      for (const arn of statement.Condition.ArnEquals['aws:PrincipalArn']) {
        const role = arn['Fn::GetAtt'][0];
        if (role in byRole && !byRole[role].includes(id)) byRole[role].push(id);
      }
  return byRole;
}

/**
 * The resources of `plan`: the endpoints' security group (HTTPS in from each function security group, nothing
 * else in; no egress: an endpoint only answers), one interface endpoint per service the functions call, and the
 * S3 gateway endpoint on the route tables. Tags are added by scripts/stack-plugin.cjs like everywhere else.
 */
function buildVpcEndpointResources(plan) {
  const resources = {
    [ENDPOINT_SECURITY_GROUP]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'logmon VPC endpoints: HTTPS from the logmon functions security groups only',
        VpcId: plan.vpcId,
        SecurityGroupIngress: plan.functionSecurityGroupIds.map((id) => ({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          SourceSecurityGroupId: id,
          Description: `HTTPS from the logmon functions (${id})`,
        })),
        // Replaces the allow-all egress rule a new group gets: a rule no packet matches (ICMP type 252, code 86).
        SecurityGroupEgress: [{ IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32', Description: 'No egress' }],
      },
    },
  };
  for (const [id, endpoint] of Object.entries(endpointsOf(plan))) {
    const common = { ServiceName: sub(`com.amazonaws.\${AWS::Region}.${endpoint.service}`), VpcId: plan.vpcId, PolicyDocument: policy(endpoint.statements) };
    resources[id] = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: endpoint.gateway
        ? { VpcEndpointType: 'Gateway', ...common, RouteTableIds: plan.routeTableIds }
        : {
            VpcEndpointType: 'Interface',
            ...common,
            SubnetIds: plan.subnetIds,
            SecurityGroupIds: [{ Ref: ENDPOINT_SECURITY_GROUP }],
            // the service's own host name resolves to the endpoint in the VPC: the SDK clients need no endpoint URL
            PrivateDnsEnabled: true,
          },
    };
  }
  return resources;
}

module.exports = { ENDPOINT_SECURITY_GROUP, buildVpcEndpointResources, endpointsByRole };
