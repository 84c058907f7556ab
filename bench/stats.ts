/** Nearest-rank percentile of a sample (ms). */
export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
};

export const median = (values: number[]) => percentile(values, 50);

export const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

export const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : Number.NaN);

export type LoadResult = {
  requests: number;
  concurrency: number;
  wallMs: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
};
export type LoadRun = { latencies: number[]; wallMs: number; errors: number; concurrency: number };

/**
 * Runs `count` calls of `fn` with `concurrency` of them in flight at once and measures each call.
 * A call that throws counts as an error (and is left out of the latencies).
 */
export const runLoad = async (
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<LoadRun> => {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: unknown;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const started = performance.now();
      try {
        await fn(i);
        latencies.push(performance.now() - started);
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  if (errors > 0)
    console.warn(`  ${errors}/${count} call(s) failed; first: ${(firstError as Error)?.message ?? String(firstError)}`);
  return { latencies, wallMs, errors, concurrency };
};

/** Several runs of the same load (e.g. split A-B-B-A to cancel drift) summed into one result. */
export const summarise = (...runs: LoadRun[]): LoadResult => {
  const latencies = runs.flatMap((r) => r.latencies);
  const wallMs = runs.reduce((sum, r) => sum + r.wallMs, 0);
  const errors = runs.reduce((sum, r) => sum + r.errors, 0);
  return {
    requests: latencies.length + errors,
    concurrency: runs[0]?.concurrency ?? 0,
    wallMs: round(wallMs, 1),
    perSecond: round((latencies.length / wallMs) * 1000, 1),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    errors,
  };
};
