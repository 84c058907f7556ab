import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { durationSeconds } from '../../functions/core/lifecycle/duration';
import { type DurationUnit, fromIso, toIso } from '../../console/src/iso-duration';

const SECONDS: Record<DurationUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

describe('durations as a number and a unit in the sales-ops editors', () => {
  it('reads what sales ops wrote in the largest exact unit', () => {
    expect(fromIso('PT4H')).toEqual({ amount: 4, unit: 'hours' });
    expect(fromIso('P2D')).toEqual({ amount: 2, unit: 'days' });
    expect(fromIso('P1DT12H')).toEqual({ amount: 36, unit: 'hours' });
    expect(fromIso('PT90M')).toEqual({ amount: 90, unit: 'minutes' });
    expect(fromIso('PT2S')).toEqual({ amount: 2, unit: 'seconds' });
    expect(fromIso('P1W')).toEqual({ amount: 7, unit: 'days' });
    for (const bad of ['', 'P', 'PT', 'PT0H', 'four hours', 'PT4h']) expect(fromIso(bad)).toBeUndefined();
  });

  it('writes only whole numbers above zero, as a duration the API reads as the same number of seconds', () => {
    expect(toIso(0, 'hours')).toBe('');
    expect(toIso(1.5, 'hours')).toBe('');
    expect(toIso(Number.NaN, 'days')).toBe('');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom<DurationUnit>('seconds', 'minutes', 'hours', 'days'),
        (n, unit) => {
          const iso = toIso(n, unit);
          expect(durationSeconds(iso)).toBe(n * SECONDS[unit]);
          const back = fromIso(iso);
          expect(back && back.amount * SECONDS[back.unit]).toBe(n * SECONDS[unit]);
        },
      ),
    );
  });
});
