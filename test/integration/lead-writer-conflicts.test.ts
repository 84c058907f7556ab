import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { leadItem } from '../../functions/adapters/lead-item';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeNotesRepository } from '../../functions/adapters/notes-repository';
import { ConflictError } from '../../functions/core/errors';
import type { CollabStore } from '../../functions/core/feed/lead-collab';
import type { Lead } from '../../functions/core/lead';
import type { LeadWriter, StoredLead } from '../../functions/core/lifecycle/ports';
import { freshTable } from '../support/table';

const at = '2026-03-02T09:00:00.000Z';
const lead = (id: string): Lead =>
  ({
    id,
    version: 1,
    stage: 'Assigned',
    leadType: 'B2B',
    channel: 'API',
    sourceId: 'manual',
    deliveryId: id,
    createdAt: at,
    updatedAt: at,
    createdBy: { kind: 'user', id: 'sam', source: 'API' },
    duplicates: [],
    duplicatePolicy: 'create',
    stageEnteredAt: at,
    owner: 'alice',
    email: `${id}@example.com`,
  }) as Lead;

const conflictOf = async (write: Promise<unknown>) => {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError;
};

let writer: LeadWriter;
let store: CollabStore;
let seed: (id: string, token: string) => Promise<StoredLead>;
beforeAll(async () => {
  const { db, name } = await freshTable('writer');
  writer = makeLeadWriter(db, name);
  store = makeNotesRepository(db, name);
  const reader = makeLeadReader(db, name);
  seed = async (id, token) => {
    await db.send(new PutCommand({ TableName: name, Item: { ...leadItem(lead(id)), taskToken: token } }));
    return (await reader.get(id)) as StoredLead;
  };
});

const qualify = { stage: 'MarketQualified' as const };
const audit = (action: string) => [
  { at, actor: { kind: 'user' as const, id: 'alice', source: 'API' as const }, action },
];

describe('a rep action written over a lead someone changed meanwhile', () => {
  it('may be planned again when only a follower was added: the wait token is still the same', async () => {
    const read = await seed('L1', 'token-1');
    await store.follow('L1', 'bob', {
      at,
      actor: { kind: 'user', id: 'bob', source: 'API' },
      action: 'follower-added',
    });
    const conflict = await conflictOf(writer.write(read, qualify, audit('qualify'), { consumeToken: 'token-1' }));
    expect(conflict.details.retryable).toBe(true);
  });

  it('is refused for good when another action consumed the token first', async () => {
    const read = await seed('L2', 'token-2');
    await writer.write(read, { stage: 'Disqualified' }, audit('disqualify'), { consumeToken: 'token-2' });
    const conflict = await conflictOf(writer.write(read, qualify, audit('qualify'), { consumeToken: 'token-2' }));
    expect(conflict.details.retryable).toBeUndefined();
  });

  it('is refused for good when an edit without a token raced it', async () => {
    const read = await seed('L3', 'token-3');
    await writer.write(read, { jobTitle: 'CTO' }, audit('edit'), { keepToken: true });
    const stale = await conflictOf(writer.write(read, { jobTitle: 'CEO' }, audit('edit'), { keepToken: true }));
    expect(stale.details.retryable).toBeUndefined();
  });
});
