import { readMailSettings, redactSmtpUrl } from '../../lib/alert/notification-mail';

describe('Function: readMailSettings', () => {
  it('mails nothing without SMTP_URL', () => {
    expect(readMailSettings({ MAIL_TO: 'ops@example.com' })).toBeNull();
    expect(readMailSettings({ SMTP_URL: '  ' })).toBeNull();
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
