import { combineRows, groupOf } from '../../lib/alert/outbox-group';

const row = (ruleName: string, severity: string, file: string, kind = 'firing'): Parameters<typeof combineRows>[0][number] => ({
  ruleName,
  subject: `[logmon] FIRING ${ruleName} payments@web-1 ${file}: 6 ERROR+ in 5m (threshold 5)`,
  body: `Rule "${ruleName}" is FIRING.\n`,
  attributes: { severity, rule: ruleName, state: 'firing', kind, service: 'payments', host: 'web-1' },
});

describe('Function: groupOf', () => {
  it('groups by service and host; health messages and rows without either go alone', () => {
    expect(groupOf(row('a', 'warning', 'a.log'))).toEqual({ service: 'payments', host: 'web-1' });
    expect(
      groupOf({ ...row('a', 'warning', 'a.log'), attributes: { severity: 'critical', rule: 'health:x', state: 'firing', kind: 'health', host: 'web-1' } }),
    ).toBeNull();
    expect(groupOf({ ...row('a', 'warning', 'a.log'), attributes: { severity: 'warning', rule: 'a', state: 'firing', kind: 'firing' } })).toBeNull();
  });
});

describe('Function: combineRows', () => {
  it('puts the most severe first, names each in the subject, keeps each body whole, and lists every rule for filter policies', () => {
    // Act
    const mail = combineRows([row('error-burst', 'warning', 'a.log'), row('any-fatal', 'critical', 'a.log')]);

    // Assess
    expect(mail.subject).toBe('[logmon] 2 alerts for payments@web-1: FIRING any-fatal a.log, error-burst a.log');
    expect(mail.body.indexOf('1/2: [logmon] FIRING any-fatal')).toBeLessThan(mail.body.indexOf('2/2: [logmon] FIRING error-burst'));
    expect(mail.body).toContain('Rule "error-burst" is FIRING.');
    expect(mail.attributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      rule: { DataType: 'String.Array', StringValue: '["any-fatal","error-burst"]' },
      state: { DataType: 'String.Array', StringValue: '["firing"]' },
      kind: { DataType: 'String.Array', StringValue: '["firing"]' },
      service: { DataType: 'String', StringValue: 'payments' },
      host: { DataType: 'String', StringValue: 'web-1' },
    });
  });

  it('keeps the subject to fewer than 100 printable ASCII characters (at most 99)', () => {
    const mail = combineRows(Array.from({ length: 10 }, (_, i) => row(`rule-number-${i}`, 'warning', `file-${i}.log`)));

    expect(mail.subject.length).toBeLessThanOrEqual(99);
    expect(mail.subject).toMatch(/^[\x20-\x7e]+$/);
  });
});
