import { flat } from '../support/text';
// Inhibition (issue 13; Alertmanager's inhibit_rules with equal labels):
// while a critical alert fires for a source (service, host, file), a
// warning's notifications for the same source are folded into the critical's
// next mail instead of going out on their own; a warning that still fires
// when the critical resolves gets its FIRING then. Real files read by
// runIngest, real PostgreSQL, the local SNS endpoint.
import fs from 'node:fs';
import path from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert/alert';
import type { AlertSummary } from '../../lib/alert/alert';
import { parseAlertRules, rulesOfDocument } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { addSilence, silenceSpec } from '../../lib/alert/silences';
import { createSnsClient } from '../../lib/alert/sns-client';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 6, 10, 0);

function line(level: string, message: string, at: number): string {
  return `${new Date(at).toISOString()} [${level}] ${message}\n`;
}

describe('Inhibition', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let dir: string;
  let config: IngestConfig;
  let rules: AlertRule[];

  const file = (name: string): string => path.join(dir, name);
  const write = (name: string, level: string, from: number, to: number, stepMs: number, text: string): void => {
    let out = '';
    for (let t = from; t < to; t += stepMs) out += line(level, `${text} ${t}`, t);
    fs.appendFileSync(file(name), out);
  };
  const cycle = async (at: number): Promise<AlertSummary> => {
    await runIngest({ pool: db.pool, config, now: () => at, cwd: dir });
    return runAlert({ pool: db.pool, rules, health: [], sns: client, topicArn: TOPIC, now: () => at, commitSafetyMarginMs: 0 });
  };
  const subjects = (): string[] => sns.messages.map((m) => m.subject ?? '');

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(async () => {
    await emptyTables(db.pool);
    sns = await startSnsServer();
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 1 });
    dir = makeTempDir('logmon-inhibit-');
    fs.writeFileSync(file('logmon.yml'), `sources:\n  - name: apps\n    path: ${file('*.log')}\n    host: web-1\n`);
    config = { ...readIngestConfig({ LOGMON_CONFIG: file('logmon.yml') }), multilineFlushMs: 0 };
    rules = rulesOfDocument(null);
  });

  afterEach(async () => {
    client.destroy();
    await sns.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends one mail for a FATAL and an error burst in one file, the critical, with the warning folded in; the warning comes out when the critical resolves', async () => {
    // Prepare: the default rules (error-burst is a warning, any-fatal critical, both per file)
    await cycle(T0 - MIN);

    // Act: a FATAL among errors every 20 s until 6m; a run every minute
    write('app.log', 'ERROR', T0, T0 + 6 * MIN, 20_000, 'db down');
    fs.appendFileSync(file('app.log'), line('FATAL', 'out of memory', T0 + 30_000));
    const runs: AlertSummary[] = [];
    for (let m = 1; m <= 15; m += 1) runs.push(await cycle(T0 + m * MIN));

    // Assess: any-fatal FIRING at 1m, alone; RESOLVED at 3m (keepFiringFor 1m) with error-burst's FIRING in its mail; error-burst below 5 from 10m, RESOLVED at 15m
    expect(subjects()).toEqual([
      '[logmon] FIRING any-fatal app@web-1: 1 FATAL in 1m (threshold 1)',
      '[logmon] 2 alerts for app@web-1: RESOLVED any-fatal, FIRING error-burst',
      '[logmon] RESOLVED error-burst app@web-1: 0 ERROR+ in 5m (threshold 5), fired 14m',
    ]);
    expect(runs.map((r) => r.notifications.inhibited)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const [fired, resolved] = sns.messages;
    expect(fired!.message).toContain('Folded into this alert');
    expect(fired!.message).toMatch(/\n {2}2026-01-06 10:01:00 UTC {2}\[logmon\] FIRING error-burst app@web-1: 5 ERROR\+ in 5m \(threshold 5\)\n/);
    expect(flat(resolved!.message)).toContain(
      'The critical alert "any-fatal" for this source no longer fires: this alert was folded into its messages since 2026-01-06 10:01:00 UTC, and it still fires.',
    );
    const rows = await db.pool.query<{ rule_name: string; kind: string; suppressed: string | null; folded: boolean }>(
      `SELECT o.rule_name, o.kind, o.suppressed, f.rule_name = 'any-fatal' AS folded FROM alert_outbox o LEFT JOIN alert_outbox f ON f.id = o.folded_into ORDER BY o.id`,
    );
    expect(rows.rows).toEqual([
      { rule_name: 'error-burst', kind: 'firing', suppressed: 'inhibited', folded: true },
      { rule_name: 'any-fatal', kind: 'firing', suppressed: null, folded: null },
      { rule_name: 'any-fatal', kind: 'resolved', suppressed: null, folded: null },
      { rule_name: 'error-burst', kind: 'firing', suppressed: null, folded: null },
      { rule_name: 'error-burst', kind: 'resolved', suppressed: null, folded: null },
    ]);
  });

  it('lists in the critical RESOLVED a warning that fired and resolved while the critical fired, and sends nothing else for it', async () => {
    // Prepare: database errors (a warning) and FATALs (critical) in one file
    rules = parseAlertRules([
      { name: 'db-errors', levels: ['ERROR'], threshold: 5, window: '5m', groupBy: ['source'] },
      { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m', groupBy: ['source'] },
    ]);
    await cycle(T0 - MIN);

    // Act: FATALs every 20 s until 14m; six database errors at 2m
    write('app.log', 'FATAL', T0, T0 + 14 * MIN, 20_000, 'worker crashed');
    write('app.log', 'ERROR', T0 + 2 * MIN + 1000, T0 + 2 * MIN + 60_000, 10_000, 'db timeout');
    for (let m = 1; m <= 17; m += 1) await cycle(T0 + m * MIN);

    // Assess
    expect(subjects().map((s) => s.replace(/: .*/, ''))).toEqual(['[logmon] FIRING any-fatal app@web-1', '[logmon] RESOLVED any-fatal app@web-1']);
    const resolved = sns.messages[1]!.message;
    expect(resolved).toMatch(/\n {2}2026-01-06 10:03:00 UTC {2}\[logmon\] FIRING db-errors app@web-1: 6 ERROR in 5m \(threshold 5\)\n/);
    expect(resolved).toMatch(/\n {2}2026-01-06 10:13:00 UTC {2}\[logmon\] RESOLVED db-errors app@web-1: 0 ERROR in 5m \(threshold 5\), fired 10m\n/);
  });

  it('sends the RESOLVED of a warning whose FIRING went out on its own, even while a critical fires for its source', async () => {
    // Prepare: database errors (a warning) first, FATALs (critical) from 3m
    rules = parseAlertRules([
      { name: 'db-errors', levels: ['ERROR'], threshold: 5, window: '5m', groupBy: ['source'] },
      { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m', groupBy: ['source'] },
    ]);
    await cycle(T0 - MIN);

    // Act: six database errors in the first minute; FATALs every 20 s from 3m until 16m
    write('app.log', 'ERROR', T0 + 1000, T0 + 60_000, 10_000, 'db timeout');
    write('app.log', 'FATAL', T0 + 3 * MIN, T0 + 16 * MIN, 20_000, 'worker crashed');
    for (let m = 1; m <= 14; m += 1) await cycle(T0 + m * MIN);

    // Assess: db-errors announced alone, then its end told while any-fatal still fires (a pager resolves what it was sent)
    const s = subjects();
    expect(s[0]).toMatch(/^\[logmon\] FIRING db-errors app@web-1/);
    expect(s.some((x) => /RESOLVED db-errors/.test(x))).toBe(true);
    expect(s.some((x) => /RESOLVED any-fatal/.test(x))).toBe(false);
  });

  it('does not fold a warning into a critical whose own notifications are silenced', async () => {
    // Prepare
    await cycle(T0 - MIN);
    await addSilence(db.pool, silenceSpec({ rule: 'any-fatal', for: '1h', comment: 'known crash loop' }, T0));

    // Act
    write('app.log', 'ERROR', T0, T0 + MIN, 10_000, 'db down');
    fs.appendFileSync(file('app.log'), line('FATAL', 'out of memory', T0 + 30_000));
    await cycle(T0 + MIN);

    // Assess
    expect(subjects()).toEqual(['[logmon] FIRING error-burst app@web-1: 7 ERROR+ in 5m (threshold 5)']);
  });

  it('does not fold a warning of another file', async () => {
    // Prepare
    await cycle(T0 - MIN);

    // Act
    write('api.log', 'ERROR', T0, T0 + MIN, 10_000, 'db down');
    fs.appendFileSync(file('worker.log'), line('FATAL', 'out of memory', T0 + 30_000));
    await cycle(T0 + MIN);

    // Assess
    expect(
      subjects()
        .map((s) => s.replace(/: .*/, ''))
        .sort(),
    ).toEqual(['[logmon] FIRING any-fatal worker@web-1', '[logmon] FIRING error-burst api@web-1']);
  });
});
