// A small IAM policy simulator for the packaged CloudFormation template: the
// identity policies of each role (inline, the template's managed policies,
// and AWS::IAM::Policy resources attached to it) and the policies of the VPC
// endpoints, with CloudFormation's intrinsics resolved for a sample account
// and region, and a request evaluated as IAM does for one policy set alone:
// an explicit Deny wins, else an Allow that matches, else denied. Only what
// the template uses is supported (Ref, Fn::Sub, Fn::If, Fn::Join, Fn::Split,
// Fn::GetAtt .Arn; Action/NotAction, Resource/NotResource with * and ?
// wildcards; Principal "*" or AWS ARNs; the condition operators below);
// anything else throws, so a new construct cannot be silently misread. Pure
// logic: no AWS, no network.
import type { Template } from './serverless-package';

export interface Account {
  partition: string;
  region: string;
  accountId: string;
}

/** A resource policy's principal: everyone, or AWS principals by ARN (the forms the template uses). */
export type Principal = '*' | { AWS: string | string[] };

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  /** Resource policies only (a VPC endpoint's); identity policies have none. */
  Principal?: Principal;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface Request {
  action: string;
  resource: string;
  /** Condition keys of the request (aws:RequestedRegion is the account's region unless given). */
  context?: Record<string, string>;
  /** Who makes it (a role's ARN, see roleArn; also its aws:PrincipalArn): needed by statements with a Principal. */
  principal?: string;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** The template's Conditions, evaluated. */
export function evaluateConditions(template: Template, account: Account): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const raw = (template.Conditions ?? {}) as Record<string, unknown>;
  const evaluate = (name: string): boolean => {
    if (name in out) return out[name]!;
    if (!(name in raw)) throw new Error(`condition ${name} is not in the template`);
    out[name] = truth(raw[name]);
    return out[name]!;
  };
  const truth = (expr: unknown): boolean => {
    const [fn, arg] = onlyEntry(expr);
    const args = arg as unknown[];
    switch (fn) {
      case 'Fn::Equals':
        return JSON.stringify(resolveValue(args[0], template, account, {})) === JSON.stringify(resolveValue(args[1], template, account, {}));
      case 'Fn::Not':
        return !truth(args[0]);
      case 'Fn::And':
        return args.every(truth);
      case 'Fn::Or':
        return args.some(truth);
      case 'Condition':
        return evaluate(arg as string);
      default:
        throw new Error(`condition function ${fn} is not supported`);
    }
  };
  for (const name of Object.keys(raw)) evaluate(name);
  return out;
}

function onlyEntry(value: unknown): [string, unknown] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length !== 1)
    throw new Error(`not an intrinsic function: ${JSON.stringify(value)}`);
  return Object.entries(value)[0]!;
}

/** What Ref / GetAtt of a template resource gives, for the resource types the roles name. */
function refOf(id: string, attribute: string | null, template: Template, account: Account): string {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`Ref to ${id}, which is not in the template`);
  const { partition, region, accountId } = account;
  const props = resource.Properties as Record<string, unknown>;
  switch (resource.Type) {
    case 'AWS::SNS::Topic':
      if (attribute !== null && attribute !== 'TopicArn') break;
      return `arn:${partition}:sns:${region}:${accountId}:${props.TopicName as string}`;
    case 'AWS::Lambda::Function':
      if (attribute === 'Arn') return `arn:${partition}:lambda:${region}:${accountId}:function:${props.FunctionName as string}`;
      if (attribute === null) return props.FunctionName as string;
      break;
    case 'AWS::IAM::ManagedPolicy':
      if (attribute === null) return `template-policy:${id}`;
      break;
    case 'AWS::IAM::Role':
      if (attribute === null) return id;
      if (attribute === 'Arn') return roleArn(id, account, props.RoleName as string | undefined);
      break;
    default:
  }
  throw new Error(`Ref/GetAtt ${id}${attribute ? `.${attribute}` : ''} (${resource.Type}) is not supported`);
}

function pseudo(name: string, account: Account): string | typeof NO_VALUE | null {
  switch (name) {
    case 'AWS::Partition':
      return account.partition;
    case 'AWS::Region':
      return account.region;
    case 'AWS::AccountId':
      return account.accountId;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return null;
  }
}

/** `value` with every intrinsic function resolved; AWS::NoValue removed from lists and objects. */
export function resolveValue(value: unknown, template: Template, account: Account, conditions: Record<string, boolean>): unknown {
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve).filter((x) => x !== NO_VALUE);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      const [fn, arg] = onlyEntry(v);
      switch (fn) {
        case 'Ref': {
          const p = pseudo(arg as string, account);
          return p ?? refOf(arg as string, null, template, account);
        }
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : (arg as string).split('.');
          return refOf(id!, attribute!, template, account);
        }
        case 'Fn::If': {
          const [name, yes, no] = arg as [string, unknown, unknown];
          if (!(name in conditions)) throw new Error(`Fn::If on condition ${name}, which is not evaluated`);
          return resolve(conditions[name] ? yes : no);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown];
          return (resolve(parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return String(resolve(text)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
          return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
            if (name in vars) return String(resolve(vars[name]));
            const p = pseudo(name, account);
            if (p === NO_VALUE) throw new Error('AWS::NoValue inside Fn::Sub');
            if (p !== null) return p;
            const [id, attribute] = name.split('.');
            return refOf(id!, attribute ?? null, template, account);
          });
        }
        default:
          throw new Error(`intrinsic function ${fn} is not supported`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = resolve(x);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  };
  return resolve(value);
}

/** The template resources that exist under `conditions` (a resource whose condition is false is not created). */
function existing(template: Template, conditions: Record<string, boolean>): [string, Template['Resources'][string]][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Condition === undefined || conditions[r.Condition] === true);
}

/** Every identity-policy statement of `roleId`, resolved: its inline policies, its managed policies of the template, and the template's AWS::IAM::Policy resources attached to it. */
export function roleStatements(template: Template, roleId: string, account: Account): Statement[] {
  const conditions = evaluateConditions(template, account);
  const resources = Object.fromEntries(existing(template, conditions));
  const role = resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`role ${roleId} is not created by this template`);
  const props = resolveValue(role.Properties, template, account, conditions) as {
    Policies?: { PolicyDocument: { Statement: Statement[] } }[];
    ManagedPolicyArns?: string[];
  };
  const statements: Statement[] = [];
  for (const p of props.Policies ?? []) statements.push(...p.PolicyDocument.Statement);
  for (const arn of props.ManagedPolicyArns ?? []) {
    const id = arn.startsWith('template-policy:') ? arn.slice('template-policy:'.length) : null;
    // an AWS managed policy cannot be simulated from the template: it must not be there
    if (id === null || !resources[id]) throw new Error(`${roleId} has a managed policy the template does not define: ${arn}`);
    const doc = resolveValue(resources[id]!.Properties.PolicyDocument, template, account, conditions) as { Statement: Statement[] };
    statements.push(...doc.Statement);
  }
  for (const [, r] of existing(template, conditions)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const p = resolveValue(r.Properties, template, account, conditions) as { Roles: string[]; PolicyDocument: { Statement: Statement[] } };
    if (p.Roles.includes(roleId)) statements.push(...p.PolicyDocument.Statement);
  }
  return statements;
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = `^${pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')}$`;
  return new RegExp(re, ignoreCase ? 'is' : 's').test(value);
}

/** One condition operator on one key: the request's value against the policy's values (any of them). */
function conditionHolds(operator: string, key: string, expected: string | string[] | boolean, context: Record<string, string>): boolean {
  const ifExists = operator.endsWith('IfExists');
  const op = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const actualKey = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
  const values = asList(expected as string | string[]).map(String);
  if (actualKey === undefined) return ifExists || op.includes('Not');
  const actual = context[actualKey]!;
  switch (op) {
    case 'StringEquals':
      return values.includes(actual);
    case 'StringNotEquals':
      return !values.includes(actual);
    case 'StringLike':
      return values.some((v) => wildcardMatch(v, actual));
    case 'StringNotLike':
      return !values.some((v) => wildcardMatch(v, actual));
    case 'ArnEquals':
    case 'ArnLike':
      return values.some((v) => wildcardMatch(v, actual));
    case 'Bool':
      return values.some((v) => v.toLowerCase() === actual.toLowerCase());
    default:
      throw new Error(`condition operator ${operator} is not supported`);
  }
}

/**
 * The ARN of the template's role `roleId` in `account` as the simulator writes it (its RoleName, else the logical
 * id standing for the name CloudFormation generates): the principal of that role's requests.
 */
export function roleArn(roleId: string, account: Account, roleName?: string): string {
  return `arn:${account.partition}:iam::${account.accountId}:role/${roleName ?? roleId}`;
}

/** Whether a statement's Principal names the request's principal (IAM takes no wildcard there but "*" itself). */
function principalMatches(s: Statement, request: Request): boolean {
  if ('NotPrincipal' in s) throw new Error('NotPrincipal is not supported');
  if (s.Principal === undefined) return true;
  if (request.principal === undefined) throw new Error(`statement ${s.Sid ?? '(no Sid)'} has a Principal: the request needs one`);
  if (s.Principal === '*') return true;
  const keys = Object.keys(s.Principal);
  if (keys.some((k) => k !== 'AWS')) throw new Error(`principal types ${keys.join(', ')} are not supported`);
  const arns = asList(s.Principal.AWS);
  return arns.includes('*') || arns.includes(request.principal);
}

function statementMatches(s: Statement, request: Request, context: Record<string, string>): boolean {
  if (!principalMatches(s, request)) return false;
  const action =
    s.Action !== undefined
      ? asList(s.Action).some((a) => wildcardMatch(a, request.action, true))
      : !asList(s.NotAction).some((a) => wildcardMatch(a, request.action, true));
  if (!action) return false;
  const resource =
    s.Resource !== undefined
      ? asList(s.Resource).some((r) => wildcardMatch(r, request.resource))
      : !asList(s.NotResource).some((r) => wildcardMatch(r, request.resource));
  if (!resource) return false;
  for (const [operator, keys] of Object.entries(s.Condition ?? {}))
    for (const [key, expected] of Object.entries(keys)) if (!conditionHolds(operator, key, expected, context)) return false;
  return true;
}

/**
 * The statements of the policy of VPC endpoint `endpointId`, resolved; an endpoint without a policy has AWS's
 * default, full access for everyone.
 */
export function endpointStatements(template: Template, endpointId: string, account: Account): Statement[] {
  const conditions = evaluateConditions(template, account);
  const endpoint = Object.fromEntries(existing(template, conditions))[endpointId];
  if (endpoint?.Type !== 'AWS::EC2::VPCEndpoint') throw new Error(`VPC endpoint ${endpointId} is not created by this template`);
  if (endpoint.Properties.PolicyDocument === undefined) return [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }];
  return (resolveValue(endpoint.Properties.PolicyDocument, template, account, conditions) as { Statement: Statement[] }).Statement;
}

/** Whether policies `statements` (identity policies, or one resource policy) allow `request`: an explicit Deny wins, then an Allow, else the implicit deny. */
export function isAllowed(statements: Statement[], request: Request, account: Account): boolean {
  const context = { 'aws:RequestedRegion': account.region, ...(request.principal ? { 'aws:PrincipalArn': request.principal } : {}), ...request.context };
  const matching = statements.filter((s) => statementMatches(s, request, context));
  if (matching.some((s) => s.Effect === 'Deny')) return false;
  return matching.some((s) => s.Effect === 'Allow');
}
