import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { addSeconds } from './duration';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const localTime = lazySchema(() =>
  z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: 'must be a local time HH:MM (24:00 ends a day)' }),
);
const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** One day's business intervals, [start, end) in local time, ordered and not overlapping. */
const dayHours = lazySchema(() =>
  z.array(z.tuple([localTime, localTime])).superRefine((intervals, ctx) => {
    intervals.forEach(([start, end], i) => {
      if (minutesOf(end) <= minutesOf(start))
        ctx.addIssue({ code: 'custom', path: [i], message: `interval ${start}–${end} must end after it starts` });
      const previous = intervals[i - 1];
      if (previous && minutesOf(start) < minutesOf(previous[1]))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `interval ${start}–${end} overlaps or precedes the one before it`,
        });
    });
  }),
);

export const businessCalendarSchema = lazySchema(() =>
  z
    .object({
      /** IANA zone the hours and holidays are in, e.g. Europe/Berlin. */
      timeZone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' }),
      /** Per weekday, the business intervals; a day left out has none. */
      hours: z
        .object({
          mon: dayHours.optional(),
          tue: dayHours.optional(),
          wed: dayHours.optional(),
          thu: dayHours.optional(),
          fri: dayHours.optional(),
          sat: dayHours.optional(),
          sun: dayHours.optional(),
        })
        .strict(),
      /** Whole local days without business hours. */
      holidays: z.array(z.iso.date()).default([]),
    })
    .refine((c) => WEEKDAYS.some((d) => (c.hours[d]?.length ?? 0) > 0), {
      message: 'at least one weekday needs business hours',
      path: ['hours'],
    }),
);
export type BusinessCalendar = z.infer<typeof businessCalendarSchema>;

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
};

/** The wall-clock fields of `instant` in `timeZone`, read back as if they were UTC. */
const wallClockAsUtc = (instant: number, timeZone: string): number => {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
};

/**
 * The instant a local wall-clock time (given as if UTC) happens in `timeZone`. The offset is read at
 * the guess and again at the result, so times next to a DST change land on the right side of it; a
 * local time skipped by a spring-forward gap maps to the instant just after the gap.
 */
const utcOfWallClock = (wall: number, timeZone: string): number => {
  const first = wall - (wallClockAsUtc(wall, timeZone) - wall);
  const second = wall - (wallClockAsUtc(first, timeZone) - first);
  return wallClockAsUtc(second, timeZone) === wall ? second : Math.max(first, second);
};

const DAY_MS = 86_400_000;
/** Ten years without a business minute means the calendar cannot be met (every day a holiday). */
const MAX_DAYS = 3660;

/**
 * `durationSeconds` of business time after `start`: walks the team's business intervals day by day
 * in its own zone, skipping holidays, so a deadline moves with DST exactly as the office clock does.
 * A duration that ends exactly at an interval's end is due at that end.
 */
export const addBusinessDuration = (start: Date, durationSeconds: number, calendar: BusinessCalendar): Date => {
  if (durationSeconds <= 0) return new Date(start.getTime());
  const holidays = new Set(calendar.holidays);
  const startWall = wallClockAsUtc(start.getTime(), calendar.timeZone);
  const firstDay = startWall - (startWall % DAY_MS);
  let remainingMs = durationSeconds * 1000;
  for (let i = 0; i < MAX_DAYS; i++) {
    const day = firstDay + i * DAY_MS;
    if (holidays.has(new Date(day).toISOString().slice(0, 10))) continue;
    for (const [from, to] of calendar.hours[WEEKDAYS[new Date(day).getUTCDay()] as Weekday] ?? []) {
      const begins = Math.max(start.getTime(), utcOfWallClock(day + minutesOf(from) * 60_000, calendar.timeZone));
      const ends = utcOfWallClock(day + minutesOf(to) * 60_000, calendar.timeZone);
      if (ends <= begins) continue;
      if (remainingMs <= ends - begins) return new Date(begins + remainingMs);
      remainingMs -= ends - begins;
    }
  }
  throw new Error(`no business hours within ${MAX_DAYS} days in ${calendar.timeZone}`);
};

/** When something `seconds` long from `now` is due: in business time with a calendar, else wall-clock. */
export const dueAfter = (now: Date, seconds: number, calendar?: BusinessCalendar): string =>
  calendar ? addBusinessDuration(now, seconds, calendar).toISOString() : addSeconds(now, seconds);
