import { withFolded } from '../../lib/alert/inhibition';

describe('Function: withFolded', () => {
  const at = new Date('2026-01-06T10:01:00Z');

  it('lists the folded notifications before the footer, each with when it was queued', () => {
    // Prepare
    const body = 'Rule "any-fatal" is FIRING.\n\nCount: 1\n\n-- \nlogmon sends one message when this rule starts firing.\n';

    // Act
    const folded = withFolded(body, [{ subject: '[logmon] FIRING error-burst app@web-1: 5 ERROR+ in 5m (threshold 5)', createdAt: at }]);

    // Assess
    expect(folded).toBe(
      'Rule "any-fatal" is FIRING.\n\nCount: 1\n\n' +
        'Folded into this alert: notifications of lower severity for the same source, not sent on their own while it fires:\n' +
        '  2026-01-06 10:01:00 UTC  [logmon] FIRING error-burst app@web-1: 5 ERROR+ in 5m (threshold 5)\n\n' +
        '-- \nlogmon sends one message when this rule starts firing.\n',
    );
  });

  it('appends the list to a body without a footer, and leaves a body alone when nothing was folded', () => {
    expect(withFolded('text\n', [{ subject: 's', createdAt: at }])).toBe(
      'text\n\nFolded into this alert: notifications of lower severity for the same source, not sent on their own while it fires:\n  2026-01-06 10:01:00 UTC  s\n',
    );
    expect(withFolded('text\n', [])).toBe('text\n');
  });
});
