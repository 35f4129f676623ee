import { settleAtMost } from '../../lib/platform/concurrency';

describe('Function: settleAtMost', () => {
  it('runs at most `limit` tasks at once and settles each, in the tasks order', async () => {
    // Prepare
    let running = 0;
    let most = 0;
    const task =
      (value: number, fail = false) =>
      async (): Promise<number> => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        if (fail) throw new Error(`task ${value}`);
        return value;
      };

    // Act
    const settled = await settleAtMost(2, [task(1), task(2, true), task(3), task(4), task(5)]);

    // Assess
    expect(most).toBe(2);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([1, 'task 2', 3, 4, 5]);
  });

  it('runs one at a time with a limit below one', async () => {
    expect(await settleAtMost(0, [async () => 'a'])).toEqual([{ status: 'fulfilled', value: 'a' }]);
  });
});
