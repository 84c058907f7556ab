import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { keys } from '../../functions/adapters/keys';
import { type CaptureDeps, captureLead } from '../../functions/core/capture-lead';
import { MAX_LISTED_LEADS } from '../../functions/core/dedupe';
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
const FIRST = ['Ann', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun'];
const LAST = ['Berg', 'Cruz', 'Dahl', 'Egan', 'Funk', 'Gray'];

/** Many different people from one company: only their domain is shared. */
const person = (i: number) => ({
  firstName: FIRST[i % FIRST.length],
  lastName: `${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i}`,
  email: `p${i}@bigcorp.example`,
});

/** Different people who all give their company's switchboard number. */
const caller = (i: number) => ({
  firstName: `Person${i}`,
  lastName: `Staff${i}`,
  email: `p${i}@switchboard.example`,
  phone: '+49 30 901820',
});

/** Captures `payload(i)` as delivery `d<i>` into a fresh table, with lead ids L0001, L0002, … */
const capturer = (table: Awaited<ReturnType<typeof freshTable>>, payload: (i: number) => Record<string, unknown>) => {
  let n = 0;
  const deps: CaptureDeps = {
    store: makeCaptureRepository(table.db, table.name),
    workflow: { startLifecycle: async () => undefined },
    clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    ids: { next: () => `L${String(++n).padStart(4, '0')}` },
  };
  return (i: number) =>
    captureLead(deps, { payload: payload(i), channel: 'WEBHOOK', source, deliveryId: `d${i}`, actor });
};

describe('lists that grow with a company stop at MAX_LISTED_LEADS (DynamoDB Local)', () => {
  it("a company domain's lookup item: stops listing, keeps taking captures, and still brings the account", async () => {
    const table = await freshTable('domain-key');
    const capture = capturer(table, person);
    const domainItem = async () =>
      (
        await table.db.send(
          new GetCommand({ TableName: table.name, Key: keys.dedupe({ on: 'domain', value: 'bigcorp.example' }) }),
        )
      ).Item;

    const answers = [];
    for (let i = 0; i < MAX_LISTED_LEADS + 5; i++) answers.push(await capture(i));
    // A conversion points the domain at its account; later captures from the company still learn it.
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.dedupe({ on: 'domain', value: 'bigcorp.example' }),
        UpdateExpression: 'SET accountId = :a',
        ExpressionAttributeValues: { ':a': 'A-bigcorp' },
      }),
    );
    const later = await capture(MAX_LISTED_LEADS + 5);

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 'created'));
    expect((await domainItem())?.leadIds).toEqual(new Set(answers.slice(0, MAX_LISTED_LEADS).map((a) => a.leadId)));
    expect(later.status).toBe('created');
    expect(later.duplicates).toEqual([
      expect.objectContaining({ kind: 'account', id: 'A-bigcorp', matchedOn: 'domain', value: 'bigcorp.example' }),
    ]);
  }, 60_000);

  it("an earlier lead's later matches (matchedBy): stops on the lead item, stays flagged, later leads still told", async () => {
    const table = await freshTable('shared-phone');
    const capture = capturer(table, caller);
    const answers = [];
    for (let i = 0; i <= MAX_LISTED_LEADS + 4; i++) answers.push(await capture(i));
    const first = (
      await table.db.send(new GetCommand({ TableName: table.name, Key: keys.lead(answers[0]?.leadId as string) }))
    ).Item as Lead;

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 'created'));
    // The first MAX_LISTED_LEADS later leads, in order; the four after them are not appended.
    expect(first.matchedBy).toEqual(answers.slice(1, MAX_LISTED_LEADS + 1).map((a) => a.leadId));
    expect(isFlagged(first)).toBe(true);
    expect(answers.at(-1)?.duplicates).toContainEqual(
      expect.objectContaining({ kind: 'lead', id: answers[0]?.leadId, matchedOn: 'phone' }),
    );
  }, 60_000);
});
