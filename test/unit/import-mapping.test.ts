import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import {
  autoTarget,
  MappingError,
  mappingFileSchema,
  resolveMapping,
} from '../../functions/core/import/column-mapping';
import { jobIdOf, runKeyOrdered } from '../../functions/core/import/import-job';
import { reasonsOf, reportLine } from '../../functions/core/import/rejected-report';
import { prepareRow, rowToPayload } from '../../functions/core/import/row-to-lead';

const HASH = 'a'.repeat(64);

describe('header auto-mapping', () => {
  it('maps common headers whatever their case, spacing and punctuation', () => {
    expect(['E-mail', ' EMAIL ', 'Email Address', 'e_mail'].map(autoTarget)).toEqual([
      'email',
      'email',
      'email',
      'email',
    ]);
    expect(
      [
        'Company Name',
        'Organisation',
        'Mobile',
        'Tel.',
        'First Name',
        'Surname',
        'Job Title',
        'UTM Source',
        'Opt-in',
      ].map(autoTarget),
    ).toEqual([
      'company',
      'company',
      'phone',
      'phone',
      'firstName',
      'lastName',
      'jobTitle',
      'utm.source',
      'consent.marketing',
    ]);
  });

  it('keeps an unknown column as a custom field named after its header', () => {
    expect(resolveMapping(['Email', 'Booth visited']).targets).toEqual(['email', 'custom:Booth visited']);
  });

  it('lets a mapping file override synonyms and ignore columns', () => {
    const file = mappingFileSchema.parse({ columns: { Contact: 'email', Mobile: null }, defaults: { country: 'DE' } });
    const mapping = resolveMapping(['Contact', 'Mobile', 'Firma'], file);
    expect(mapping.targets).toEqual(['email', null, 'company']);
    expect(mapping.defaults).toEqual({ country: 'DE' });
  });

  it('accepts the flat mapping-file form', () => {
    expect(mappingFileSchema.parse({ 'Work mail': 'email' })).toEqual({
      columns: { 'Work mail': 'email' },
      defaults: {},
    });
  });

  it('rejects two columns aimed at the same field, naming both', () => {
    expect(() => resolveMapping(['Email', 'E-mail'])).toThrow(/'E-mail' and 'Email' both map to email/);
  });

  it('rejects a mapping-file header the file does not have', () => {
    expect(() => resolveMapping(['Email'], mappingFileSchema.parse({ Mail: 'email' }))).toThrow(MappingError);
  });

  it('rejects a file with thousands of columns before reading its rows', () => {
    expect(() => resolveMapping(Array.from({ length: 10_000 }, (_, i) => `c${i}`))).toThrow(
      /10000 columns; at most 250/,
    );
  });
});

describe('rows to canonical leads', () => {
  const headers = ['Name', 'E-mail', 'Phone', 'Country', 'Consent', 'Budget', 'Booth'];
  const mapping = resolveMapping(headers);

  it('converts names, consent, amounts and custom fields', () => {
    const { payload, issues } = rowToPayload(
      headers,
      { rowNumber: 2, values: ['Lee, Ann', 'ann@acme.com', '', 'de', 'Yes', '1,200.50', 'B12'] },
      mapping,
    );
    expect(issues).toEqual([]);
    expect(payload).toEqual({
      firstName: 'Ann',
      lastName: 'Lee',
      email: 'ann@acme.com',
      country: 'de',
      consent: { marketing: true },
      expectedValue: 1200.5,
      customFields: { Booth: 'B12' },
    });
  });

  it('rejects a row with the reason per field', () => {
    const row = prepareRow(
      headers,
      { rowNumber: 7, values: ['Bo', 'not-an-email', '12', '', 'maybe', 'lots', ''] },
      mapping,
    );
    expect(row.ok).toBe(false);
    const fields = row.ok ? [] : row.issues.map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['consent.marketing', 'expectedValue', 'email']));
  });

  it('validates and normalises with the capture core', () => {
    const row = prepareRow(
      headers,
      { rowNumber: 3, values: ['Ann Lee', ' ANN@Acme.com ', '030 1234567', 'DE', '', '', ''] },
      mapping,
    );
    expect(row.ok && row.lead).toMatchObject({
      email: 'ann@acme.com',
      phone: '+49301234567',
      firstName: 'Ann',
      lastName: 'Lee',
    });
    expect(row.ok && row.keys.map((k) => k.on)).toEqual(['email', 'phone', 'domain']);
  });

  it('fills empty cells from the mapping file defaults', () => {
    const m = resolveMapping(['Email', 'Phone'], mappingFileSchema.parse({ columns: {}, defaults: { country: 'DE' } }));
    const row = prepareRow(['Email', 'Phone'], { rowNumber: 2, values: ['', '030 1234567'] }, m);
    expect(row.ok && row.lead.phone).toBe('+49301234567');
  });
});

describe('import jobs', () => {
  it('gives the same job id to the same file, source and mapping, and another for any change', () => {
    expect(jobIdOf(HASH, 'import', undefined)).toBe(jobIdOf(HASH.toUpperCase(), 'import', undefined));
    expect(jobIdOf(HASH, 'import', undefined)).not.toBe(jobIdOf(HASH, 'tradeshow', undefined));
    expect(jobIdOf(HASH, 'import', undefined)).not.toBe(
      jobIdOf(HASH, 'import', { columns: { A: 'email' }, defaults: {} }),
    );
    expect(jobIdOf(HASH, 'import', undefined, 'Sheet1')).not.toBe(jobIdOf(HASH, 'import', undefined, 'Sheet2'));
  });

  it('never runs two tasks sharing a key at once, and runs them in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.subarray(['a', 'b', 'c', 'd']), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (keySets, limit) => {
          const running = new Set<string>();
          const order = new Map<string, number[]>();
          let active = 0;
          let maxActive = 0;
          await runKeyOrdered(
            keySets.map((keys, index) => ({
              keys,
              run: async () => {
                active++;
                maxActive = Math.max(maxActive, active);
                for (const k of keys) {
                  expect(running.has(k)).toBe(false);
                  running.add(k);
                  order.set(k, [...(order.get(k) ?? []), index]);
                }
                await new Promise((r) => setTimeout(r, Math.random() * 2));
                for (const k of keys) running.delete(k);
                active--;
              },
            })),
            limit,
          );
          expect(maxActive).toBeLessThanOrEqual(limit);
          for (const indexes of order.values()) expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('writes a report line with the row number, reasons per field and the original row', () => {
    const outcome = {
      rowNumber: 9,
      status: 'rejected' as const,
      issues: [
        { field: 'email', reason: 'not a valid email address' },
        { field: 'phone', reason: 'too short' },
      ],
    };
    expect(reportLine(outcome, ['x', 'y'])).toEqual([
      '9',
      'rejected',
      'email: not a valid email address | phone: too short',
      'x',
      'y',
    ]);
    expect(
      reasonsOf({
        rowNumber: 3,
        status: 'duplicate',
        duplicates: [{ kind: 'lead', id: 'L1', matchedOn: 'email', value: 'a@b.io' }],
      }),
    ).toMatch(/email: duplicate of lead L1/);
  });
});
