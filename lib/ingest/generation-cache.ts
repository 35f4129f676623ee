/**
 * A bounded cache of two generations: when the current one holds `size`
 * entries it becomes the older one (the one before is dropped), and an entry
 * found in the older one moves back to the current one. The entries in use
 * survive a flood of one-off keys (a template per request id), and at most
 * twice `size` entries are kept; no per-entry bookkeeping, as an LRU needs.
 *
 * A class with its maps as fields, not module `let` bindings swapped when a
 * generation turns: V8 compiles a function reading a module binding with
 * that binding as a constant, and a reassignment throws away the optimised
 * code of every function that reads it (the templating's hot path once ran
 * unoptimised for most of an ingest that way).
 *
 * @example
 *   const cache = new GenerationCache<string, string>(8192);
 *   cache.get(token) ?? cache.set(token, mask(token));
 */
export class GenerationCache<K, V> {
  private current = new Map<K, V>();
  private older = new Map<K, V>();

  public constructor(private readonly size: number) {}

  public get(key: K): V | undefined {
    const value = this.current.get(key);
    if (value !== undefined) return value;
    const older = this.older.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  /** Remember `value` under `key` and return it. */
  public set(key: K, value: V): V {
    if (this.current.size >= this.size) {
      this.older = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
    return value;
  }
}
