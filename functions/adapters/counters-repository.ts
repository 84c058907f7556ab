import { createHash } from 'node:crypto';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { OPEN_STAGES } from '../core/lead';
import {
  type Counter,
  type CountableEvent,
  counterKey,
  foldEvents,
  isCountable,
  type LeadTally,
  NONE,
  tallyEvent,
} from '../core/reports/counters';
import type { CountersReader, CountersRebuilder, CountersWriter } from '../core/reports/ports';
import { reportKeys as keys } from './keys';
import { isConditionalCheckFailed, transaction } from './transaction';
import { TABLE } from './table-definition';
import { queryAllItems } from './query-all';

const MAX_ATTEMPTS = 8;
/** Markers outlive any redelivery (EventBridge retries for up to 24 h; archives replay into a new generation). */
const MARKER_TTL_SECONDS = 35 * 86_400;

/**
 * A lead's counted events, kept on its tally item: a short digest of each event id (96 bits, so a lead's
 * few dozen ids cannot collide) → when it was counted, in epoch seconds. Entries older than the marker TTL
 * are dropped at the next write, as the TTL dropped separate markers.
 */
type CountedIds = Record<string, number>;
export const countedIdOf = (eventId: string) => createHash('sha256').update(eventId).digest('base64url').slice(0, 16);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const prunedCounted = (counted: CountedIds, now: number): CountedIds =>
  Object.fromEntries(Object.entries(counted).filter(([, at]) => at > now - MARKER_TTL_SECONDS));

/** A tally item as stored: the tally, its counted event ids and, on tallies written before those were kept, how long separate markers may still exist. */
type TallyItem = { version: number; tally: LeadTally; counted?: CountedIds; legacyMarkersUntil?: number };
const tallyItemOf = (item: Record<string, unknown> | undefined): TallyItem | undefined =>
  item?.tally ? (item as unknown as TallyItem) : undefined;
/** A failed condition's ALL_OLD item: plain from a transaction's reasons after `unmarshall`, marshalled on a single write's error. */
const oldItemOf = (item: unknown): Record<string, unknown> | undefined => {
  if (!item || typeof item !== 'object') return undefined;
  const raw = item as Record<string, unknown>;
  const marshalled = typeof raw.pk === 'object' && raw.pk !== null && 'S' in (raw.pk as object);
  return marshalled ? unmarshall(raw as never) : raw;
};

const counterItemKey = (generation: number, c: Counter) =>
  c.family === 'open' ? keys.open(generation, counterKey(c)) : keys.day(generation, c.day, counterKey(c));
const counterOf = (item: Record<string, unknown>): Counter => ({
  family: item.family as Counter['family'],
  day: String(item.day),
  metric: String(item.metric),
  dims: (item.dims ?? {}) as Record<string, string>,
  n: Number(item.n),
});

/**
 * Analytics counters in the lead table. A consumer writes one transaction per event: the event's
 * marker (conditional, so a redelivery writes nothing), the lead's tally (versioned, so two events
 * of one lead cannot interleave) and the counter increments. Reports read one partition per day
 * plus the open-leads gauge: their cost follows days × dimensions, never the number of leads.
 */
export const makeCountersRepository = (
  db: DynamoDBDocumentClient,
  table: string,
): CountersReader & CountersWriter & CountersRebuilder & { generation(): Promise<number> } => {
  const generation = async (): Promise<number> => {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.generation(), ConsistentRead: true }));
    return typeof out.Item?.generation === 'number' ? out.Item.generation : 1;
  };

  const queryAll = async (pk: string): Promise<Record<string, unknown>[]> => {
    const items = await queryAllItems(db, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    });
    return items;
  };

  const increment = (gen: number, c: Counter) => ({
    Update: {
      TableName: table,
      Key: counterItemKey(gen, c),
      UpdateExpression: 'ADD #n :n SET #type = :type, #family = :family, #day = :day, #metric = :metric, #dims = :dims',
      ExpressionAttributeNames: {
        '#n': 'n',
        '#type': 'type',
        '#family': 'family',
        '#day': 'day',
        '#metric': 'metric',
        '#dims': 'dims',
      },
      ExpressionAttributeValues: {
        ':n': c.n,
        ':type': 'counter',
        ':family': c.family,
        ':day': c.day,
        ':metric': c.metric,
        ':dims': c.dims,
      },
    },
  });
  const marker = (gen: number, event: CountableEvent) => ({
    name: 'marker' as const,
    Put: {
      TableName: table,
      Item: {
        ...keys.counted(gen, event.detail.eventId),
        type: 'counted-event',
        detailType: event.detailType,
        expiresAt: Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  /** An event about no lead (a rejected delivery): its marker and its counters, no tally. */
  const applyWithoutLead = async (event: CountableEvent): Promise<'counted' | 'duplicate' | 'ignored'> => {
    const { increments } = tallyEvent(undefined, event);
    if (increments.length === 0) return 'ignored';
    const gen = await generation();
    const out = await transaction(db, [
      marker(gen, event),
      ...increments.map((c) => ({ name: 'counter' as const, ...increment(gen, c) })),
    ]);
    if (out.written) return 'counted';
    if (out.failed.includes('marker')) return 'duplicate';
    throw out.error;
  };

  /**
   * Events of one lead handled by this instance at the same time wait for each other instead of racing for
   * the lead's tally: a lead's first three events arrive together, and racing, all but one lose (a cancelled
   * transaction each, then another try). Other instances (other Lambda containers) still race; the retry below
   * settles that.
   */
  const queues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(leadId: string, work: () => Promise<T>): Promise<T> => {
    const run = (queues.get(leadId) ?? Promise.resolve()).then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(leadId, settled);
    void settled.then(() => {
      if (queues.get(leadId) === settled) queues.delete(leadId);
    });
    return run;
  };

  const apply = async (event: CountableEvent): Promise<'counted' | 'duplicate' | 'ignored'> => {
    if (!isCountable(event)) return 'ignored';
    const leadId = event.detail.lead?.id ?? event.detail.leadId;
    if (!leadId || !event.detail.lead) return applyWithoutLead(event);
    return oneAtATime(leadId, () => applyToLead(event, leadId));
  };

  /**
   * One write per event: the lead's tally item carries the ids of the events it has counted, so the
   * version condition that keeps two events of one lead from interleaving also refuses a second copy of
   * one event (a racing copy loses on the version, re-reads and finds its id). With counter increments
   * that write is a transaction (tally + counters); without, one conditional PutItem.
   */
  const applyToLead = async (event: CountableEvent, leadId: string): Promise<'counted' | 'duplicate' | 'ignored'> => {
    // The generation changes only when an operator rebuilds the counters: read it once per event, not per attempt.
    const gen = await generation();
    const id = countedIdOf(event.detail.eventId);
    let stored: TallyItem | undefined;
    let known = false;
    let legacyChecked = false;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (!known) {
        const out = await db.send(
          new GetCommand({ TableName: table, Key: keys.tally(gen, leadId), ConsistentRead: true }),
        );
        stored = tallyItemOf(out.Item);
      }
      if (stored?.counted?.[id] !== undefined) return 'duplicate';
      const now = nowSeconds();
      // A tally written before its item kept the counted ids: its events were marked by separate items,
      // which live until their TTL; until then an event is looked up there too (one read, no write).
      const legacyMarkersUntil = stored
        ? stored.counted === undefined
          ? now + MARKER_TTL_SECONDS
          : stored.legacyMarkersUntil !== undefined && stored.legacyMarkersUntil > now
            ? stored.legacyMarkersUntil
            : undefined
        : undefined;
      if (legacyMarkersUntil !== undefined && !legacyChecked) {
        legacyChecked = true;
        const marker = await db.send(
          new GetCommand({
            TableName: table,
            Key: keys.counted(gen, event.detail.eventId),
            ConsistentRead: true,
            ProjectionExpression: 'pk',
          }),
        );
        if (marker.Item) return 'duplicate';
      }
      const before = stored?.tally;
      const { tally, increments } = tallyEvent(before, event);
      if (!tally) return 'ignored';
      if (increments.length > 99)
        throw new Error(
          `event ${event.detail.eventId} would touch ${increments.length} counters; a transaction holds 100 items`,
        );
      const put = {
        TableName: table,
        Item: {
          ...keys.tally(gen, leadId),
          type: 'lead-tally',
          version: tally.version,
          tally,
          counted: { ...prunedCounted(stored?.counted ?? {}, now), [id]: now },
          ...(legacyMarkersUntil !== undefined ? { legacyMarkersUntil } : {}),
        },
        ConditionExpression: stored ? 'version = :v' : 'attribute_not_exists(pk)',
        ExpressionAttributeValues: stored ? { ':v': stored.version } : undefined,
        // A lost race answers with the tally that won it, so the retry need not read it again.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      };
      let lost: Record<string, unknown> | undefined;
      if (increments.length === 0) {
        try {
          await db.send(new PutCommand(put));
          return 'counted';
        } catch (error) {
          if (!isConditionalCheckFailed(error)) throw error;
          lost = oldItemOf((error as { Item?: unknown }).Item);
        }
      } else {
        const out = await transaction(db, [
          { name: 'tally', Put: put },
          ...increments.map((c) => ({ name: 'counter' as const, ...increment(gen, c) })),
        ]);
        if (out.written) return 'counted';
        // Another event of the same lead (or another copy of this one) won the race for its tally.
        if (!out.failed.includes('tally') && !out.conflict) throw out.error;
        lost = oldItemOf(out.reason('tally')?.Item);
      }
      // Redo on the tally that won (a copy of this event finds its id there), after a jittered pause.
      stored = tallyItemOf(lost);
      known = stored !== undefined;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
    throw new Error(
      `event ${event.detail.eventId}: the tally of lead ${leadId} kept changing; giving up after ${MAX_ATTEMPTS} attempts`,
    );
  };

  const read = async (days: readonly string[], { open = true }: { open?: boolean } = {}): Promise<Counter[]> => {
    const gen = await generation();
    const pages = await Promise.all([
      ...days.map((day) => queryAll(keys.day(gen, day, '').pk)),
      ...(open ? [queryAll(keys.open(gen, '').pk)] : []),
    ]);
    return pages.flat().map(counterOf);
  };

  /** The only lead-table read of the reports: the stage index, oldest first, ten per open stage. */
  const oldestOpen = async (limit: number) => {
    const perStage = await Promise.all(
      OPEN_STAGES.map(async (stage) => {
        const out = await db.send(
          new QueryCommand({
            TableName: table,
            IndexName: TABLE.indexes.byStage.name,
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': `STAGE#${stage}` },
            ProjectionExpression: 'id, stage, #owner, team, createdAt, escalations',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ScanIndexForward: true,
            Limit: limit,
          }),
        );
        return out.Items ?? [];
      }),
    );
    return perStage
      .flat()
      .map((i) => ({
        id: String(i.id),
        stage: String(i.stage),
        owner: typeof i.owner === 'string' ? i.owner : NONE,
        team: typeof i.team === 'string' ? i.team : NONE,
        createdAt: String(i.createdAt),
        escalations: typeof i.escalations === 'number' ? i.escalations : 0,
      }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, limit);
  };

  const batchPut = async (items: Record<string, unknown>[]) => {
    for (let i = 0; i < items.length; i += 25) {
      let pending: Record<string, unknown>[] | undefined = items
        .slice(i, i + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
        pending = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
      }
    }
  };

  /**
   * Folds the archive in memory, writes counters, tallies and markers into the next generation,
   * then switches the pointer (conditional on nobody else having switched meanwhile).
   */
  const rebuild = async (events: readonly CountableEvent[]) => {
    const current = await generation();
    const next = current + 1;
    const ordered = [...events].sort((a, b) => a.detail.occurredAt.localeCompare(b.detail.occurredAt));
    const { counters, tallies, eventIds, eventIdsByLead } = foldEvents(ordered);
    const now = nowSeconds();
    const expiresAt = now + MARKER_TTL_SECONDS;
    // A lead's events are marked on its tally (as the consumer does); only events without a tally get a marker item.
    const onTallies = new Set(Object.values(eventIdsByLead).flat());
    await batchPut([
      ...counters.map((c) => ({
        ...counterItemKey(next, c),
        type: 'counter',
        family: c.family,
        day: c.day,
        metric: c.metric,
        dims: c.dims,
        n: c.n,
      })),
      ...tallies.map((t) => ({
        ...keys.tally(next, t.leadId),
        type: 'lead-tally',
        version: t.version,
        tally: t,
        counted: Object.fromEntries((eventIdsByLead[t.leadId] ?? []).map((id) => [countedIdOf(id), now])),
      })),
      ...eventIds
        .filter((id) => !onTallies.has(id))
        .map((id) => ({ ...keys.counted(next, id), type: 'counted-event', expiresAt })),
    ]);
    await db.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.generation(),
          type: 'counters-generation',
          generation: next,
          rebuiltAt: new Date().toISOString(),
          events: eventIds.length,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR generation = :current',
        ExpressionAttributeValues: { ':current': current },
      }),
    );
    return { generation: next, events: eventIds.length, counters: counters.length };
  };

  return { generation, apply, read, oldestOpen, rebuild };
};
