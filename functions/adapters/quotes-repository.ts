import { baseItemsOf } from './index-items';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors';
import type { AuditEntry } from '../core/lead';
import type { QuotesStore } from '../core/quotes/ports';
import { formatQuoteNumber, type Quote } from '../core/quotes/quote';
import { keys, lifecycleKeys, quoteKeys } from './keys';
import { TABLE } from './table-definition';
import { type NamedItem, transaction } from './transaction';

/** Tries at the yearly counter: each lost race means someone else took a number, so the next read moves on. */
const NUMBER_ATTEMPTS = 60;

const itemOf = (quote: Quote) => ({
  ...quoteKeys.version(quote.id, quote.version),
  ...(quote.status === 'sent' ? quoteKeys.sentIndex(quote.expiresAt, quote.id, quote.version) : {}),
  type: 'quote',
  ...quote,
});

const quoteOf = (item: Record<string, unknown>): Quote => {
  const { pk: _pk, sk: _sk, gsi2pk: _a, gsi2sk: _b, type: _t, ...quote } = item;
  return quote as Quote;
};

const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));

export const makeQuotesRepository = (db: DynamoDBDocumentClient, table: string) => {
  const auditPut = (leadId: string, entry: AuditEntry, seq: string): NamedItem => ({
    name: 'audit',
    Put: { TableName: table, Item: { ...keys.audit(leadId, entry.at, seq), type: 'audit', leadId, ...entry } },
  });

  /** The version item replaced conditional on its rev and status (the optimistic lock of every change). */
  const versionPut = (before: Quote, after: Quote): NamedItem => ({
    name: 'quote',
    Put: {
      TableName: table,
      Item: itemOf(after),
      ConditionExpression: '#rev = :rev AND #status = :status',
      ExpressionAttributeNames: { '#rev': 'rev', '#status': 'status' },
      ExpressionAttributeValues: { ':rev': before.rev, ':status': before.status },
    },
  });

  /** An open approval task of a draft that changed no longer applies: it leaves the approvers' inboxes. */
  const taskCancel = (taskId: string, at: string): NamedItem => ({
    name: 'task',
    Update: {
      TableName: table,
      Key: lifecycleKeys.task(taskId),
      UpdateExpression: 'SET #status = :cancelled, decidedAt = :at REMOVE gsi3pk, gsi3sk',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':cancelled': 'cancelled', ':open': 'open', ':at': at },
    },
  });

  const conflict = (quote: Quote) =>
    new ConflictError(`quote ${quote.id} v${quote.version} was changed by someone else; reload it and try again`, {
      quoteId: quote.id,
      version: quote.version,
    });

  const get = async (id: string, version?: number): Promise<Quote | undefined> => {
    if (version !== undefined) {
      const out = await db.send(
        new GetCommand({ TableName: table, Key: quoteKeys.version(id, version), ConsistentRead: true }),
      );
      return out.Item ? quoteOf(out.Item) : undefined;
    }
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': quoteKeys.version(id, 1).pk, ':v': 'V#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? quoteOf(item) : undefined;
  };

  const store: QuotesStore = {
    get,

    async listFor(owner) {
      const pk = 'leadId' in owner ? keys.lead(owner.leadId).pk : keys.opportunity(owner.opportunityId).pk;
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :q)',
          ExpressionAttributeValues: { ':pk': pk, ':q': 'QUOTE#' },
          ScanIndexForward: false,
          Limit: 100,
        }),
      );
      const ids = (out.Items ?? []).map((i) => String(i.quoteId));
      return (await Promise.all(ids.map((id) => get(id)))).filter((q): q is Quote => q !== undefined);
    },

    async create(draft, year, audit) {
      const counterKey = quoteKeys.counter(year);
      let known: number | undefined;
      for (let attempt = 1; attempt <= NUMBER_ATTEMPTS; attempt++) {
        const last =
          known ??
          Number(
            (await db.send(new GetCommand({ TableName: table, Key: counterKey, ConsistentRead: true }))).Item?.last ??
              0,
          );
        known = undefined;
        const quote: Quote = { ...draft, id: formatQuoteNumber(year, last + 1) };
        const link = { type: 'quote-link', quoteId: quote.id, createdAt: quote.createdAt };
        const items: NamedItem[] = [
          {
            name: 'counter',
            Update: {
              TableName: table,
              Key: counterKey,
              UpdateExpression: 'SET #last = :next, #type = :type',
              ConditionExpression: last === 0 ? 'attribute_not_exists(pk)' : '#last = :last',
              // A lost race answers the number the winner took, so the next try needs no read.
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              ExpressionAttributeNames: { '#last': 'last', '#type': 'type' },
              ExpressionAttributeValues: {
                ':next': last + 1,
                ':type': 'quote-counter',
                ...(last === 0 ? {} : { ':last': last }),
              },
            },
          },
          {
            name: 'quote',
            Put: { TableName: table, Item: itemOf(quote), ConditionExpression: 'attribute_not_exists(pk)' },
          },
          { name: 'link', Put: { TableName: table, Item: { ...quoteKeys.leadLink(quote.leadId, quote.id), ...link } } },
          ...(quote.opportunityId
            ? [
                {
                  name: 'link',
                  Put: {
                    TableName: table,
                    Item: { ...quoteKeys.opportunityLink(quote.opportunityId, quote.id), ...link },
                  },
                },
              ]
            : []),
          auditPut(quote.leadId, { ...audit, why: `${quote.id} ${audit.why ?? ''}`.trim() }, `Q${quote.id}-1-1`),
        ];
        const out = await transaction(db, items, { retryConflicts: true });
        if (out.written) return quote;
        if (!out.failed.includes('counter') && !out.failed.includes('quote')) throw out.error;
        const taken = out.reason('counter')?.Item?.last?.N;
        known = taken === undefined ? undefined : Number(taken);
        await pause(attempt);
      }
      throw new ConflictError(`no quote number could be allocated for ${year}; too many at once, try again`);
    },

    async save(before, after, audit) {
      const next: Quote = { ...after, rev: before.rev + 1 };
      const at = audit[0]?.at ?? next.updatedAt;
      // An edit that drops a pending approval withdraws its open task in the same transaction.
      const withdrawn = before.approval?.status === 'pending' && !next.approval ? before.approval.taskId : undefined;
      const items: NamedItem[] = [
        versionPut(before, next),
        ...audit.map((entry, i) => auditPut(before.leadId, entry, `Q${before.id}-${before.version}-${next.rev}-${i}`)),
        ...(withdrawn ? [taskCancel(withdrawn, at)] : []),
      ];
      const out = await transaction(db, items, { retryConflicts: true });
      if (out.written) return next;
      if (out.failed.includes('quote')) throw conflict(before);
      if (out.failed.includes('task')) {
        // The task was decided a moment ago: the draft is not changed under the approver's decision.
        throw new ConflictError(`the approval of quote ${before.id} was just decided; reload it and try again`);
      }
      throw out.error;
    },

    async revise(before, next, audit) {
      const superseded: Quote = {
        ...before,
        rev: before.rev + 1,
        supersededBy: next.version,
        status: before.status === 'sent' ? 'superseded' : before.status,
        updatedAt: next.createdAt,
      };
      const out = await transaction(
        db,
        [
          versionPut(before, superseded),
          {
            name: 'next',
            Put: { TableName: table, Item: itemOf(next), ConditionExpression: 'attribute_not_exists(pk)' },
          },
          auditPut(before.leadId, audit, `Q${before.id}-${next.version}-1`),
        ],
        { retryConflicts: true },
      );
      if (out.written) return next;
      if (out.failed.length > 0) throw conflict(before);
      throw out.error;
    },
  };

  return {
    ...store,
    /** Sent versions, soonest expiry first: the local runtime re-arms their timers after a restart. */
    async sentQuotes(): Promise<Pick<Quote, 'id' | 'version' | 'expiresAt'>[]> {
      const found: Pick<Quote, 'id' | 'version' | 'expiresAt'>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: table,
            IndexName: TABLE.indexes.byStage.name,
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': 'QUOTES#sent' },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of await baseItemsOf(db, table, out.Items ?? [], ['id', 'version', 'expiresAt']))
          found.push({ id: String(item.id), version: Number(item.version), expiresAt: String(item.expiresAt) });
        start = out.LastEvaluatedKey;
      } while (start);
      return found;
    },
  } satisfies QuotesStore & Record<string, unknown>;
};
