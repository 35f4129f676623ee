// The local scripts check their numeric options like the handlers check
// their variables: a bad one ends the script with a message naming it and
// exit code 2, before anything is written or started.
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../support/files';
import { npmRun } from '../support/npm-run';

describe('Script options', () => {
  let dir: string;

  beforeEach(() => {
    dir = makeTempDir('logmon-options-');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [['file', 'abc'], {}, 'generate-logs: the interval (seconds, 2nd argument) must be an integer >= 1, got "abc"'],
    [['file', '0'], {}, 'generate-logs: the interval (seconds, 2nd argument) must be an integer >= 1, got "0"'],
    [['file'], { DEMO_INTERVAL_SECONDS: 'abc' }, 'generate-logs: DEMO_INTERVAL_SECONDS must be an integer >= 1, got "abc"'],
  ])('npm run generate-logs -- %j (%j) exits 2 naming the option, and writes nothing', async (args, vars, message) => {
    const file = path.join(dir, 'demo.log');

    const result = await npmRun(['generate-logs', '--', ...args.map((a) => (a === 'file' ? file : a))], vars);

    expect({ code: result.code, stderr: result.stderr.trim() }).toEqual({ code: 2, stderr: message });
    expect(fs.existsSync(file)).toBe(false);
  });

  it.each([
    [['x'], 'soak: kill trials (1st argument) must be an integer >= 1, got "x"'],
    [['2', '2', '5', '1.5'], 'soak: alert kill trials (4th argument) must be an integer >= 1, got "1.5"'],
  ])('npm run soak -- %j exits 2 naming the argument, before any test runs', async (args, message) => {
    const result = await npmRun(['soak', '--', ...args]);

    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr.trim() }).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it.each([
    [{ DEMO_INTERVAL_SECONDS: 'abc' }, 'npm start: DEMO_INTERVAL_SECONDS must be an integer >= 1, got "abc"'],
    [{ LOGMON_PG_PORT: '99999' }, 'npm start: LOGMON_PG_PORT must be an integer from 1 to 65535, got "99999"'],
    [{ LOGMON_SNS_PORT: 'sns' }, 'npm start: LOGMON_SNS_PORT must be an integer from 1 to 65535, got "sns"'],
  ])('npm start with %j exits 2 naming the variable, before starting anything', async (vars, message) => {
    const demoLog = path.join(dir, 'demo.log');

    // A database that is never reached: start must stop before it would use it.
    const result = await npmRun(['start'], { ...vars, DEMO_LOG_FILE: demoLog, DATABASE_URL: 'postgres://logmon@127.0.0.1:1/never' });

    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr.trim() }).toEqual({ code: 2, stdout: '', stderr: message });
    expect(fs.existsSync(demoLog)).toBe(false);
  });
});
