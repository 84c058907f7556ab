import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_THRESHOLDS, decide, type KeyHolders, matchesFrom, matchingKeysOf } from '../../functions/core/dedupe';
import {
  type ExistingMatch,
  FORECAST_BLOCK_ROWS,
  makeDuplicateForecast,
} from '../../functions/core/import/duplicate-forecast';
import type { DuplicateMatch } from '../../functions/core/lead';
import { type NormalisedLead, normaliseLead } from '../../functions/core/normalise';

const row = (lead: Parameters<typeof normaliseLead>[0]) => normaliseLead(lead).lead;

describe('the dry run forecasts duplicates within the file under each policy', () => {
  it('counts exact and similar repeats, and what each policy does with them', () => {
    const forecast = makeDuplicateForecast({ block: 0.92, alert: 0.8 });
    forecast.add(2, row({ firstName: 'Jon', lastName: 'Smith', email: 'jon@acme.example', phone: '+1 415 555 0100' }));
    forecast.add(3, row({ firstName: 'Greta', lastName: 'Lindqvist', email: 'greta@nordic.example' }));
    // Possible duplicate of row 2 (name and company only).
    forecast.add(4, row({ firstName: 'Jonathan', lastName: 'Smith', company: 'ACME Inc.', phone: '+1 415 555 0199' }));
    // Exact repeat of row 3.
    forecast.add(5, row({ firstName: 'Greta', lastName: 'Lindqvist', email: 'GRETA@nordic.example' }));
    // Sure duplicate of row 2: company and the phone's local number agree.
    forecast.add(6, row({ firstName: 'Jonathan', lastName: 'Smith', company: 'Acme LLC', phone: '+1 650 555 0100' }));
    forecast.add(7, row({ firstName: 'Ann', lastName: 'Other', email: 'ann@other.example' }));

    expect(forecast.result()).toEqual({
      exact: 1,
      similar: 2,
      sure: 1,
      existing: { exact: 0, similar: 0, sure: 0 },
      byPolicy: {
        reject: { refused: 2, flagged: 1 },
        create: { refused: 0, flagged: 3 },
        associate: { refused: 0, flagged: 3 },
      },
    });
  });

  it('adds what each row matches among stored records: a row refused by the store under reject is not met by later rows', () => {
    const forecast = makeDuplicateForecast({ block: 0.92, alert: 0.8 });
    const storedExact = [{ kind: 'lead' as const, matchedOn: 'email' as const, score: 1, fields: ['email'] }];
    const storedPossible = [{ kind: 'lead' as const, matchedOn: 'similarity' as const, score: 0.85, fields: ['name'] }];
    forecast.add(2, row({ firstName: 'Greta', lastName: 'Lindqvist', email: 'greta@nordic.example' }), storedExact);
    // Repeats row 2, which reject refused (the store has her): refused again, by the store.
    forecast.add(3, row({ firstName: 'Greta', lastName: 'Lindqvist', email: 'greta@nordic.example' }), storedExact);
    forecast.add(4, row({ firstName: 'Dana', lastName: 'Reyes', email: 'dana@x.example' }), storedPossible);
    forecast.add(5, row({ firstName: 'Ann', lastName: 'Other', email: 'ann@other.example' }));

    expect(forecast.result()).toEqual({
      exact: 1,
      similar: 0,
      sure: 0,
      existing: { exact: 2, similar: 1, sure: 0 },
      byPolicy: {
        reject: { refused: 2, flagged: 1 },
        create: { refused: 0, flagged: 3 },
        associate: { refused: 0, flagged: 3 },
      },
    });
  });
});

/**
 * The forecast as it was before its keys were held compactly: every key a string in a Map of holder
 * objects. The compact forecast must give the same figures on any file.
 */
const stringKeyedForecast = (thresholds = DEFAULT_THRESHOLDS) => {
  const store = new Map<string, KeyHolders>();
  const refused = new Set<string>();
  const f = {
    exact: 0,
    similar: 0,
    sure: 0,
    existing: { exact: 0, similar: 0, sure: 0 },
    refused: 0,
    rejectFlagged: 0,
    flagged: 0,
  };
  const id = (k: { on: string; value: string }) => `${k.on}:${k.value}`;
  return {
    add(rowNumber: number, lead: NormalisedLead, existing: readonly ExistingMatch[] = []) {
      const { keys, fingerprint } = matchingKeysOf(`row-${rowNumber}`, lead);
      const matches = matchesFrom(
        keys.flatMap((k) => store.get(id(k)) ?? []),
        fingerprint,
        thresholds,
      ).filter((m) => m.matchedOn !== 'domain');
      const stored: DuplicateMatch[] = existing.map((m, i) => ({ ...m, id: `stored-${i}`, value: '' }));
      if (stored.length > 0) {
        if (stored.some((m) => m.matchedOn !== 'similarity')) f.existing.exact++;
        else {
          f.existing.similar++;
          if (stored.some((m) => (m.score ?? 0) >= thresholds.block)) f.existing.sure++;
        }
      }
      if (matches.length > 0 || stored.length > 0) f.flagged++;
      if (matches.length > 0) {
        if (matches.some((m) => m.matchedOn !== 'similarity')) f.exact++;
        else {
          f.similar++;
          if (matches.some((m) => (m.score ?? 0) >= thresholds.block)) f.sure++;
        }
      }
      const underReject = [...matches.filter((m) => !refused.has(m.id)), ...stored];
      if (decide('reject', underReject, thresholds).action === 'reject') {
        f.refused++;
        refused.add(fingerprint.id);
      } else if (underReject.length > 0) f.rejectFlagged++;
      for (const k of keys) {
        if (k.on === 'domain') continue;
        const h = store.get(id(k)) ?? { key: k, leadIds: [], ...(k.on === 'block' ? { fingerprints: [] } : {}) };
        if (k.on === 'block' && h.leadIds.length >= FORECAST_BLOCK_ROWS) continue;
        h.leadIds.push(fingerprint.id);
        h.fingerprints?.push(fingerprint);
        store.set(id(k), h);
      }
    },
    result: () => ({
      exact: f.exact,
      similar: f.similar,
      sure: f.sure,
      existing: { ...f.existing },
      byPolicy: {
        reject: { refused: f.refused, flagged: f.rejectFlagged },
        create: { refused: 0, flagged: f.flagged },
        associate: { refused: 0, flagged: f.flagged },
      },
    }),
  };
};

describe('the forecast holds its keys compactly and forecasts the same', () => {
  // Few names, companies, emails and phones, so rows meet each other exactly, by similarity and on full blocks.
  const person = fc.record(
    {
      firstName: fc.constantFrom('Jon', 'Jonathan', 'Bob', 'Robert', 'Ann', 'Anna', 'Zoë', 'José'),
      lastName: fc.constantFrom('Smith', 'Smyth', 'Meyer', 'Müller', 'Lindqvist'),
      company: fc.constantFrom('ACME Inc.', 'Acme LLC', 'Nordic AB', 'Globex'),
      email: fc.integer({ min: 0, max: 30 }).map((n) => `p${n}@acme.example`),
      phone: fc
        .tuple(fc.constantFrom('415', '650'), fc.integer({ min: 0, max: 30 }))
        .map(([area, n]) => `+1 ${area} 555 ${String(100 + n).padStart(4, '0')}`),
    },
    { requiredKeys: [] },
  );
  const storedMatch = fc.option(
    fc.constantFrom<ExistingMatch[]>(
      [{ kind: 'lead', matchedOn: 'email', score: 1, fields: ['email'] }],
      [{ kind: 'lead', matchedOn: 'similarity', score: 0.85, fields: ['name'] }],
      [{ kind: 'contact', matchedOn: 'similarity', score: 0.95, fields: ['name', 'company'] }],
    ),
    { nil: undefined },
  );

  it('gives the figures of the string-keyed forecast on any file, and its exact count is the rows repeating an earlier email or phone', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(person, storedMatch), { minLength: 1, maxLength: 150 }), (file) => {
        const compact = makeDuplicateForecast(DEFAULT_THRESHOLDS);
        const reference = stringKeyedForecast(DEFAULT_THRESHOLDS);
        const seen = new Set<string>();
        let repeats = 0;
        for (const [i, [p, existing]] of file.entries()) {
          const lead = normaliseLead(p).lead;
          compact.add(i + 2, lead, existing);
          reference.add(i + 2, lead, existing);
          const personKeys = [lead.email && `e:${lead.email}`, lead.phone && `p:${lead.phone}`].filter(Boolean);
          if (personKeys.some((k) => seen.has(k as string))) repeats++;
          for (const k of personKeys) seen.add(k as string);
        }
        expect(compact.result()).toEqual(reference.result());
        expect(compact.result().exact).toBe(repeats);
      }),
      { numRuns: 150 },
    );
  });

  it(`compares a row with the first ${FORECAST_BLOCK_ROWS} rows of a blocking key only`, () => {
    const smith = (phone: string) => row({ firstName: 'Jon', lastName: 'Smith', company: 'ACME Inc.', phone });
    // A sure duplicate of each other (name, company, the phone's local number: 0.98); of the London rows only similar (0.82).
    const [early, late] = ['+1 415 555 0100', '+1 650 555 0100'];
    const sureAfter = (before: number) => {
      const forecast = makeDuplicateForecast(DEFAULT_THRESHOLDS);
      for (let n = 0; n < before; n++) forecast.add(n + 2, smith(`+44 20 7946 ${String(n).padStart(4, '0')}`));
      forecast.add(before + 2, smith(early));
      const sure = forecast.result().sure;
      forecast.add(before + 3, smith(late));
      return forecast.result().sure - sure;
    };
    // With its keys filled by earlier rows, the row with the same local number is never met.
    expect(sureAfter(FORECAST_BLOCK_ROWS - 1)).toBe(1);
    expect(sureAfter(FORECAST_BLOCK_ROWS)).toBe(0);
  });
});
