import { formatBytes, formatStatusReport, renderBars } from '../../lib/status/status-report';
import type { StatusSnapshot } from '../../lib/status/status';

const at = (iso: string): Date => new Date(iso);

function emptySnapshot(): StatusSnapshot {
  return {
    generatedAt: at('2026-11-23T12:00:30Z'),
    sources: [],
    rules: [],
    unsent: { count: 0, oldest: null, lastError: null },
    anomalySince: at('2026-11-22T12:00:30Z'),
    anomalies: [],
    perMinute: { start: at('2026-11-23T11:01:00Z'), counts: new Array<number>(60).fill(0), byLevel: {} },
  };
}

describe('Function: renderBars', () => {
  it.each([
    [[], ''],
    [[0, 0, 0], '···'],
    [[0, 1, 8], '·▁█'],
    [[1, 2, 3, 4, 5, 6, 7, 8], '▁▂▃▄▅▆▇█'],
    [[1, 1000], '▁█'],
  ])('draws %p as %p', (values, bars) => {
    expect(renderBars(values)).toBe(bars);
  });
});

describe('Function: formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
  ])('shows %p as %p', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('Function: formatStatusReport', () => {
  it('says plainly that nothing happened yet on an empty database (no files, no rules, no notifications)', () => {
    const text = formatStatusReport(emptySnapshot());

    expect(text).toContain('no file ingested yet');
    expect(text).toContain('no rule evaluated yet');
    expect(text).toContain('Ingest anomalies since 2026-11-22 12:00:30\n  none');
    expect(text).toContain('last 60 min: none');
    expect(text).toContain(`  ${'·'.repeat(60)}\n  11:01`);
    expect(text).not.toContain('waiting to be sent');
  });

  it('shows per file the checkpoint, the lag seen by the last run and the lag on disk now', () => {
    const snapshot = emptySnapshot();
    snapshot.sources = [
      {
        id: 1,
        path: '/var/log/app.log',
        status: 'active',
        readOffset: 1024,
        sizeSeen: 1536,
        lagBytes: 512,
        mtimeSeen: null,
        updatedAt: at('2026-11-23T11:59:00Z'),
        lastError: null,
        disk: { kind: 'same-file', size: 4096 },
      },
      {
        id: 2,
        path: '/mnt/logs/api.log',
        status: 'active',
        readOffset: 0,
        sizeSeen: 0,
        lagBytes: 0,
        mtimeSeen: null,
        updatedAt: at('2026-11-23T11:59:00Z'),
        lastError: null,
        disk: { kind: 'unreadable', reason: 'ENOENT' },
      },
      {
        id: 3,
        path: '/var/log/old.log',
        status: 'missing',
        readOffset: 10,
        sizeSeen: 10,
        lagBytes: 0,
        mtimeSeen: null,
        updatedAt: at('2026-11-23T11:00:00Z'),
        lastError: '/var/log/old.log is gone',
        disk: { kind: 'other-file', size: 3 },
      },
    ];

    const lines = formatStatusReport(snapshot).split('\n');

    expect(lines.find((l) => l.includes('/var/log/app.log'))).toMatch(/active\s+-\s+-\s+1\.0 KiB\s+512 B\s+4\.0 KiB\s+3\.0 KiB\s+2026-11-23 11:59:00$/);
    expect(lines.find((l) => l.includes('/mnt/logs/api.log'))).toContain('not readable here (ENOENT)');
    expect(lines.find((l) => l.includes('/var/log/old.log'))).toMatch(/3 B \(another file now\)\s+-\s+.*is gone$/);
  });

  it('shows each rule with its state and whether its last notification was sent', () => {
    const snapshot = emptySnapshot();
    snapshot.rules = [
      {
        rule: 'db-errors',
        state: 'firing',
        stateSince: at('2026-11-23T11:50:00Z'),
        lastCount: 14,
        lastEvaluatedAt: at('2026-11-23T12:00:00Z'),
        lastNotifiedAt: at('2026-11-23T11:51:00Z'),
        lastNotification: { kind: 'firing', createdAt: at('2026-11-23T11:50:00Z'), sentAt: at('2026-11-23T11:51:00Z'), error: null },
      },
      {
        rule: 'fatal-any',
        state: 'ok',
        stateSince: at('2026-11-23T10:00:00Z'),
        lastCount: 0,
        lastEvaluatedAt: at('2026-11-23T12:00:00Z'),
        lastNotifiedAt: null,
        lastNotification: { kind: 'resolved', createdAt: at('2026-11-23T11:58:00Z'), sentAt: null, error: 'Throttling' },
      },
    ];
    snapshot.unsent = { count: 1, oldest: at('2026-11-23T11:58:00Z'), lastError: 'Throttling' };

    const text = formatStatusReport(snapshot);

    expect(text).toMatch(/db-errors\s+firing\s+2026-11-23 11:50:00\s+14\s+2026-11-23 12:00:00\s+firing sent 2026-11-23 11:51:00/);
    expect(text).toContain('resolved NOT SENT (Throttling)');
    expect(text).toContain('1 notification(s) waiting to be sent, oldest from 2026-11-23 11:58:00, last error: Throttling');
  });

  it('charts the stored entries per minute with totals per level, the peak, a y axis and a time axis', () => {
    const snapshot = emptySnapshot();
    snapshot.perMinute.counts[0] = 2;
    snapshot.perMinute.counts[59] = 8;
    snapshot.perMinute.byLevel = { FATAL: 1, ERROR: 9 };

    const text = formatStatusReport(snapshot);

    expect(text).toContain('last 60 min: 10 (ERROR 9, FATAL 1), peak 8/min');
    expect(text).toContain(`  8 ┤${' '.repeat(59)}█\n`);
    expect(text).toContain(`  0 ┤█${' '.repeat(58)}█\n`);
    expect(text).toMatch(/└[─┬]{60}\n {4}.*11:15 {10}11:30 {10}11:45/);
  });

  it('shows times in the zone asked for', () => {
    expect(formatStatusReport(emptySnapshot(), { timeZone: 'Asia/Tokyo' })).toContain('logmon status at 2026-11-23 21:00:30 (Asia/Tokyo)');
  });
});

describe('Function: formatStatusReport › health', () => {
  it('leads with the health checks failing now, since when, and when ingest and alert last ran', () => {
    // Prepare
    const snapshot: StatusSnapshot = {
      ...emptySnapshot(),
      health: {
        rules: [
          {
            rule: 'health:ingest-not-running',
            state: 'firing',
            since: at('2026-11-23T11:50:00Z'),
            lastEvaluatedAt: at('2026-11-23T12:00:00Z'),
            headline: 'no ingest run for 15m (limit 5m)',
          },
          {
            rule: 'health:source-missing',
            state: 'ok',
            since: at('2026-11-23T10:00:00Z'),
            lastEvaluatedAt: at('2026-11-23T12:00:00Z'),
            headline: 'every configured file is there and readable',
          },
        ],
        lastIngestRun: at('2026-11-23T11:45:00Z'),
        lastEvaluation: at('2026-11-23T12:00:00Z'),
      },
    };

    // Act
    const lines = formatStatusReport(snapshot).split('\n');

    // Assess
    expect(lines.slice(2, 5)).toEqual([
      'Health: 1 PROBLEM',
      '  FIRING  health:ingest-not-running since 2026-11-23 11:50:00: no ingest run for 15m (limit 5m)',
      '  last ingest run: 2026-11-23 11:45:00; last alert evaluation: 2026-11-23 12:00:00',
    ]);
  });

  it('counts an alert job that stopped evaluating as a problem', () => {
    const snapshot: StatusSnapshot = { ...emptySnapshot(), health: { rules: [], lastIngestRun: null, lastEvaluation: at('2026-11-23T11:00:00Z') } };

    const lines = formatStatusReport(snapshot).split('\n');

    expect(lines[2]).toBe('Health: 1 PROBLEM');
    expect(lines[3]).toContain('the alert job has not evaluated since 2026-11-23 11:00:00');
  });
});
