// npm run silence -- add --rule NAME|GLOB [--service S] [--host H] [--file F] [--template ID] [--level L]
//                        (--for 2h | --until TIME) [--from TIME] --comment "why"
// npm run silence -- list
// npm run silence -- expire ID
// While a silence is active, matching notifications are recorded, not sent
// (docs/alerting.md#silences). Database: DATABASE_URL, or the one `npm start` runs.
// `list` also shows the recurring mute windows of ALERT_RULES (its `muteWindows:`
// section), one line each: open until when, or when they open next.
import { describeMuteWindow, muteWindowsOf } from '../lib/alert/mute-windows';
import { readRulesDocument } from '../lib/alert/rules';
import { addSilence, expireSilence, listSilences, silenceSpec } from '../lib/alert/silences';
import { createPool } from '../lib/platform/db';
import { ConfigError, describeError } from '../lib/platform/errors';
import { ensureSchema } from '../lib/platform/migrations';
import { localDatabaseUrl } from './local-database';
import { readOptions } from './options';

type Command = { name: 'list' } | { name: 'expire'; id: string } | { name: 'add'; words: Record<string, string> };

const VALUE_FLAGS = ['rule', 'service', 'host', 'file', 'template', 'level', 'for', 'until', 'from', 'comment'];

function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === 'list' && rest.length === 0) return { name };
  if (name === 'expire' && rest.length === 1) {
    if (!/^\d{1,18}$/.test(rest[0]!)) throw new ConfigError(`silence: expire takes a silence id (a number, see list), got "${rest[0]}"`);
    return { name, id: rest[0]! };
  }
  if (name !== 'add') throw new ConfigError('usage: npm run silence -- add --rule R [--service S …] --for 2h --comment "why" | list | expire ID');
  const words: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i]!;
    const value = rest[i + 1];
    const key = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !VALUE_FLAGS.includes(key))
      throw new ConfigError(`silence: unknown option "${flag}" (known: ${VALUE_FLAGS.map((f) => `--${f}`).join(' ')})`);
    if (value === undefined) throw new ConfigError(`silence: ${flag} needs a value`);
    words[key] = value;
  }
  return { name, words };
}

function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
}

async function main(): Promise<void> {
  const command = readOptions('silence', () => parseArgs(process.argv.slice(2)));
  const now = Date.now();
  const spec =
    command.name === 'add'
      ? readOptions('silence', () => {
          const { rule, for: forText, until, from, comment, ...labels } = command.words;
          return silenceSpec({ rule, labels, for: forText, until, from, comment }, now);
        })
      : null;
  const pool = createPool(localDatabaseUrl());
  try {
    await ensureSchema(pool);
    if (spec) {
      const id = await addSilence(pool, spec);
      process.stdout.write(`silence #${id} added: ${spec.ruleGlob} ${JSON.stringify(spec.matchers)} from ${utc(spec.startsAt)} to ${utc(spec.endsAt)}\n`);
    } else if (command.name === 'list') {
      const silences = await listSilences(pool, now);
      if (silences.length === 0) process.stdout.write('no silence active or to come\n');
      for (const s of silences)
        process.stdout.write(
          `#${s.id}  ${s.startsAt <= now ? 'active' : 'to come'}  rule ${s.ruleGlob}  ${JSON.stringify(s.matchers)}  ${utc(s.startsAt)} to ${utc(s.endsAt)}  by ${s.createdBy}: ${s.comment}\n`,
        );
      // the windows as the alert function reads them (it refuses the same mistakes at start-up)
      try {
        for (const w of muteWindowsOf(readRulesDocument(process.env.ALERT_RULES))) process.stdout.write(`${describeMuteWindow(w, now)}\n`);
      } catch (err) {
        process.stdout.write(`mute windows not read: ${err instanceof ConfigError ? err.message : describeError(err)}\n`);
        process.exitCode = 1;
      }
    } else if (command.name === 'expire') {
      const id = command.id;
      const ended = await expireSilence(pool, id, now);
      process.stdout.write(ended ? `silence #${id} ended\n` : `no silence #${id} is running\n`);
      if (!ended) process.exitCode = 1;
    }
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`silence failed: ${describeError(err)}\n`);
  process.exit(1);
});
