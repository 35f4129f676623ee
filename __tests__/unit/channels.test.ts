// Notification channels without I/O: the `channels:` section's validation
// (the words start-up and `npm run check-config` print), routing, and the
// payload of each channel type.
import crypto from 'node:crypto';
import { channelsOf, defaultChannels } from '../../lib/alert/channel-config';
import { readAlertConfig } from '../../lib/alert/config';
import { matchesRoute, routeOf } from '../../lib/alert/channel-routing';
import type { RoutableRow } from '../../lib/alert/channel-routing';
import { mailHtml } from '../../lib/alert/mail-html';
import { pagerDutyDedupKey, pagerDutyEvent } from '../../lib/alert/pagerduty-event';
import { slackMessage } from '../../lib/alert/slack-payload';
import { signWebhook, webhookPayload } from '../../lib/alert/webhook-payload';
import type { PayloadRow } from '../../lib/alert/webhook-payload';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const ENV = { MAIL_URL: 'smtps://alerts:s3cret@mail.example.com:465', HOOK_SECRET: 'k3y', SLACK_URL: 'https://hooks.example.com/T/B/x', PD_KEY: 'abc123' };

function row(extra: Partial<PayloadRow> = {}): PayloadRow {
  return {
    id: 42,
    ruleName: 'error-burst',
    groupKey: '["payments","web-1","/var/log/pay.log"]',
    kind: 'firing',
    subject: '[logmon] FIRING error-burst payments@web-1: 7 ERROR+ in 5m (threshold 5)',
    body: 'Rule "error-burst" is FIRING <now> & then\n',
    attributes: { severity: 'warning', rule: 'error-burst', state: 'firing', kind: 'firing', service: 'payments', host: 'web-1' },
    labels: { service: 'payments', host: 'web-1', file: '/var/log/pay.log' },
    createdAt: new Date('2026-03-02T09:00:00Z'),
    ...extra,
  };
}

describe('Function: channelsOf', () => {
  it('is the SNS topic alone when the document has no channels section', () => {
    // Act
    const channels = channelsOf({ rules: [] }, {}, 10_000);

    // Assess
    expect(channels).toEqual(defaultChannels(10_000));
    expect(channels).toEqual([{ name: 'sns', type: 'sns', match: {}, timeoutMs: 10_000 }]);
  });

  it('reads each channel type, its routing and its secrets from the variables it names', () => {
    // Act
    const channels = channelsOf(
      {
        channels: [
          { name: 'mail', type: 'smtp', urlFrom: 'MAIL_URL', from: 'logmon <logmon@example.com>', to: ['a@example.com', 'b@example.com'] },
          { name: 'hook', type: 'webhook', url: 'https://ops.example.com/logmon', secretFrom: 'HOOK_SECRET', timeout: '3s' },
          { name: 'chat', type: 'slack', urlFrom: 'SLACK_URL', match: { severity: 'critical', rule: ['health:*'] } },
          { name: 'pager', type: 'pagerduty', routingKeyFrom: 'PD_KEY', match: { severity: ['critical'], kind: ['firing', 'resolved', 'health'] } },
        ],
      },
      ENV,
      10_000,
    );

    // Assess
    expect(channels).toEqual([
      expect.objectContaining({
        type: 'smtp',
        url: ENV.MAIL_URL,
        urlFrom: 'MAIL_URL',
        to: ['a@example.com', 'b@example.com'],
        tls: 'required',
        ca: null,
        timeoutMs: 10_000,
      }),
      expect.objectContaining({ type: 'webhook', url: 'https://ops.example.com/logmon', secret: 'k3y', secretFrom: 'HOOK_SECRET', timeoutMs: 3000 }),
      expect.objectContaining({ type: 'slack', url: ENV.SLACK_URL, match: { severity: ['critical'], rule: ['health:*'] } }),
      expect.objectContaining({ type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'abc123' }),
    ]);
  });

  it.each<[string, unknown, string]>([
    ['an unknown type', { name: 'x', type: 'teams' }, 'ALERT_RULES: channel "x": type must be one of sns, smtp, webhook, slack, pagerduty, got "teams"'],
    ['an unknown field', { name: 'x', type: 'slack', urlFrom: 'SLACK_URL', url: 'https://x' }, 'channel "x": url is not a known field of a slack channel'],
    [
      'a value where a variable name belongs',
      { name: 'x', type: 'slack', urlFrom: 'https://hooks.example.com/T/B/x' },
      'urlFrom must name an environment variable',
    ],
    [
      'a variable that is not set',
      { name: 'x', type: 'pagerduty', routingKeyFrom: 'PD_KEY_PROD' },
      'channel "x": routingKeyFrom names PD_KEY_PROD, which is not set (or blank)',
    ],
    [
      'an SMTP URL of another scheme',
      { name: 'x', type: 'smtp', urlFrom: 'SLACK_URL', from: 'a@b.c', to: ['d@e.f'] },
      'urlFrom must be a smtp:// or smtps:// URL (the value of SLACK_URL)',
    ],
    [
      'a severity that does not exist',
      { name: 'x', type: 'sns', match: { severity: ['urgent'] } },
      'match .severity has "urgent" (known: critical, warning, info)',
    ],
    ['a field match cannot test', { name: 'x', type: 'sns', match: { team: ['a'] } }, 'match has "team", which is not a field it can match'],
    ['a name with capitals', { name: 'Pager', type: 'sns' }, 'channel "Pager": name must be lower-case letters'],
    ['no recipients', { name: 'x', type: 'smtp', urlFrom: 'MAIL_URL', from: 'a@b.c', to: [] }, 'channel "x": to must be a list of e-mail addresses'],
    ['a webhook without a secret', { name: 'x', type: 'webhook', url: 'https://x.example.com' }, 'channel "x": secretFrom is required'],
  ])('refuses %s, naming the channel and the field', (_case, spec, message) => {
    // Act
    const read = (): unknown => channelsOf({ channels: [spec] }, ENV, 10_000);

    // Assess
    expect(read).toThrow(message);
  });

  it('never shows the value of a secret in its messages', () => {
    // Act
    const read = (): unknown => channelsOf({ channels: [{ name: 'x', type: 'smtp', urlFrom: 'HOOK_SECRET', from: 'a@b.c', to: ['d@e.f'] }] }, ENV, 10_000);

    // Assess
    expect(read).toThrow(/HOOK_SECRET/);
    expect(read).not.toThrow(/k3y/);
  });

  it('refuses two channels of one name, and two sns channels', () => {
    expect(() =>
      channelsOf(
        {
          channels: [
            { name: 'a', type: 'sns' },
            { name: 'a', type: 'sns' },
          ],
        },
        ENV,
        1,
      ),
    ).toThrow('channel "a": name is used by more than one channel');
    expect(() =>
      channelsOf(
        {
          channels: [
            { name: 'a', type: 'sns' },
            { name: 'b', type: 'sns' },
          ],
        },
        ENV,
        1,
      ),
    ).toThrow('at most one sns channel');
  });

  it('needs ALERT_TOPIC_ARN only when an sns channel is configured', () => {
    // Prepare
    const rules = JSON.stringify({ channels: [{ name: 'chat', type: 'slack', urlFrom: 'SLACK_URL' }] });

    // Act
    const config = readAlertConfig({ ALERT_RULES: rules, SLACK_URL: ENV.SLACK_URL });

    // Assess
    expect(config.channels.map((c) => c.name)).toEqual(['chat']);
    expect(() => readAlertConfig({})).toThrow('ALERT_TOPIC_ARN must be an SNS topic ARN');
    expect(readAlertConfig({ ALERT_TOPIC_ARN: TOPIC }).channels).toEqual(defaultChannels());
  });
});

describe('Function: routeOf', () => {
  const routable = (extra: Partial<RoutableRow> = {}): RoutableRow => ({
    ruleName: row().ruleName,
    attributes: row().attributes,
    labels: row().labels,
    ...extra,
  });

  it.each<[string, Record<string, string[]>, boolean]>([
    ['an empty match', {}, true],
    ['its severity', { severity: ['warning', 'critical'] }, true],
    ['another severity', { severity: ['critical'] }, false],
    ['its kind and state', { kind: ['firing'], state: ['firing'] }, true],
    ['a rule glob', { rule: ['error-*'] }, true],
    ['another rule', { rule: ['any-fatal'] }, false],
    ['its service and a file glob', { service: ['payments'], file: ['/var/log/*.log'] }, true],
    ['a label it does not have', { template: ['12'] }, false],
  ])('routes a warning FIRING of payments@web-1 by %s: %s', (_case, match, expected) => {
    expect(matchesRoute(match, routable())).toBe(expected);
  });

  it('sends a notification to every channel whose match takes it, in configuration order', () => {
    // Prepare
    const channels = [
      { name: 'sns', match: {} },
      { name: 'pager', match: { severity: ['critical'] } },
      { name: 'chat', match: { service: ['payments'] } },
    ];

    // Act / Assess
    expect(routeOf(routable(), channels)).toEqual(['sns', 'chat']);
    expect(routeOf(routable({ attributes: { ...row().attributes, severity: 'critical' } }), channels)).toEqual(['sns', 'pager', 'chat']);
  });

  it('never sends health:channel-failing to the channels it names as failing', () => {
    // Prepare
    const channels = [
      { name: 'sns', match: {} },
      { name: 'hook', match: {} },
      { name: 'chat', match: {} },
    ];
    const health = {
      ruleName: 'health:channel-failing',
      attributes: { severity: 'warning', rule: 'health:channel-failing', state: 'firing', kind: 'health', channel: 'hook,chat' },
      labels: {},
    };

    // Act / Assess
    expect(routeOf(health, channels)).toEqual(['sns']);
    expect(routeOf({ ...health, attributes: { ...health.attributes, channel: '' } }, channels)).toEqual(['sns', 'hook', 'chat']);
  });
});

describe('Function: webhookPayload', () => {
  it('carries the notification with its id, key, labels and attributes (schema version 1)', () => {
    expect(webhookPayload(row())).toEqual({
      version: 1,
      id: '42',
      rule: 'error-burst',
      key: '["payments","web-1","/var/log/pay.log"]',
      kind: 'firing',
      state: 'firing',
      severity: 'warning',
      health: false,
      labels: { service: 'payments', host: 'web-1', file: '/var/log/pay.log' },
      attributes: row().attributes,
      subject: row().subject,
      text: row().body,
      queuedAt: '2026-03-02T09:00:00.000Z',
    });
  });

  it('signs the timestamp and the body with HMAC-SHA256, as a receiver recomputes it', () => {
    // Prepare
    const body = JSON.stringify(webhookPayload(row()));

    // Act
    const signature = signWebhook('k3y', '1772442000', body);

    // Assess
    expect(signature).toBe(`sha256=${crypto.createHmac('sha256', 'k3y').update(`1772442000.${body}`).digest('hex')}`);
    expect(signWebhook('k3y', '1772442001', body)).not.toBe(signature);
    expect(signWebhook('other', '1772442000', body)).not.toBe(signature);
  });
});

describe('Function: slackMessage', () => {
  it('puts the subject in the text and the escaped body in a code block, coloured by severity or green when resolved', () => {
    // Act
    const firing = slackMessage(row());
    const resolved = slackMessage(row({ kind: 'resolved' }));

    // Assess
    expect(firing.text).toBe(row().subject);
    expect(firing.attachments[0]).toMatchObject({ color: '#daa038', text: '```\nRule "error-burst" is FIRING &lt;now&gt; &amp; then\n```' });
    expect(resolved.attachments[0]!.color).toBe('#2eb886');
  });
});

describe('Function: pagerDutyEvent', () => {
  it('triggers on FIRING and STILL FIRING and resolves on RESOLVED under one dedup_key per rule and key', () => {
    // Act
    const events = (['firing', 'reminder', 'resolved'] as const).map((kind) => pagerDutyEvent(row({ kind }), 'abc123'));

    // Assess
    expect(events.map((e) => `${e.event_action} ${e.dedup_key}`)).toEqual([
      'trigger logmon:error-burst:["payments","web-1","/var/log/pay.log"]',
      'trigger logmon:error-burst:["payments","web-1","/var/log/pay.log"]',
      'resolve logmon:error-burst:["payments","web-1","/var/log/pay.log"]',
    ]);
    expect(events[0]).toMatchObject({
      routing_key: 'abc123',
      payload: { summary: row().subject, source: 'web-1', component: 'payments', severity: 'warning', group: 'error-burst', class: 'firing' },
    });
    expect(events[2]!.payload).toBeUndefined();
  });

  it('gives a LATE DATA report a dedup_key of its own, and hashes a key too long for PagerDuty', () => {
    // Act
    const late = pagerDutyEvent(row({ kind: 'late' }), 'abc123');
    const long = pagerDutyDedupKey('r', 'x'.repeat(300));

    // Assess
    expect(late.dedup_key).toBe('logmon:error-burst:["payments","web-1","/var/log/pay.log"]:late:42');
    expect(long).toMatch(/^logmon:[0-9a-f]{64}$/);
    expect(pagerDutyDedupKey('r', 'x'.repeat(300))).toBe(long);
  });
});

describe('Function: mailHtml', () => {
  it('shows the subject and the body as preformatted, escaped text', () => {
    // Act
    const html = mailHtml('[logmon] FIRING <x>', 'a & b\n  "c"', 'critical');

    // Assess
    expect(html).toContain('<h1 style="font-size:16px;margin:0 0 12px 0">[logmon] FIRING &lt;x&gt;</h1>');
    expect(html).toContain('>a &amp; b\n  &quot;c&quot;</pre>');
    expect(html).toContain('#d00000');
  });
});
