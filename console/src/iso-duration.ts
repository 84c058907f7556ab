/** Durations as people read them (a number and a unit) and as the API stores them (ISO-8601: PT4H, P2D). */
export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';

const SECONDS: Record<DurationUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * An ISO-8601 duration as a number and the largest unit that states it exactly (P1DT12H → 36 hours,
 * P2D → 2 days); undefined when it is not one (an empty or hand-mangled value).
 */
export const fromIso = (iso: string): { amount: number; unit: DurationUnit } | undefined => {
  const m = ISO.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number];
  const total = (((w * 7 + d) * 24 + h) * 60 + min) * 60 + s;
  if (total <= 0) return undefined;
  const unit = (['days', 'hours', 'minutes', 'seconds'] as const).find((u) => total % SECONDS[u] === 0) ?? 'seconds';
  return { amount: total / SECONDS[unit], unit };
};

/** A whole number above zero and a unit as ISO-8601 (3 days → P3D, 4 hours → PT4H); '' for anything else. */
export const toIso = (amount: number, unit: DurationUnit): string => {
  if (!Number.isInteger(amount) || amount <= 0) return '';
  if (unit === 'days') return `P${amount}D`;
  return `PT${amount}${unit === 'hours' ? 'H' : unit === 'minutes' ? 'M' : 'S'}`;
};
