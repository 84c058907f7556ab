import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from '@jest/globals';
import { canonicalLeadSchema } from '../../functions/core/lead';
import { CANONICAL_LEAD_SCHEMA_FILE, canonicalLeadJsonSchema } from '../../scripts/generate-schemas';

const committed = () => JSON.parse(readFileSync(CANONICAL_LEAD_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

const validatorOf = (schema: Record<string, unknown>) => {
  // strictRequired off: `anyOf: [{ required: ['email'] }, { required: ['phone'] }]` is how JSON Schema says "one of these".
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
};

const lead = (overrides: Record<string, unknown> = {}) => ({
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0018',
  company: 'Analytical Engines Ltd',
  country: 'gb',
  leadType: 'B2B',
  expectedValue: 25000,
  utm: { source: 'newsletter', medium: 'email', campaign: 'autumn' },
  consent: { marketing: true, capturedAt: '2026-11-23T10:00:00+01:00' },
  customFields: { budget: 'Q1' },
  ...overrides,
});

describe('schemas/canonical-lead.schema.json', () => {
  it('is what scripts/generate-schemas.ts generates from canonicalLeadSchema now (run it after changing the schema)', () => {
    expect(committed()).toEqual(canonicalLeadJsonSchema());
  });

  it('accepts a complete lead that the zod schema accepts too', () => {
    const validate = validatorOf(committed());

    const valid = validate(lead());

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(canonicalLeadSchema.safeParse(lead()).success).toBe(true);
  });

  it.each([
    [
      'neither email nor phone',
      (() => {
        const { email: _e, phone: _p, ...rest } = lead();
        return rest;
      })(),
    ],
    ['an unknown field', lead({ favouriteColour: 'green' })],
    ['a malformed email', lead({ email: 'ada-at-example' })],
    ['a three-letter country', lead({ country: 'GBR' })],
    ['a lead type outside B2B/B2C', lead({ leadType: 'B2G' })],
    ['a negative expected value', lead({ expectedValue: -1 })],
    ['consent without marketing', lead({ consent: { capturedAt: '2026-11-23T10:00:00Z' } })],
    [
      '101 custom fields',
      lead({ customFields: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, 'x'])) }),
    ],
  ])('rejects a lead with %s, as the zod schema does', (_name, payload) => {
    const validate = validatorOf(committed());

    const valid = validate(payload);

    expect(valid).toBe(false);
    expect(canonicalLeadSchema.safeParse(payload).success).toBe(false);
  });
});
