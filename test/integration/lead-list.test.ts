import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { leadItem } from '../../functions/adapters/lead-item';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import type { LeadReader } from '../../functions/core/ports';
import type { Lead, Stage } from '../../functions/core/lead';
import type { PageKey } from '../../functions/core/ports';
import { freshTable } from '../support/table';

const lead = (n: number, fields: Partial<Lead>): Lead =>
  ({
    id: `L${String(n).padStart(4, '0')}`,
    version: 1,
    stage: 'Assigned',
    leadType: 'B2B',
    channel: 'API',
    sourceId: 'manual',
    deliveryId: `d${n}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    createdBy: { kind: 'user', id: 'sam', source: 'API' },
    duplicates: [],
    duplicatePolicy: 'create',
    stageEnteredAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    email: `p${n}@example.com`,
    ...fields,
  }) as Lead;

/** Pages through every result, checking no page but the last comes back short. */
const allPages = async (read: (start?: PageKey) => ReturnType<LeadReader['list']>, limit: number) => {
  const ids: string[] = [];
  const sizes: number[] = [];
  let next: PageKey | undefined;
  do {
    const page = await read(next);
    ids.push(...page.items.map((l) => l.id));
    sizes.push(page.items.length);
    next = page.next;
  } while (next);
  expect(
    sizes.slice(0, -1).every((size) => size === limit),
    `page sizes ${sizes}`,
  ).toBe(true);
  return ids;
};

let leads: LeadReader;
beforeAll(async () => {
  const { db, name } = await freshTable('list');
  leads = makeLeadReader(db, name);
  // alice owns 40 leads, one in four market-qualified; bob owns 10; carol follows four of bob's.
  const items = [
    ...Array.from({ length: 40 }, (_, i) =>
      lead(i, { owner: 'alice', stage: (i % 4 === 0 ? 'MarketQualified' : 'Assigned') as Stage }),
    ),
    ...Array.from({ length: 10 }, (_, i) => lead(100 + i, { owner: 'bob', followers: i < 4 ? ['carol'] : [] })),
    ...Array.from({ length: 5 }, (_, i) =>
      lead(200 + i, { stageDeadline: i < 2 ? '2026-01-01T00:00:00.000Z' : '2999-01-01T00:00:00.000Z' }),
    ),
  ];
  for (let i = 0; i < items.length; i += 25) {
    await db.send(
      new BatchWriteCommand({
        RequestItems: { [name]: items.slice(i, i + 25).map((l) => ({ PutRequest: { Item: leadItem(l) } })) },
      }),
    );
  }
});

describe('listing leads through an index with a narrowing filter', () => {
  it('fills every page when a stage narrows an owner list, and misses none', async () => {
    const ids = await allPages((next) => leads.list({ owner: 'alice' }, 3, next, { stage: 'MarketQualified' }), 3);
    expect(ids).toEqual(Array.from({ length: 10 }, (_, k) => `L${String(36 - 4 * k).padStart(4, '0')}`));
  });

  it('lists by stage only the leads a rep may see: unassigned, own and followed', async () => {
    const ids = await allPages((next) => leads.list({ stage: 'Assigned' }, 4, next, { visibleTo: 'carol' }), 4);
    expect(ids.sort()).toEqual(['L0100', 'L0101', 'L0102', 'L0103', 'L0200', 'L0201', 'L0202', 'L0203', 'L0204']);
  });

  it('keeps only ageing leads when asked: escalated or past the stage deadline', async () => {
    const ids = await allPages(
      (next) => leads.list({ owner: 'UNASSIGNED' }, 1, next, { agingAt: '2026-06-01T00:00:00.000Z' }),
      1,
    );
    expect(ids.sort()).toEqual(['L0200', 'L0201']);
  });
});
