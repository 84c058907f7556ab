import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { keys } from '../../functions/adapters/keys';
import { type CaptureDeps, captureLead, MAX_LISTED_LEADS } from '../../functions/core/capture-lead';
import { isFlagged } from '../../functions/core/duplicates';
import type { Lead } from '../../functions/core/lead';
import type { SourceConfig } from '../../functions/core/sources';
import { freshTable } from '../support/table';

const source: SourceConfig = {
  id: 'fair-2026',
  kind: 'webhook',
  adapter: 'canonical',
  duplicatePolicy: 'create',
  allowedOrigins: [],
};
const actor = { kind: 'source', id: 'fair-2026', source: 'WEBHOOK' } as const;

/** Different people who all give their company's switchboard number. */
const person = (i: number) => ({
  firstName: `Person${i}`,
  lastName: `Staff${i}`,
  email: `p${i}@switchboard.example`,
  phone: '+49 30 901820',
});

describe("an earlier lead's list of later matches (DynamoDB Local)", () => {
  it('stops at the bound on the lead item, stays flagged, and every later lead is still created and told its match', async () => {
    const table = await freshTable('shared-phone');
    let n = 0;
    const deps: CaptureDeps = {
      store: makeCaptureRepository(table.db, table.name),
      workflow: { startLifecycle: async () => undefined },
      clock: { now: () => new Date('2026-11-23T10:00:00Z') },
      ids: { next: () => `L${String(++n).padStart(4, '0')}` },
    };
    const answers = [];
    for (let i = 0; i <= MAX_LISTED_LEADS + 4; i++)
      answers.push(
        await captureLead(deps, { payload: person(i), channel: 'WEBHOOK', source, deliveryId: `d${i}`, actor }),
      );
    const first = (
      await table.db.send(new GetCommand({ TableName: table.name, Key: keys.lead(answers[0]?.leadId as string) }))
    ).Item as Lead;

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 'created'));
    // The first MAX_LISTED_LEADS later leads, in order; the four after them are not appended.
    expect(first.matchedBy).toEqual(answers.slice(1, MAX_LISTED_LEADS + 1).map((a) => a.leadId));
    expect(isFlagged(first)).toBe(true);
    const last = answers.at(-1);
    expect(last?.duplicates).toContainEqual(
      expect.objectContaining({ kind: 'lead', id: answers[0]?.leadId, matchedOn: 'phone' }),
    );
  }, 60_000);
});
