// The environment serverless.yml gives each deployed function (provider.environment
// and the function's own), for `npm run check-config`'s 4 KB check.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { FunctionVariables } from '../lib/status/environment-size';

type Variables = Record<string, unknown>;

const strings = (vars: Variables | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(vars ?? {}).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));

/** The functions listed in `functions:` of serverless.yml in `root` (the optional ones a reference adds are left out). */
export function deployedFunctionVariables(root: string): FunctionVariables[] {
  const doc = YAML.parse(fs.readFileSync(path.join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as {
    provider?: { environment?: Variables };
    functions?: Array<Record<string, { environment?: Variables }> | string>;
  };
  const shared = strings(doc.provider?.environment);
  const result: FunctionVariables[] = [];
  for (const entry of doc.functions ?? []) {
    if (typeof entry !== 'object' || entry === null) continue;
    for (const [name, fn] of Object.entries(entry)) result.push({ name, variables: { ...shared, ...strings(fn?.environment) } });
  }
  return result;
}
