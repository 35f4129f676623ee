// `serverless package` as the package tests run it: on a machine with no AWS
// credentials at all, and the CloudFormation template's shapes they read.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SERVERLESS = path.join(ROOT, 'node_modules', '.bin', 'serverless');

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Condition?: string;
}
export interface Template {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

/** This process's environment without any AWS_* (nor the names in `drop`), with `set` on top: a machine with no AWS credentials. */
export function packagingEnv(set: NodeJS.ProcessEnv = {}, drop: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !drop.includes(key)) env[key] = value;
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    FORCE_COLOR: '0',
    ...set,
  };
}

/** The project's serverless CLI with `args`, in the repository, in `env`; its exit code and output. */
export function runServerless(args: string[], env: NodeJS.ProcessEnv = packagingEnv()): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVERLESS, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** `--param name=value` for each parameter. */
export const paramArgs = (params: Record<string, string>): string[] => Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]);

/** `serverless package --stage prod` into `outDir` with `params` (and `env`); the template it wrote. Throws with the output when it fails. */
export async function packageStack(outDir: string, params: Record<string, string>, env: NodeJS.ProcessEnv = packagingEnv()): Promise<Template> {
  const result = await runServerless(['package', '--stage', 'prod', '--package', outDir, ...paramArgs(params)], env);
  if (result.code !== 0) throw new Error(`serverless package failed:\n${result.output}`);
  return JSON.parse(fs.readFileSync(path.join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}
