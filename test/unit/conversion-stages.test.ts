import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { mapOpportunityFields, opportunityName } from '../../functions/core/conversion/opportunity-mapping';
import {
  allowedMoves,
  DEFAULT_OPPORTUNITY_STAGES,
  moveStage,
  opportunityStagesSchema,
} from '../../functions/core/conversion/opportunity-stages';
import { ConflictError } from '../../functions/core/errors';
import type { Lead } from '../../functions/core/lead';

const B2B = DEFAULT_OPPORTUNITY_STAGES.B2B;

const lead = (overrides: Partial<Lead> = {}): Lead => ({
  id: 'L1',
  version: 1,
  stage: 'SalesQualified',
  leadType: 'B2B',
  channel: 'API',
  sourceId: 'manual',
  deliveryId: 'd',
  createdAt: '2026-11-23T10:00:00Z',
  updatedAt: '2026-11-23T10:00:00Z',
  createdBy: { kind: 'user', id: 'bob', source: 'API' },
  duplicates: [],
  duplicatePolicy: 'create',
  stageEnteredAt: '2026-11-23T10:00:00Z',
  email: 'ann@acme.io',
  ...overrides,
});

describe('opportunity stage sets', () => {
  it('moves one step forward or back, or to a closed stage', () => {
    expect(allowedMoves(B2B, 'Solution').sort()).toEqual(['Closed Lost', 'Closed Won', 'Discovery', 'Proposal']);
    expect(moveStage(B2B, 'Discovery', 'Solution').probability).toBe(30);
  });

  it('rejects a jump over stages with a 409 naming the allowed moves', () => {
    const attempt = () => moveStage(B2B, 'Discovery', 'Negotiation');
    expect(attempt).toThrow(ConflictError);
    expect(attempt).toThrow(/cannot move to 'Negotiation'/);
  });

  it('never moves a closed opportunity', () => {
    expect(allowedMoves(B2B, 'Closed Won')).toEqual([]);
    expect(() => moveStage(B2B, 'Closed Lost', 'Discovery')).toThrow(ConflictError);
  });

  it('only ever allows stages of the set', () => {
    const names = B2B.map((s) => s.name);
    fc.assert(
      fc.property(fc.constantFrom(...names, 'Renamed'), (current) =>
        allowedMoves(B2B, current).every((n) => names.includes(n)),
      ),
    );
  });

  it('rejects a stage set without a lost stage or with a closed first stage', () => {
    const bad = {
      B2B: [
        { name: 'Won', probability: 100, closed: 'won' },
        { name: 'Open', probability: 10 },
      ],
      B2C: DEFAULT_OPPORTUNITY_STAGES.B2C,
    };
    const result = opportunityStagesSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([
        'a stage set needs a lost stage',
        'the first stage must be open (new opportunities start there)',
      ]),
    );
  });
});

describe('opportunity field mapping', () => {
  it('names the opportunity from the template and drops empty parts with their separator', () => {
    expect(
      opportunityName(lead({ company: 'Acme', productInterest: 'Widgets' }), '{company} – {productInterest}'),
    ).toBe('Acme – Widgets');
    expect(opportunityName(lead({ company: 'Acme' }), '{company} – {productInterest}')).toBe('Acme');
    expect(opportunityName(lead({ productInterest: 'Widgets' }), '{company} – {productInterest}')).toBe('Widgets');
    expect(opportunityName(lead({ firstName: 'Ann', lastName: 'Lee' }), '{company}')).toBe('Ann Lee');
  });

  it('copies the mapped lead fields, custom fields included, and skips empty ones', () => {
    const fields = mapOpportunityFields(lead({ expectedValue: 1200, customFields: { segment: 'SMB' } }), {
      nameTemplate: '{company}',
      fields: { amount: 'expectedValue', segment: 'customFields.segment', product: 'productInterest' },
    });
    expect(fields).toEqual({ amount: 1200, segment: 'SMB' });
  });
});
