import { describe, expect, it } from '@jest/globals';
import { makeDuplicateForecast } from '../../functions/core/import/duplicate-forecast';
import { normaliseLead } from '../../functions/core/normalise';

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
