import { describe, expect, it } from '@jest/globals';
import { makeTokenBucket, pacedStarter } from '../../functions/core/import/pacing';

/** A pinned clock whose sleep advances time, so the test measures the schedule, not the machine. */
const fakeClock = () => {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
};

describe('lifecycle start pacing', () => {
  it('lets the burst through at once, then starts no faster than the refill rate', async () => {
    const clock = fakeClock();
    const bucket = makeTokenBucket({ ratePerSecond: 10, burst: 5 }, clock);
    const startedAt: number[] = [];
    const starter = pacedStarter({ startLifecycle: async () => void startedAt.push(clock.now()) }, bucket);

    for (let i = 0; i < 25; i++) await starter.startLifecycle(`L${i}`, {});

    expect(startedAt.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // 20 more at 10/s: the last one two seconds in.
    expect(startedAt[24]).toBe(2000);
    for (let i = 5; i < 25; i++) expect((startedAt[i] ?? 0) - (startedAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it('serves concurrent callers in order without exceeding the rate', async () => {
    const clock = fakeClock();
    const bucket = makeTokenBucket({ ratePerSecond: 4, burst: 1 }, clock);
    const times = await Promise.all(
      Array.from({ length: 9 }, async () => {
        await bucket.take();
        return clock.now();
      }),
    );
    expect(times).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
  });

  it('rejects a bucket that could never start anything', () => {
    expect(() => makeTokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond > 0/);
  });
});
