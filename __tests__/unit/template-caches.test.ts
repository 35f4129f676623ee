import { GenerationCache } from '../../lib/ingest/generation-cache';
import { ShapeTable } from '../../lib/ingest/shape-table';

describe('Class: GenerationCache', () => {
  it('returns what was set, and undefined for what never was', () => {
    const cache = new GenerationCache<string, number>(4);
    expect(cache.set('a', 1)).toBe(1);
    expect(cache.get('a')).toBe(1);
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps the keys in use through a flood of one-off keys, at most twice its size', () => {
    // Prepare
    const cache = new GenerationCache<string, number>(4);
    cache.set('hot', 0);

    // Act: 100 one-off keys, the hot one read between them
    for (let i = 0; i < 100; i += 1) {
      cache.set(`once-${i}`, i);
      expect(cache.get('hot')).toBe(0);
    }

    // Assess: an old one-off key is gone, the last ones are there
    expect(cache.get('once-0')).toBeUndefined();
    expect(cache.get('once-99')).toBe(99);
    const kept = Array.from({ length: 100 }, (_, i) => cache.get(`once-${i}`)).filter((v) => v !== undefined);
    expect(kept.length).toBeLessThanOrEqual(8);
  });
});

describe('Class: ShapeTable', () => {
  it('finds a value by both halves of its key, not by one', () => {
    const table = new ShapeTable<string>(8);
    table.set(1, 2, 'a');
    table.set(1, 3, 'b');
    table.set(-5, 2, 'c');
    expect([table.get(1, 2), table.get(1, 3), table.get(-5, 2), table.get(2, 1)]).toEqual(['a', 'b', 'c', undefined]);
  });

  it('finds keys that share a slot (linear probing) and replaces a value set twice', () => {
    // Prepare: 7 keys whose second halves are equal in their low bits
    const table = new ShapeTable<number>(8);
    for (let i = 1; i < 8; i += 1) table.set(i, 16 * 1024 * i, i);

    // Act
    table.set(3, 16 * 1024 * 3, 33);

    // Assess
    expect(Array.from({ length: 7 }, (_, i) => table.get(i + 1, 16 * 1024 * (i + 1)))).toEqual([1, 2, 33, 4, 5, 6, 7]);
  });

  it('does not store key (0, 0), the mark of an empty slot', () => {
    const table = new ShapeTable<string>(8);
    expect(table.set(0, 0, 'zero')).toBe('zero');
    expect(table.get(0, 0)).toBeUndefined();
  });

  it('keeps the keys in use through a flood of one-off keys, at most twice its size', () => {
    // Prepare
    const table = new ShapeTable<number>(16);
    table.set(7, 7, -1);

    // Act
    for (let i = 1; i <= 1000; i += 1) {
      table.set(i * 31, i * 97, i);
      expect(table.get(7, 7)).toBe(-1);
    }

    // Assess
    expect(table.get(31, 97)).toBeUndefined();
    expect(table.get(1000 * 31, 1000 * 97)).toBe(1000);
    const kept = Array.from({ length: 1000 }, (_, k) => table.get((k + 1) * 31, (k + 1) * 97)).filter((v) => v !== undefined);
    expect(kept.length).toBeLessThanOrEqual(32);
    expect(kept.length).toBeGreaterThanOrEqual(16);
  });
});
