import { readMailSettings, redactSmtpUrl } from '../../lib/alert/notification-mail';
import { readDashboardUrl } from '../../lib/alert/config';

describe('Function: readMailSettings', () => {
  it('mails nothing without SMTP_URL', () => {
    expect(readMailSettings({ MAIL_TO: 'ops@example.com' })).toBeNull();
    expect(readMailSettings({ SMTP_URL: '  ' })).toBeNull();
  });

  it.each(['127.0.0.1:1025', 'http://mail.example.com/'])('refuses SMTP_URL=%p, naming it', (value) => {
    expect(() => readMailSettings({ SMTP_URL: value })).toThrow('SMTP_URL must be an smtp:// or smtps:// URL');
  });

  it('defaults the sender and the recipient', () => {
    expect(readMailSettings({ SMTP_URL: 'smtp://127.0.0.1:1025' })).toEqual({
      smtpUrl: 'smtp://127.0.0.1:1025',
      from: 'logmon <logmon@localhost>',
      to: 'oncall@localhost',
    });
  });
});

describe('Function: redactSmtpUrl', () => {
  it.each([
    ['smtps://alerts:s3cret@mail.example.com:465', 'smtps://alerts:***@mail.example.com:465'],
    ['smtp://127.0.0.1:1025', 'smtp://127.0.0.1:1025'],
  ])('%s → %s', (url, expected) => {
    expect(redactSmtpUrl(url)).toBe(expected);
  });
});

describe('Function: readDashboardUrl', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/'],
    ['https://abc.lambda-url.us-east-1.on.aws/', 'https://abc.lambda-url.us-east-1.on.aws/'],
  ])('ALERT_DASHBOARD_URL=%p → %p', (value, expected) => {
    expect(readDashboardUrl({ ALERT_DASHBOARD_URL: value })).toBe(expected);
  });

  it.each(['127.0.0.1:3000', 'ftp://x/', 'not a url'])('refuses ALERT_DASHBOARD_URL=%p, naming it', (value) => {
    expect(() => readDashboardUrl({ ALERT_DASHBOARD_URL: value })).toThrow("ALERT_DASHBOARD_URL must be the dashboard's http(s) URL");
  });
});
