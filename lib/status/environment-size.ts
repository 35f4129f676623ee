// Lambda refuses to deploy a function whose environment variables take more
// than 4 KB. `npm run check-config` says so before a deploy, counting each
// function's variables (the names serverless.yml gives it) with the values
// this shell sets: rules or sources written inline in ALERT_RULES or
// LOG_FILES are what grows past it. `serverless package` checks the built
// template itself (scripts/stack-plugin.cjs), with the stack's own values.

type Env = Record<string, string | undefined>;

/** Lambda's limit on a function's environment: the JSON of its variables. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** The variables of one deployed function, as serverless.yml lists them. */
export interface FunctionVariables {
  name: string;
  /** Variable name → the value serverless.yml writes (`${param:…}` and other references unresolved). */
  variables: Record<string, string>;
}

export interface EnvironmentSize {
  function: string;
  bytes: number;
  /** The three largest variables, largest first. */
  largest: Array<{ name: string; bytes: number }>;
}

/** A variable's value in AWS as far as this shell can tell: the shell's value, else serverless.yml's literal, else empty. */
function deployedValue(name: string, written: string, env: Env): string {
  const fromShell = env[name];
  if (fromShell !== undefined) return fromShell;
  return written.includes('${') ? '' : written;
}

/**
 * The size of each function's environment once deployed with the values of `env`.
 *
 * @example
 *   environmentSizes({ ALERT_RULES: '[…]' }, [{ name: 'alert', variables: { ALERT_RULES: '${param:alertRules}' } }]);
 *   // [{ function: 'alert', bytes: 21, largest: [{ name: 'ALERT_RULES', bytes: 5 }] }]
 */
export function environmentSizes(env: Env, functions: readonly FunctionVariables[]): EnvironmentSize[] {
  return functions.map((fn) => {
    const values: Record<string, string> = {};
    for (const [name, written] of Object.entries(fn.variables)) values[name] = deployedValue(name, written, env);
    const largest = Object.entries(values)
      .map(([name, value]) => ({ name, bytes: Buffer.byteLength(value, 'utf8') }))
      .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
      .slice(0, 3);
    return { function: fn.name, bytes: Buffer.byteLength(JSON.stringify(values), 'utf8'), largest };
  });
}

/** One line per function: within the limit, or over it with what to do. */
export function describeEnvironmentSize(size: EnvironmentSize): { ok: boolean; line: string } {
  const bytes = size.bytes.toLocaleString('en-US');
  const limit = LAMBDA_ENVIRONMENT_LIMIT_BYTES.toLocaleString('en-US');
  if (size.bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return { ok: true, line: `environment: ${size.function} ${bytes} of Lambda's ${limit} bytes` };
  const largest = size.largest.map((v) => `${v.name} ${v.bytes.toLocaleString('en-US')} bytes`).join(', ');
  return {
    ok: false,
    line:
      `environment: ${size.function} would take ${bytes} bytes, over Lambda's ${limit}: Lambda refuses to deploy it (largest: ${largest}). ` +
      'Put the rules in a file (ALERT_RULES=path/to/rules.yml) and the sources in LOGMON_CONFIG: files are packaged with the functions (docs/deploy.md#configuration-files)',
  };
}
