/**
 * Values by a 64-bit key given as two 32-bit halves, in open-addressed
 * typed arrays: no boxed number per lookup, no pointer chased to compare a
 * key, a few cache lines per lookup. Two generations, as GenerationCache: a
 * table that reaches half its slots becomes the older one (the one before
 * is cleared and reused), and a value found there moves to the current one.
 * Holds at most 2 × `size` values. Key (0, 0) is not stored (it marks an
 * empty slot): a hash that lands there is simply not remembered.
 *
 * @example
 *   const table = new ShapeTable<Template>(65_536);
 *   table.get(hi, lo) ?? table.set(hi, lo, template);
 */
export class ShapeTable<V> {
  private current: Generation<V>;
  private older: Generation<V>;

  public constructor(private readonly size: number) {
    this.current = new Generation<V>(size);
    this.older = new Generation<V>(size);
  }

  public get(hi: number, lo: number): V | undefined {
    const value = this.current.get(hi, lo);
    if (value !== undefined) return value;
    const older = this.older.get(hi, lo);
    if (older !== undefined) this.set(hi, lo, older);
    return older;
  }

  public set(hi: number, lo: number, value: V): V {
    if ((hi | lo) === 0) return value;
    if (this.current.count >= this.size) {
      const reused = this.older;
      reused.clear();
      this.older = this.current;
      this.current = reused;
    }
    this.current.set(hi, lo, value);
    return value;
  }
}

/** One generation: 2 × size slots (a power of two), linear probing, at most `size` used. */
class Generation<V> {
  private readonly his: Int32Array;
  private readonly los: Int32Array;
  private readonly values: (V | undefined)[];
  private readonly mask: number;
  public count = 0;

  public constructor(size: number) {
    let slots = 2;
    while (slots < size * 2) slots *= 2;
    this.his = new Int32Array(slots);
    this.los = new Int32Array(slots);
    this.values = new Array<V | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  public get(hi: number, lo: number): V | undefined {
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const h = this.his[i]!;
      const l = this.los[i]!;
      if (h === hi && l === lo) return this.values[i];
      if ((h | l) === 0) return undefined;
    }
  }

  public set(hi: number, lo: number, value: V): void {
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const h = this.his[i]!;
      const l = this.los[i]!;
      if (h === hi && l === lo) {
        this.values[i] = value;
        return;
      }
      if ((h | l) === 0) {
        this.his[i] = hi;
        this.los[i] = lo;
        this.values[i] = value;
        this.count += 1;
        return;
      }
    }
  }

  public clear(): void {
    this.his.fill(0);
    this.los.fill(0);
    this.values.fill(undefined);
    this.count = 0;
  }
}
