import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DedupeKey, dedupeKeysOf } from '../core/dedupe';
import { ConflictError } from '../core/errors';
import type { AuditEntry, Lead } from '../core/lead';
import {
  type BlockMove,
  countsAsLoad,
  type MergePlan,
  type MergeRecord,
  type UnmergePlan,
} from '../core/merge/merge-plan';
import type { DismissalWrite } from '../core/merge/dismiss-duplicates';
import type { MergeableLead, MergeStore } from '../core/merge/ports';
import { addLeadToBlock } from './dedupe-key-items';
import { keys, lifecycleKeys } from './keys';
import { leadFromItem, leadItem } from './lead-item';
import { isConditionalCheckFailed, type NamedItem, transaction } from './transaction';
import { queryAllItems } from './query-all';

/** Leads per lock transaction (one Update each, plus the merge record in the first). */
const LOCK_BATCH = 90;
/** Leads per tombstone/restore transaction (lead, audit entry, and at most one load counter each). */
const MOVE_BATCH = 25;
const INDEX_KEYS = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;
/** The duplicates queue's sparse index: a tombstone leaves it, a survivor is in it only with a match left open. */
const QUEUE_KEYS = ['gsi3pk', 'gsi3sk'] as const;
const queueKeys = (lead: Pick<Lead, 'id' | 'createdAt'>, queued: boolean) =>
  queued ? keys.duplicatesIndex(lead.createdAt, lead.id) : { gsi3pk: undefined, gsi3sk: undefined };
/**
 * The items that follow a lead into its survivor and back: notes, attachments (their record and feed
 * entry) and recorded activities. Its audit history stays on the tombstone (the survivor's feed reads it).
 */
const MOVING_TYPES = ['note', 'attachment', 'attachment-meta', 'activity'] as const;
/** One step of an item's travels: the merge that moved it, from which lead, named how. */
type Move = { mergeId: string; from: string; name: string };

export const mergeKeys = {
  record: (mergeId: string) => ({ pk: `MERGE#${mergeId}`, sk: 'MERGE' }),
};

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
const keyId = (k: DedupeKey) => `${k.on}#${k.value}`;

/** SET/REMOVE for a patch (undefined removes), with the names and values it needs. */
const patchExpression = (patch: Partial<Lead>, prefix = 'p') => {
  const sets: string[] = [];
  const removes: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  Object.entries(patch).forEach(([k, v], i) => {
    names[`#${prefix}${i}`] = k;
    if (v === undefined) removes.push(`#${prefix}${i}`);
    else {
      sets.push(`#${prefix}${i} = :${prefix}${i}`);
      values[`:${prefix}${i}`] = v;
    }
  });
  return { sets, removes, names, values };
};

export const makeMergeRepository = (db: DynamoDBDocumentClient, table: string) => {
  /** One lead's update: the patch, its version counted up, more attributes removed, under `condition`. */
  const leadUpdate = (
    leadId: string,
    patch: Partial<Lead>,
    condition: { expression: string; values: Record<string, unknown> },
    alsoRemove: readonly string[] = [],
  ) => {
    const p = patchExpression(patch);
    const removes = [...p.removes, ...alsoRemove];
    return {
      TableName: table,
      Key: keys.lead(leadId),
      UpdateExpression: `SET ${[...p.sets, 'version = version + :one'].join(', ')}${
        removes.length ? ` REMOVE ${removes.join(', ')}` : ''
      }`,
      ConditionExpression: condition.expression,
      ExpressionAttributeNames: p.names,
      ExpressionAttributeValues: { ...p.values, ...condition.values, ':one': 1 },
    };
  };
  /** A lead written while it is neither merged nor held by a merge, at the version it was read. */
  const unmergedAt = (version: number) => ({
    expression: 'version = :v AND attribute_not_exists(mergedInto) AND attribute_not_exists(mergeLock)',
    values: { ':v': version },
  });
  const auditPut = (leadId: string, entry: AuditEntry, seq: string): NamedItem<'audit'> => ({
    name: 'audit',
    Put: { TableName: table, Item: { ...keys.audit(leadId, entry.at, seq), type: 'audit', leadId, ...entry } },
  });
  const loadAdds = (deltas: Map<string, number>): NamedItem<'load'>[] =>
    [...deltas]
      .filter(([, d]) => d !== 0)
      .map(([user, d]) => ({
        name: 'load',
        Update: {
          TableName: table,
          Key: lifecycleKeys.load(user),
          UpdateExpression: 'ADD openLeads :d',
          ExpressionAttributeValues: { ':d': d },
        },
      }));
  const setStatus = (mergeId: string, from: MergeRecord['status'], to: MergeRecord['status'], extra = {}) => ({
    name: 'record' as const,
    Update: {
      TableName: table,
      Key: mergeKeys.record(mergeId),
      UpdateExpression: `SET #status = :to${Object.keys(extra)
        .map((k) => `, #${k} = :${k}`)
        .join('')}`,
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: {
        '#status': 'status',
        ...Object.fromEntries(Object.keys(extra).map((k) => [`#${k}`, k])),
      },
      ExpressionAttributeValues: {
        ':to': to,
        ':from': from,
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`:${k}`, v])),
      },
    },
  });
  const readLeads = async (ids: readonly string[]): Promise<MergeableLead[]> => {
    const out: MergeableLead[] = [];
    for (const batch of chunks([...new Set(ids)], 100)) {
      let pending: Record<string, unknown>[] | undefined = batch.map((id) => keys.lead(id));
      for (let tries = 0; pending?.length && tries < 8; tries++) {
        const got = await db.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of got.Responses?.[table] ?? [])
          out.push({
            ...leadFromItem(item),
            taskToken: item.taskToken as string | undefined,
            mergeLock: item.mergeLock as string | undefined,
          } as MergeableLead);
        pending = got.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
        if (pending?.length) await new Promise((r) => setTimeout(r, 20 * 2 ** tries));
      }
      if (pending?.length) throw new Error('the store stayed too busy to read the leads of the merge');
    }
    return out;
  };
  /** Set operations on the dedupe lookup items are idempotent, so a resumed step may run them again. */
  const keyUpdate = (key: DedupeKey, op: 'ADD' | 'DELETE', ids: readonly string[]) =>
    db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.dedupe(key),
        UpdateExpression:
          op === 'ADD' ? 'ADD leadIds :ids SET #type = :type, #on = :on, #value = :value' : 'DELETE leadIds :ids',
        ...(op === 'ADD' ? { ExpressionAttributeNames: { '#type': 'type', '#on': 'on', '#value': 'value' } } : {}),
        ExpressionAttributeValues: {
          ':ids': new Set(ids),
          ...(op === 'ADD' ? { ':type': 'dedupe-key', ':on': key.on, ':value': key.value } : {}),
        },
      }),
    );

  /** The items of a lead's partition that a merge moves (or, with `mergeId`, that this merge moved in). */
  const movableItems = async (leadId: string, mergeId?: string) => {
    const items = await queryAllItems(db, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: mergeId ? 'movedIn = :m' : `#type IN (${MOVING_TYPES.map((_, i) => `:t${i}`).join(', ')})`,
      ...(mergeId ? {} : { ExpressionAttributeNames: { '#type': 'type' } }),
      ExpressionAttributeValues: {
        ':pk': keys.lead(leadId).pk,
        ...(mergeId ? { ':m': mergeId } : Object.fromEntries(MOVING_TYPES.map((t, i) => [`:t${i}`, t]))),
      },
      ConsistentRead: true,
    });
    return items;
  };
  /** The item on another lead: its partition and every `leadId` it carries (a note's, an attachment's). */
  const rehome = (item: Record<string, unknown>, to: string) => {
    const out: Record<string, unknown> = { ...item, pk: keys.lead(to).pk };
    if ('leadId' in out) out.leadId = to;
    for (const nested of ['note', 'attachment'])
      if (out[nested] && typeof out[nested] === 'object') out[nested] = { ...(out[nested] as object), leadId: to };
    return out;
  };
  /**
   * Moves items in batches, each one transaction (the copy, then the original deleted), so a retry finds
   * only what is left to move. A copy never overwrites an item of the target it did not bring (an
   * activity recorded on both leads under the same id stays where it is, counted once).
   */
  const moveAll = async (
    pairs: readonly { item: Record<string, unknown>; moved: Record<string, unknown> }[],
    mergeId: string,
  ) => {
    const ops = (p: (typeof pairs)[number], i: number): NamedItem[] => [
      {
        name: `put${i}`,
        Put: {
          TableName: table,
          Item: p.moved,
          ConditionExpression: 'attribute_not_exists(pk) OR movedIn = :m',
          ExpressionAttributeValues: { ':m': mergeId },
        },
      },
      { name: `del${i}`, Delete: { TableName: table, Key: { pk: p.item.pk, sk: p.item.sk } } },
    ];
    let skipped = 0;
    for (const batch of chunks(pairs, MOVE_BATCH)) {
      const out = await transaction(db, batch.flatMap(ops), { retryConflicts: true });
      if (out.written) continue;
      // Some copy met an item of the target's own: move the rest one by one, leaving those behind.
      for (const [i, p] of batch.entries()) {
        const one = await transaction(db, ops(p, i), { retryConflicts: true });
        if (!one.written) {
          if (!one.failed.some((n) => n.startsWith('put'))) throw one.error;
          skipped++;
        }
      }
    }
    return skipped;
  };
  /** A merged lead's notes, attachments and activities go to the survivor, labelled with its name. */
  const moveIn = async (from: string, to: string, move: Move) => {
    const items = await movableItems(from);
    return moveAll(
      items.map((item) => {
        const moves = [...((item.moves as Move[] | undefined) ?? []), move];
        return {
          item,
          moved: {
            ...rehome(item, to),
            moves,
            movedIn: move.mergeId,
            fromLead: moves[0]?.from,
            fromLeadName: moves[0]?.name,
          },
        };
      }),
      move.mergeId,
    );
  };
  /** Undo: what this merge brought to the survivor goes back to the lead each came from. */
  const moveBack = async (survivorId: string, mergeId: string) => {
    const items = await movableItems(survivorId, mergeId);
    return moveAll(
      items.map((item) => {
        const moves = [...((item.moves as Move[] | undefined) ?? [])];
        const last = moves.pop() as Move;
        const back = rehome(item, last.from);
        delete back.moves;
        delete back.movedIn;
        delete back.fromLead;
        delete back.fromLeadName;
        const previous = moves[moves.length - 1];
        return {
          item,
          moved: previous
            ? { ...back, moves, movedIn: previous.mergeId, fromLead: moves[0]?.from, fromLeadName: moves[0]?.name }
            : back,
        };
      }),
      mergeId,
    );
  };
  /** Blocking keys: set operations and an appended fingerprint (the reader takes a lead's latest), so a retry is harmless. */
  const applyBlockMoves = async (moves: readonly BlockMove[]) => {
    const ops = moves.flatMap((m) => [
      ...m.removed.map((key) => () => keyUpdate(key, 'DELETE', [m.leadId])),
      ...(m.fingerprint
        ? m.added.map(
            (key) => () => db.send(new UpdateCommand(addLeadToBlock(table, key, m.fingerprint as never).Update)),
          )
        : []),
    ]);
    await inParallel(ops, 10, (op) => op());
  };
  /** Gives back the leads a merge holds (those it does not hold are left alone). */
  const releaseLocks = (mergeId: string, ids: readonly string[]) =>
    inParallel(ids, 10, (id) =>
      db
        .send(
          new UpdateCommand({
            TableName: table,
            Key: keys.lead(id),
            UpdateExpression: 'REMOVE mergeLock SET version = version + :one',
            ConditionExpression: 'mergeLock = :m',
            ExpressionAttributeValues: { ':m': mergeId, ':one': 1 },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionalCheckFailed(error)) throw error;
        }),
    );
  const inParallel = async <T>(items: readonly T[], width: number, each: (item: T) => Promise<unknown>) => {
    for (const batch of chunks(items, width)) await Promise.all(batch.map(each));
  };

  /**
   * A follower's follow item (search and "my leads" read them, see notes-repository) goes where the
   * follow went: written for the leads a follower now follows, deleted for those they no longer do.
   * Idempotent, so a resumed merge or undo writes each once.
   */
  const followItems = async (
    put: readonly { user: string; lead: Pick<Lead, 'id' | 'createdAt'> }[],
    drop: readonly { user: string; lead: Pick<Lead, 'id' | 'createdAt'> }[],
  ) => {
    await inParallel(put, 10, ({ user, lead }) =>
      db.send(
        new PutCommand({
          TableName: table,
          Item: { ...keys.followed(user, lead.createdAt, lead.id), type: 'follow', leadId: lead.id },
        }),
      ),
    );
    await inParallel(drop, 10, ({ user, lead }) =>
      db.send(new DeleteCommand({ TableName: table, Key: keys.followed(user, lead.createdAt, lead.id) })),
    );
  };
  const followsOf = (lead: Pick<Lead, 'id' | 'createdAt' | 'followers'>, except: readonly string[] = []) =>
    (lead.followers ?? []).filter((user) => !except.includes(user)).map((user) => ({ user, lead }));

  const store = {
    getMany: readLeads,

    async record(mergeId: string) {
      const out = await db.send(
        new GetCommand({ TableName: table, Key: mergeKeys.record(mergeId), ConsistentRead: true }),
      );
      if (!out.Item) return undefined;
      const { pk: _pk, sk: _sk, type: _type, expiresAt: _e, ...record } = out.Item;
      return record as MergeRecord;
    },

    async release(record: MergeRecord) {
      await releaseLocks(record.mergeId, [record.survivorId, ...record.mergedIds]);
      const out = await transaction(db, [setStatus(record.mergeId, 'locking', 'released')]);
      if (!out.written && (await store.record(record.mergeId))?.status !== 'released') throw out.error;
    },

    async lock(record: MergeRecord, leads: readonly Pick<Lead, 'id' | 'version'>[]) {
      const ordered = [...leads].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const taken: string[] = [];
      const release = async () => {
        await releaseLocks(record.mergeId, taken);
        await transaction(db, [setStatus(record.mergeId, 'locking', 'released')]);
      };
      for (const [i, batch] of chunks(ordered, LOCK_BATCH).entries()) {
        const items: NamedItem[] = batch.map((lead) => ({
          name: lead.id,
          Update: {
            TableName: table,
            Key: keys.lead(lead.id),
            UpdateExpression: 'SET mergeLock = :m, version = version + :one',
            ConditionExpression:
              'version = :v AND attribute_not_exists(mergeLock) AND attribute_not_exists(mergedInto)',
            ExpressionAttributeValues: { ':m': record.mergeId, ':v': lead.version, ':one': 1 },
          },
        }));
        if (i === 0)
          items.unshift({
            name: 'record',
            Put: {
              TableName: table,
              Item: {
                ...mergeKeys.record(record.mergeId),
                type: 'merge',
                ...record,
                expiresAt: Math.floor(Date.parse(record.undoUntil) / 1000) + 86400,
              },
              // A merge given back (lost a lead, or rolled back after stopping) may be sent again under its key.
              ConditionExpression: 'attribute_not_exists(pk) OR #status = :released',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':released': 'released' },
            },
          });
        const out = await transaction(db, items, { retryConflicts: true });
        if (!out.written) {
          if (out.failed.includes('record'))
            throw new ConflictError(`merge ${record.mergeId} exists already`, { mergeId: record.mergeId });
          if (i > 0) await release();
          else if (!out.failed.length) throw out.error;
          return { lost: out.failed.filter((n) => n !== 'record') };
        }
        taken.push(...batch.map((l) => l.id));
      }
      await transaction(db, [setStatus(record.mergeId, 'locking', 'committing')]);
      return { lost: [] };
    },

    async commit(record: MergeRecord, plan: MergePlan) {
      const m = record.mergeId;
      for (const batch of chunks(plan.merged, MOVE_BATCH)) {
        const loads = new Map<string, number>();
        for (const { before } of batch)
          if (countsAsLoad(before) && before.owner) loads.set(before.owner, (loads.get(before.owner) ?? 0) - 1);
        const items: NamedItem[] = batch.flatMap(({ before, tombstone, audit }) => {
          return [
            {
              name: 'lead',
              Update: leadUpdate(
                before.id,
                { ...tombstone, updatedAt: audit.at },
                { expression: 'mergeLock = :m', values: { ':m': m } },
                ['mergeLock', ...INDEX_KEYS, ...QUEUE_KEYS],
              ),
            },
            auditPut(before.id, audit, `M-${m}`),
          ];
        });
        const out = await transaction(db, [...items, ...loadAdds(loads)], { retryConflicts: true });
        if (!out.written) {
          // A resumed merge finds this batch done already: every lead of it is this merge's tombstone.
          const now = await readLeads(batch.map((b) => b.before.id));
          if (now.length !== batch.length || now.some((l) => l.mergeId !== m)) throw out.error;
        }
      }
      // Notes, attachments and activities follow each merged lead to the survivor.
      for (const { before, name } of plan.merged)
        await moveIn(before.id, record.survivorId, { mergeId: m, from: before.id, name });
      // Lookup items: the merged leads leave their keys; the survivor joins those it did not hold.
      const removals = new Map<string, { key: DedupeKey; ids: string[] }>();
      for (const { before } of plan.merged)
        for (const key of dedupeKeysOf(before as never)) {
          const entry = removals.get(keyId(key)) ?? { key, ids: [] };
          entry.ids.push(before.id);
          removals.set(keyId(key), entry);
        }
      await inParallel(plan.keysAdded, 10, (key) => keyUpdate(key, 'ADD', [record.survivorId]));
      await inParallel([...removals.values()], 10, ({ key, ids }) => keyUpdate(key, 'DELETE', ids));
      await applyBlockMoves(plan.blockMoves);
      const out = await transaction(
        db,
        [
          {
            name: 'survivor',
            Update: leadUpdate(
              record.survivorId,
              {
                ...plan.survivorPatch,
                ...queueKeys(plan.survivorAfter, plan.survivorQueued),
                updatedAt: plan.survivorAudit.at,
              } as Partial<Lead>,
              { expression: 'mergeLock = :m', values: { ':m': m } },
              ['mergeLock'],
            ),
          },
          auditPut(record.survivorId, plan.survivorAudit, `M-${m}`),
          setStatus(m, 'committing', 'done'),
        ],
        { retryConflicts: true },
      );
      if (!out.written && (await store.record(m))?.status !== 'done') throw out.error;
      // The survivor's new followers find it in search and their lists; a tombstone is followed no more.
      await followItems(
        followsOf(plan.survivorAfter, record.survivorBefore.followers ?? []),
        plan.merged.flatMap(({ before }) => followsOf(before as Lead)),
      );
    },

    async dismiss(writes: readonly DismissalWrite[]) {
      const items: NamedItem[] = writes.flatMap(({ before, patch, queued, audit }) => {
        return [
          {
            name: before.id,
            Update: leadUpdate(
              before.id,
              { ...patch, ...queueKeys(before, queued), updatedAt: audit.at } as Partial<Lead>,
              unmergedAt(before.version),
            ),
          },
          auditPut(before.id, audit, `D-${before.version}`),
        ];
      });
      const out = await transaction(db, items, { retryConflicts: true });
      if (!out.written) {
        if (out.failed.length)
          throw new ConflictError(
            `${out.failed.length} of these leads changed since they were read; reload them and try again`,
            { leads: out.failed.filter((n) => n !== 'audit') },
          );
        throw out.error;
      }
    },

    async unmerge(record: MergeRecord, plan: UnmergePlan, survivorVersion: number, by: string) {
      const m = record.mergeId;
      if (record.status === 'done') {
        const out = await transaction(
          db,
          [
            {
              name: 'survivor',
              Update: leadUpdate(
                record.survivorId,
                {
                  ...plan.survivorPatch,
                  ...queueKeys(record.survivorAfter, plan.survivorQueued),
                  updatedAt: plan.survivorAudit.at,
                } as Partial<Lead>,
                unmergedAt(survivorVersion),
              ),
            },
            auditPut(record.survivorId, plan.survivorAudit, `U-${m}`),
            setStatus(m, 'done', 'undoing', { undoneAt: plan.survivorAudit.at, undoneBy: by }),
          ],
          { retryConflicts: true },
        );
        if (!out.written) {
          if (out.failed.includes('record')) throw new ConflictError(`merge ${m} is being undone already`, {});
          throw new ConflictError(
            `lead ${record.survivorId} was changed by someone else (it was at version ${survivorVersion}); reload it and try again`,
            { leadId: record.survivorId },
          );
        }
      }
      for (const batch of chunks(plan.restored, MOVE_BATCH)) {
        const loads = new Map<string, number>();
        for (const { lead } of batch)
          if (countsAsLoad(lead) && lead.owner) loads.set(lead.owner, (loads.get(lead.owner) ?? 0) + 1);
        const items: NamedItem[] = batch.flatMap(({ lead, audit }) => [
          {
            name: 'lead',
            Put: {
              TableName: table,
              Item: leadItem(lead),
              ConditionExpression: 'mergeId = :m AND attribute_exists(mergedInto)',
              ExpressionAttributeValues: { ':m': m },
            },
          },
          auditPut(lead.id, audit, `U-${m}`),
        ]);
        const out = await transaction(db, [...items, ...loadAdds(loads)], { retryConflicts: true });
        if (!out.written) {
          const now = await readLeads(batch.map((b) => b.lead.id));
          if (now.some((l) => l.mergedInto)) throw out.error;
        }
      }
      await moveBack(record.survivorId, m);
      // Each restored lead's followers follow it again; the survivor keeps only its own followers' items.
      await followItems(
        plan.restored.flatMap(({ lead }) => followsOf(lead)),
        followsOf(record.survivorAfter, record.survivorBefore.followers ?? []).filter(
          ({ user }) => !(plan.survivorPatch.followers ?? record.survivorBefore.followers ?? []).includes(user),
        ),
      );
      await inParallel(plan.restored, 10, ({ lead }) =>
        Promise.all(dedupeKeysOf(lead as never).map((key) => keyUpdate(key, 'ADD', [lead.id]))),
      );
      await inParallel(plan.keysRemoved, 10, (key) => keyUpdate(key, 'DELETE', [record.survivorId]));
      await applyBlockMoves(plan.blockMoves);
      await transaction(db, [setStatus(m, 'undoing', 'undone')]);
    },
  };
  return store satisfies MergeStore;
};
