// Error templates at ingest (issue 12): every stored entry carries its
// template id (lib/ingest/template.ts), through COPY and through the
// row-by-row retry alike; ingest writes no error_templates row (the alert job
// keeps that table). A file keeps the path it was first discovered under.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { templateOf } from '../../lib/ingest/template';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';

interface EntryTemplate {
  message: string;
  template_id: string | null;
}

interface SourceOrigin {
  path: string;
  origin_path: string;
  status: string;
}

const fx = new IngestFixture();

beforeAll(() => fx.setUp());
afterAll(() => fx.tearDown());
beforeEach(() => fx.reset());

/** A line at the i-th second after 10:00:00. */
const lineAt = (level: string, message: string, i: number): string => logLine(level, message, i % 60, Math.floor(i / 60));

const hex = (seed: number, digits: number): string => crypto.createHash('md5').update(String(seed)).digest('hex').slice(0, digits);

/** The i-th payment failure: other order, customer, amount, retries, request id and duration each time. */
function paymentFailure(i: number): string {
  const request = `${hex(i, 8)}-${hex(i + 1, 4)}-4${hex(i + 2, 3)}-a${hex(i + 3, 3)}-${hex(i + 4, 12)}`;
  const amount = `${(i * 13) % 500}.${String(i % 100).padStart(2, '0')}`;
  return `Payment failed for order=${10_000 + i * 37} customer=cus_${hex(i, 14)} amount=${amount} EUR after ${1 + (i % 4)} retries (request ${request}) in ${i * 7 + 3}ms`;
}

/** A Java failure whose frames sit at `line` (another release moves them) for order `order`. */
function javaTrace(order: number, line: number, frame = 'com.shop.Pool.take'): string {
  return [
    `Checkout failed for order=${order}`,
    `java.lang.IllegalStateException: pool exhausted after ${line * 100} ms`,
    `\tat ${frame}(Pool.java:${line})`,
    `\tat com.shop.Checkout.pay(Checkout.java:${line + 12})`,
    `\tat com.shop.Api.handle(Api.java:${line + 40})`,
    `\tat java.base/java.lang.Thread.run(Thread.java:${line + 800})`,
  ].join('\n');
}

async function storedTemplates(): Promise<EntryTemplate[]> {
  return (await fx.db.pool.query<EntryTemplate>('SELECT message, template_id::text AS template_id FROM log_entries ORDER BY id')).rows;
}

async function templateCounts(): Promise<{ template_id: string | null; n: number }[]> {
  return (
    await fx.db.pool.query<{ template_id: string | null; n: number }>(
      'SELECT template_id::text AS template_id, count(*)::int AS n FROM log_entries GROUP BY 1 ORDER BY 2 DESC, 1',
    )
  ).rows;
}

async function errorTemplateRows(): Promise<number> {
  return (await fx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM error_templates')).rows[0]!.n;
}

/** Each stored entry's template id is the one templateOf gives its message. */
async function expectIdsOfTheirMessages(): Promise<void> {
  const rows = await storedTemplates();
  expect(rows.map((r) => r.template_id)).toEqual(rows.map((r) => templateOf(r.message).id));
}

describe('Function: runIngest › error templates', () => {
  it('stores 200 payment failures with one template id and 6 disk quota errors with another, through COPY', async () => {
    // Prepare: the payment failures, the quota errors among them, and INFO lines that are not stored.
    const lines: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      lines.push(lineAt('ERROR', paymentFailure(i), i));
      if (i % 40 === 7) lines.push(lineAt('FATAL', 'Disk quota exceeded', i));
      if (i % 10 === 0) lines.push(lineAt('INFO', `charged order=${i}`, i));
    }
    lines.push(lineAt('ERROR', 'Disk quota exceeded', 200));
    fs.writeFileSync(fx.file('app.log'), lines.join(''));

    // Act
    const summary = await fx.ingest();

    // Assess
    const payment = templateOf(paymentFailure(0));
    const quota = templateOf('Disk quota exceeded');
    expect(payment.template).toBe('Payment failed for order=<*> customer=<*> amount=<*> EUR after <num> retries (request <uuid>) in <num>ms');
    expect(payment.id).not.toBe(quota.id);
    expect(await templateCounts()).toEqual([
      { template_id: payment.id, n: 200 },
      { template_id: quota.id, n: 6 },
    ]);
    await expectIdsOfTheirMessages();
    expect(summary.totals.entriesStored).toBe(206);
    // COPY took every row: nothing was retried row by row
    expect((await fx.anomalies()).map((a) => a.kind)).not.toContain('entry_rejected');
    expect(await errorTemplateRows()).toBe(0);
  });

  it('gives two Java stack traces whose line numbers differ one template id, and one through other frames another', async () => {
    // Prepare: the first two as two releases would log them; the third fails in another frame.
    const traces = [javaTrace(42, 41), javaTrace(97, 58), javaTrace(42, 41, 'com.shop.Pool.give')];
    fs.writeFileSync(fx.file('app.log'), traces.map((t, i) => lineAt('ERROR', t, i)).join(''));

    // Act
    await fx.ingest();

    // Assess
    const rows = await storedTemplates();
    expect(rows.map((r) => r.message)).toEqual(traces);
    expect(rows[0]!.template_id).toBe(templateOf(traces[0]!).id);
    expect(rows[1]!.template_id).toBe(rows[0]!.template_id);
    expect(rows[2]!.template_id).not.toBe(rows[0]!.template_id);
    await expectIdsOfTheirMessages();
  });

  it('sets the template ids of the rows the row-by-row retry stores after PostgreSQL rejected one', async () => {
    // Prepare: a trigger stands in for a value PostgreSQL refuses (a data error, SQLSTATE 22…):
    // the COPY fails, the batch is redone row by row and that one row is rejected.
    await fx.db.pool.query(`CREATE FUNCTION refuse_bad_day() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.message = 'bad day 2' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '22023'; END IF; RETURN NEW; END $$`);
    await fx.db.pool.query('CREATE TRIGGER refuse_bad_day BEFORE INSERT ON log_entries FOR EACH ROW EXECUTE FUNCTION refuse_bad_day()');
    const messages = ['bad day 1', 'bad day 2', paymentFailure(1), 'bad day 3', paymentFailure(2), 'Disk quota exceeded', javaTrace(7, 3)];
    try {
      fs.writeFileSync(fx.file('app.log'), messages.map((m, i) => lineAt('ERROR', m, i)).join(''));

      // Act
      await fx.ingest();
    } finally {
      await fx.db.pool.query('DROP TRIGGER refuse_bad_day ON log_entries');
      await fx.db.pool.query('DROP FUNCTION refuse_bad_day()');
    }

    // Assess
    expect(await fx.messages()).toEqual(messages.filter((m) => m !== 'bad day 2'));
    expect((await fx.anomalies()).map((a) => a.kind)).toContain('entry_rejected');
    const rows = await storedTemplates();
    expect(rows.every((r) => r.template_id !== null)).toBe(true);
    await expectIdsOfTheirMessages();
    expect(rows[0]!.template_id).toBe(templateOf('bad day 3').id);
    expect(rows[1]!.template_id).toBe(rows[3]!.template_id);
    expect(await errorTemplateRows()).toBe(0);
  });

  it('keeps origin_path when a rename rotation moves the file, and gives the new file its own', async () => {
    // Prepare: a first run on app.log.
    const file = fx.file('app.log');
    fs.writeFileSync(file, lineAt('ERROR', 'Disk quota exceeded', 1));
    await fx.ingest();
    fs.appendFileSync(file, lineAt('ERROR', paymentFailure(3), 2));

    // Act: rotated as logrotate `create` does it, twice (app.log → app.log.1 → app.log.2).
    fs.renameSync(file, fx.file('app.log.1'));
    fs.writeFileSync(file, lineAt('ERROR', paymentFailure(4), 3));
    await fx.ingest();
    fs.renameSync(fx.file('app.log.1'), fx.file('app.log.2'));
    fs.renameSync(file, fx.file('app.log.1'));
    fs.writeFileSync(file, lineAt('ERROR', 'Disk quota exceeded', 4));
    await fx.ingest();

    // Assess: path follows each file, origin_path stays where it was first seen.
    const origins = (await fx.db.pool.query<SourceOrigin>('SELECT path, origin_path, status FROM log_sources ORDER BY id')).rows;
    expect(origins).toEqual([
      { path: fx.file('app.log.2'), origin_path: file, status: 'rotated' },
      { path: fx.file('app.log.1'), origin_path: file, status: 'rotated' },
      { path: file, origin_path: file, status: 'active' },
    ]);
    expect(await fx.messages()).toEqual(['Disk quota exceeded', paymentFailure(3), paymentFailure(4), 'Disk quota exceeded']);
    await expectIdsOfTheirMessages();
  });
});
