import { readRetentionConfig } from '../../lib/retention/config';

describe('Function: readRetentionConfig', () => {
  it('defaults to 30 days in batches of 5000 rows', () => {
    expect(readRetentionConfig({})).toMatchObject({ days: 30, batchSize: 5000 });
  });

  it.each([
    ['RETENTION_DAYS', '0', 'RETENTION_DAYS must be an integer >= 1, got "0"'],
    ['RETENTION_DAYS', 'a month', 'RETENTION_DAYS must be an integer >= 1, got "a month"'],
    ['RETENTION_BATCH_SIZE', '-5', 'RETENTION_BATCH_SIZE must be an integer >= 1, got "-5"'],
  ])('throws when %s is %p', (name, value, message) => {
    expect(() => readRetentionConfig({ [name]: value })).toThrow(message);
  });
});
