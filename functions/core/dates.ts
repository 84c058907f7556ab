/**
 * Dates and times a client sends. `Date.parse('2026-02-30')` quietly answers 2 March, and a
 * timestamp in year 9999 sorts after every real one forever: both are refused, not repaired.
 */

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A YYYY-MM-DD that names a day that exists (no 30 February, no month 13). */
export const isCalendarDate = (value: string): boolean => {
  const m = CALENDAR_DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(Date.UTC(year, month - 1, day));
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day;
};

/** No business event of this product happened before 2000. */
export const EARLIEST_TIMESTAMP = '2000-01-01T00:00:00.000Z';
/** Clocks drift and time zones confuse; more than a day ahead is a mistake, not drift. */
export const MAX_FUTURE_MS = 24 * 3600 * 1000;

/** Why a client-supplied instant is outside the sane window, or undefined when it is inside. */
export const timestampIssue = (value: string, now: Date): string | undefined => {
  const at = Date.parse(value);
  if (Number.isNaN(at)) return 'must be an ISO-8601 date-time';
  if (at < Date.parse(EARLIEST_TIMESTAMP)) return 'must not be before 2000-01-01';
  if (at > now.getTime() + MAX_FUTURE_MS) return 'must not be more than a day ahead of now';
  return undefined;
};
