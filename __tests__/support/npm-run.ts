import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface NpmRunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run --silent ARGS` in the repository, as a user runs it, with only
 * PATH, HOME, TMPDIR and `vars` in its environment.
 *
 * @example
 *   const run = await npmRun(['check-config'], { DATABASE_URL: db.url });
 */
export function npmRun(args: string[], vars: Record<string, string> = {}): Promise<NpmRunResult> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, NODE_NO_WARNINGS: '1', ...vars };
    const child = spawn('npm', ['run', '--silent', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
