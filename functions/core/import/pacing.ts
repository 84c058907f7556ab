import type { WorkflowStarter } from '../ports';

export type TokenBucket = { take(): Promise<void> };

/**
 * A token bucket: `burst` starts at once, then `ratePerSecond` — the same scheme Step Functions
 * throttles StartExecution with, so a worker paced by it never meets the service's own throttle.
 */
export const makeTokenBucket = (
  { ratePerSecond, burst }: { ratePerSecond: number; burst: number },
  clock: { now(): number; sleep(ms: number): Promise<void> } = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  },
): TokenBucket => {
  if (!(ratePerSecond > 0) || !(burst >= 1))
    throw new Error(`token bucket needs ratePerSecond > 0 and burst >= 1, got ${ratePerSecond} and ${burst}`);
  let tokens = burst;
  let last = clock.now();
  let queue: Promise<void> = Promise.resolve();
  const refill = () => {
    const now = clock.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * ratePerSecond);
    last = now;
  };
  return {
    take() {
      // Callers are served in order: each waits for the one before it.
      const turn = queue.then(async () => {
        refill();
        while (tokens < 1) {
          await clock.sleep(Math.ceil(((1 - tokens) / ratePerSecond) * 1000));
          refill();
        }
        tokens -= 1;
      });
      queue = turn;
      return turn;
    },
  };
};

/** Starts lifecycles no faster than the bucket allows. */
export const pacedStarter = (starter: WorkflowStarter, bucket: TokenBucket): WorkflowStarter => ({
  async startLifecycle(leadId, input) {
    await bucket.take();
    await starter.startLifecycle(leadId, input);
  },
});
