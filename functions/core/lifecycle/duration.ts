/** ISO-8601 durations as sales ops write them (PT2S, PT4H, P2D, P1DT12H), to seconds. */
const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export const isIsoDuration = (value: string): boolean =>
  ISO_DURATION.test(value) && value !== 'P' && !value.endsWith('T') && durationSeconds(value) > 0;

export const durationSeconds = (value: string): number => {
  const m = ISO_DURATION.exec(value);
  if (!m) throw new Error(`not an ISO-8601 duration: ${value}`);
  const [w, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number];
  return (((w * 7 + d) * 24 + h) * 60 + min) * 60 + s;
};

/**
 * Node timers (and so the local engine) overflow past 2^31-1 ms (~24.8 days). Waits longer than this
 * are armed in slices: a timeout before the real deadline re-arms instead of counting as aging.
 */
export const MAX_WAIT_SECONDS = 20 * 24 * 3600;

/** Seconds until `deadline`, at least 1 (Step Functions' minimum) and at most one slice. */
export const waitSecondsUntil = (deadline: string, now: Date): number =>
  Math.max(1, Math.min(MAX_WAIT_SECONDS, Math.ceil((Date.parse(deadline) - now.getTime()) / 1000)));

export const addSeconds = (at: Date, seconds: number): string => new Date(at.getTime() + seconds * 1000).toISOString();
