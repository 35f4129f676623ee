/**
 * Seeded randomness for property and model-based tests. The seed comes from
 * LOGMON_TEST_SEED when set (to replay a failure), else from the clock; a
 * failing check names the seed so the run can be reproduced exactly.
 */
export interface Random {
  readonly seed: number;
  /** Float in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: tiny, fast, good enough for test inputs. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

/** The base seed of this test run. */
export function baseSeed(): number {
  const fixed = process.env.LOGMON_TEST_SEED;
  return fixed ? Number(fixed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
}

/**
 * Run `check` with a seeded Random; a failure is rethrown naming the seed and
 * how to replay it (`replay`, by default through LOGMON_TEST_SEED).
 */
export async function withSeed(
  seed: number,
  label: string,
  check: (rng: Random) => Promise<void> | void,
  replay = `LOGMON_TEST_SEED=${seed} npm test -- -t '${label}'`,
): Promise<void> {
  try {
    await check(seededRandom(seed));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const wrapped = new Error(`${label} failed with seed ${seed} (replay: ${replay})\n${message}`);
    if (err instanceof Error && err.stack) wrapped.stack = `${wrapped.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
    throw wrapped;
  }
}
