import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import {
  addBusinessDuration,
  type BusinessCalendar,
  businessCalendarSchema,
  dueAfter,
} from '../../functions/core/lifecycle/business-hours';
import { teamsConfigSchema } from '../../functions/core/lifecycle/teams-config';

const weekdays = (from: string, to: string) => {
  const day: [string, string][] = [[from, to]];
  return { mon: day, tue: day, wed: day, thu: day, fri: day };
};
const calendar = (overrides: Partial<BusinessCalendar> = {}): BusinessCalendar =>
  businessCalendarSchema.parse({ timeZone: 'Europe/Berlin', hours: weekdays('09:00', '18:00'), ...overrides });
const HOURS_4 = 4 * 3600;
const due = (start: string, seconds: number, cal: BusinessCalendar) =>
  addBusinessDuration(new Date(start), seconds, cal).toISOString();

describe('business hours', () => {
  it('makes a lead captured Friday 17:55 Berlin with a 4-business-hour SLA due Monday 12:55 Berlin', () => {
    // 2026-01-09 is a Friday; Berlin is UTC+1 in winter.
    expect(due('2026-01-09T16:55:00Z', HOURS_4, calendar())).toBe('2026-01-12T11:55:00.000Z');
  });

  it('skips a holiday Monday and lands on Tuesday at the same minute', () => {
    expect(due('2026-01-09T16:55:00Z', HOURS_4, calendar({ holidays: ['2026-01-12'] }))).toBe(
      '2026-01-13T11:55:00.000Z',
    );
  });

  it('starts counting at the next opening when captured before hours or on a weekend', () => {
    expect(due('2026-01-10T10:00:00Z', 3600, calendar())).toBe('2026-01-12T09:00:00.000Z');
    expect(due('2026-01-12T06:00:00Z', 3600, calendar())).toBe('2026-01-12T09:00:00.000Z');
  });

  it('lands at the right minute across the spring-forward Sunday (last Sunday of March) in Berlin', () => {
    // Friday 27 March 17:00 CET (16:00Z): one hour on Friday, three on Monday 30 March in CEST (UTC+2).
    expect(due('2026-03-27T16:00:00Z', HOURS_4, calendar())).toBe('2026-03-30T10:00:00.000Z');
  });

  it('lands at the right minute across the fall-back Sunday (last Sunday of October) in Berlin', () => {
    // Friday 23 October 17:00 CEST (15:00Z): three hours on Monday 26 October in CET (UTC+1).
    expect(due('2026-10-23T15:00:00Z', HOURS_4, calendar())).toBe('2026-10-26T11:00:00.000Z');
  });

  it('does the same in America/New_York, whose DST changes on other Sundays', () => {
    const ny = calendar({ timeZone: 'America/New_York' });
    // Friday 6 March 17:00 EST (22:00Z) → Monday 9 March 12:00 EDT (16:00Z), DST began on the 8th.
    expect(due('2026-03-06T22:00:00Z', HOURS_4, ny)).toBe('2026-03-09T16:00:00.000Z');
    // Friday 30 October 17:00 EDT (21:00Z) → Monday 2 November 12:00 EST (17:00Z), DST ended on the 1st.
    expect(due('2026-10-30T21:00:00Z', HOURS_4, ny)).toBe('2026-11-02T17:00:00.000Z');
  });

  it('walks several intervals a day (a lunch break) and ends exactly at an interval end', () => {
    const split = calendar({
      hours: {
        mon: [
          ['09:00', '12:00'],
          ['13:00', '17:00'],
        ],
      },
    });
    expect(due('2026-01-12T08:00:00Z', 4 * 3600, split)).toBe('2026-01-12T13:00:00.000Z');
    expect(due('2026-01-12T08:00:00Z', 3 * 3600, split)).toBe('2026-01-12T11:00:00.000Z');
  });

  it('counts wall-clock time without a calendar, as before', () => {
    expect(dueAfter(new Date('2026-01-09T16:55:00Z'), HOURS_4)).toBe('2026-01-09T20:55:00.000Z');
  });

  it('refuses a calendar with an unknown zone, a backwards interval, a bad holiday or no hours at all', () => {
    const issues = (value: unknown) =>
      businessCalendarSchema.safeParse(value).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ timeZone: 'Mars/Olympus', hours: weekdays('09:00', '18:00') })).toEqual(['timeZone']);
    expect(issues({ timeZone: 'Europe/Berlin', hours: { mon: [['18:00', '09:00']] } })).toEqual(['hours.mon.0']);
    expect(issues({ timeZone: 'Europe/Berlin', hours: weekdays('09:00', '18:00'), holidays: ['2026-13-01'] })).toEqual([
      'holidays.0',
    ]);
    expect(issues({ timeZone: 'Europe/Berlin', hours: {} })).toEqual(['hours']);
  });

  it('is optional on a team in the teams config', () => {
    const team = { id: 'emea', name: 'EMEA', manager: 'maria', members: [] };
    expect(teamsConfigSchema.safeParse({ teams: [team] }).success).toBe(true);
    expect(
      teamsConfigSchema.safeParse({
        teams: [{ ...team, calendar: { timeZone: 'Europe/Berlin', hours: weekdays('09:00', '18:00') } }],
      }).success,
    ).toBe(true);
    expect(
      teamsConfigSchema.safeParse({ teams: [{ ...team, calendar: { timeZone: 'nowhere', hours: {} } }] }).success,
    ).toBe(false);
  });

  const zones = fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney');
  const instants = fc
    .integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) })
    .map((ms) => new Date(ms - (ms % 60_000)));
  const seconds = fc.integer({ min: 0, max: 30 * 24 * 3600 });

  it('never makes a lead due before it starts, and adding a then b equals adding a + b', () => {
    fc.assert(
      fc.property(zones, instants, seconds, seconds, (timeZone, start, a, b) => {
        const cal = calendar({ timeZone, holidays: ['2026-12-25', '2027-01-01'] });
        const afterA = addBusinessDuration(start, a, cal);
        expect(afterA.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect(addBusinessDuration(afterA, b, cal).toISOString()).toBe(
          addBusinessDuration(start, a + b, cal).toISOString(),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('equals wall-clock time when every hour of every day is business time, DST included', () => {
    const always = {
      timeZone: '',
      hours: Object.fromEntries(
        ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]]),
      ),
    };
    fc.assert(
      fc.property(zones, instants, seconds, (timeZone, start, s) => {
        const cal = businessCalendarSchema.parse({ ...always, timeZone });
        expect(addBusinessDuration(start, s, cal).getTime()).toBe(start.getTime() + s * 1000);
      }),
      { numRuns: 200 },
    );
  });
});
