/**
 * Run `tasks` with at most `limit` of them at a time, in order of start;
 * the results as Promise.allSettled gives them (in the tasks' order).
 *
 * @example
 *   await settleAtMost(2, channels.map((c) => () => publish(c)));
 */
export async function settleAtMost<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await tasks[i]!() };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}
