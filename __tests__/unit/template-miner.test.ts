import { TemplateMiner, mineGroups } from '../../lib/ingest/template-miner';

describe('Class: TemplateMiner', () => {
  describe('Method: add', () => {
    it('merges messages of one length and prefix that differ in a word masking left', () => {
      const miner = new TemplateMiner();
      const ids = ['session closed for user cyrus', 'session closed for user news', 'session closed for user test'].map((m) => miner.add(m));

      expect(new Set(ids).size).toBe(1);
      expect(miner.templateOf(ids[0]!)).toBe('session closed for user <*>');
      expect(miner.groups[ids[0]!]!.size).toBe(3);
    });

    it.each([
      ['another token count', 'session closed for user cyrus', 'session closed for cyrus'],
      ['another first token', 'session closed for user cyrus', 'connection closed for user cyrus'],
      ['too few equal tokens', 'disk full on vol a', 'disk gone from host b'],
    ])('keeps apart messages with %s', (_why, a, b) => {
      const miner = new TemplateMiner();

      expect(miner.add(a)).not.toBe(miner.add(b));
    });

    it('routes a placeholder first token through the wildcard child', () => {
      const miner = new TemplateMiner();

      expect(miner.add('<ip> open through proxy x HTTPS')).toBe(miner.add('<ip> open through proxy y HTTPS'));
    });

    it('honours the similarity threshold', () => {
      const strict = new TemplateMiner({ similarity: 0.9 });

      expect(strict.add('a b c d x')).not.toBe(strict.add('a b c d y'));
    });

    it('is deterministic for one order of messages', () => {
      const messages = ['a b c', 'a b d', 'a x c', 'q r s', 'a b c'];
      const run = (): number[] => {
        const miner = new TemplateMiner();
        return messages.map((m) => miner.add(m));
      };

      expect(run()).toEqual(run());
    });
  });
});

describe('Function: mineGroups', () => {
  it('keeps one group for a position with many values (user names)', () => {
    const labels = mineGroups(['session closed for user cyrus', 'session closed for user news', 'session closed for user test']);

    expect(new Set(labels).size).toBe(1);
  });

  it('splits a group again on a position with fewer than minValues values', () => {
    const labels = mineGroups(['Ending TrustedInstaller initialization.', 'Ending TrustedInstaller finalization.', 'Ending TrustedInstaller initialization.']);

    expect(labels[0]).toBe(labels[2]);
    expect(labels[0]).not.toBe(labels[1]);
  });

  it('gives the same labels for the same templates in the same order', () => {
    const templates = ['a b c', 'a b d', 'a b e', 'x y', 'x z'];

    expect(mineGroups(templates)).toEqual(mineGroups(templates));
  });
});
