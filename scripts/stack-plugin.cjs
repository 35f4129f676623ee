// A local serverless plugin (serverless.yml `plugins`): two things about the
// whole CloudFormation template that the configuration cannot say itself,
// done when the template is complete (after `resources` are merged, before it
// is written), so `package` and `deploy` both get them:
// - the stack's tags (provider.stackTags: service, stage and the `tags`
//   parameter) on every resource whose type takes tags in the template, not
//   only where CloudFormation propagates stack tags at deploy;
// - a function environment over Lambda's 4 KB stops the package with a
//   message naming the function and its largest variables, instead of failing
//   at deploy.
// Plain CommonJS: serverless requires it.
'use strict';

/** Lambda refuses a function whose environment variables are larger than this. */
const ENVIRONMENT_LIMIT_BYTES = 4096;
/** What a value CloudFormation resolves at deploy (a Ref, a Sub) is counted as: longer than any ARN logmon passes. */
const UNRESOLVED_VALUE_BYTES = 256;

/**
 * Resource types of this stack whose CloudFormation definition takes `Tags` as a list of { Key, Value }.
 * AWS::Events::Rule's Tags are for ECS targets only; the IAM policies, permissions, subscriptions,
 * event-invoke configs and function URLs take none.
 */
const TAGGABLE_TYPES = [
  'AWS::Lambda::Function',
  'AWS::SNS::Topic',
  'AWS::IAM::Role',
  'AWS::Logs::LogGroup',
  'AWS::CloudWatch::Alarm',
  'AWS::S3::Bucket',
  // vpcEndpoints=on (scripts/vpc-endpoints.cjs)
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::SecurityGroup',
];

/** `tags` on `resource` (kept where it already has a key). */
function addTags(resource, tags) {
  resource.Properties = resource.Properties ?? {};
  const list = Array.isArray(resource.Properties.Tags) ? resource.Properties.Tags : [];
  const present = new Set(list.map((t) => t.Key));
  for (const [Key, Value] of Object.entries(tags)) if (!present.has(Key)) list.push({ Key, Value: String(Value) });
  resource.Properties.Tags = list;
}

/** Bytes of a function's environment as counted here: the JSON of its variables, unresolved values at their upper bound. */
function environmentBytes(variables) {
  const counted = {};
  for (const [name, value] of Object.entries(variables ?? {})) counted[name] = typeof value === 'string' ? value : 'x'.repeat(UNRESOLVED_VALUE_BYTES);
  return Buffer.byteLength(JSON.stringify(counted), 'utf8');
}

/** Every function of `template` whose environment is over the limit: one line each, its largest variables named. */
function oversizedEnvironments(template) {
  const problems = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = resource.Properties?.Environment?.Variables ?? {};
    const bytes = environmentBytes(variables);
    if (bytes <= ENVIRONMENT_LIMIT_BYTES) continue;
    const largest = Object.entries(variables)
      .map(([name, value]) => [name, typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : UNRESOLVED_VALUE_BYTES])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, size]) => `${name} ${size} bytes`);
    problems.push(`${id}: its environment is ${bytes} bytes, over Lambda's ${ENVIRONMENT_LIMIT_BYTES} (largest: ${largest.join(', ')})`);
  }
  return problems;
}

class LogmonStackPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () => this.finishTemplate(),
    };
  }

  finishTemplate() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const tags = this.serverless.service.provider.stackTags ?? {};
    for (const resource of Object.values(template.Resources ?? {})) if (TAGGABLE_TYPES.includes(resource.Type)) addTags(resource, tags);
    const problems = oversizedEnvironments(template);
    if (problems.length > 0) {
      const err = new Error(
        `logmon cannot be packaged: a function environment is over Lambda's 4 KB limit:\n  - ${problems.join('\n  - ')}\n` +
          'Put the rules in a file and pass its path (--param "alertRules=deploy/alert-rules.example.yml", a file packaged with the functions), ' +
          'and the sources in the logmonConfig file; see docs/deploy.md#configuration-files.',
      );
      err.stack = err.message;
      throw err;
    }
  }
}

module.exports = LogmonStackPlugin;
module.exports.TAGGABLE_TYPES = TAGGABLE_TYPES;
module.exports.environmentBytes = environmentBytes;
module.exports.oversizedEnvironments = oversizedEnvironments;
module.exports.ENVIRONMENT_LIMIT_BYTES = ENVIRONMENT_LIMIT_BYTES;
