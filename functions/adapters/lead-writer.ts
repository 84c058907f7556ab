import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DedupeKey } from '../core/dedupe';
import { ConflictError } from '../core/errors';
import { type AuditEntry, type ExecutionRecordOfLead, type Lead, OPEN_STAGES } from '../core/lead';
import type { LeadWriteOptions, LeadWriter, StoredLead } from '../core/lifecycle/ports';
import type { Fingerprint } from '../core/similarity';
import { addLeadToBlock, addLeadToKey, removeLeadFromKey } from './dedupe-key-items';
import { keys, lifecycleKeys } from './keys';
import { leadItem } from './lead-item';
import { searchItemWrites } from './search-items';
import { isConditionalCheckFailed, transaction, type WriteItem } from './transaction';

export type { StoredLead };

/** The core's options, plus items this adapter's callers add to the same transaction (dedupe key moves). */
export type WriteOptions = LeadWriteOptions & {
  extra?: WriteItem[];
};

const isOpen = (lead: Pick<Lead, 'stage' | 'owner'>) => OPEN_STAGES.includes(lead.stage) && lead.owner !== undefined;

/**
 * Every lead change after capture: the whole lead written conditionally on its version (and on the
 * task token it consumes), its audit entries, and the rep-load counters, in one transaction.
 */
export const makeLeadWriter = (db: DynamoDBDocumentClient, table: string) => {
  const writer = {
    /** Dedupe lookup items follow an edited email, phone or company domain, in the same transaction. */
    keyMoves(
      leadId: string,
      added: DedupeKey[],
      removed: DedupeKey[],
      fingerprint?: Fingerprint,
    ): NonNullable<WriteOptions['extra']> {
      return [
        ...added.map((key) =>
          key.on === 'block' && fingerprint
            ? addLeadToBlock(table, key, fingerprint)
            : addLeadToKey(table, key, leadId),
        ),
        ...removed.map((key) => removeLeadFromKey(table, key, leadId)),
      ];
    },

    /**
     * The wait's token and, when given, the execution record with its loop counted: one UpdateItem
     * (not a transaction, which bills double, and without a version bump: neither is a change of the lead).
     */
    async setWaitToken(leadId: string, token: string, execution?: ExecutionRecordOfLead): Promise<void> {
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.lead(leadId),
            UpdateExpression: execution ? 'SET taskToken = :t, #execution = :e' : 'SET taskToken = :t',
            // A merged lead's execution ends: it does not wait on a tombstone.
            ConditionExpression: '#stage IN (:a, :m, :s) AND attribute_not_exists(mergedInto)',
            ExpressionAttributeNames: { '#stage': 'stage', ...(execution ? { '#execution': 'execution' } : {}) },
            ExpressionAttributeValues: {
              ':t': token,
              ':a': 'Assigned',
              ':m': 'MarketQualified',
              ':s': 'SalesQualified',
              ...(execution ? { ':e': execution } : {}),
            },
          }),
        );
      } catch (error) {
        if (isConditionalCheckFailed(error))
          throw new Error(`lead ${leadId} is not in a working stage; nothing to wait for`);
        throw error;
      }
    },

    /** The token of a wait that ran out, removed unless an action consumed it first: one conditional UpdateItem. */
    async releaseToken(leadId: string, token: string): Promise<boolean> {
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.lead(leadId),
            UpdateExpression: 'REMOVE taskToken',
            ConditionExpression: 'taskToken = :t',
            ExpressionAttributeValues: { ':t': token },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    },

    /** An approval wait's loop on the execution record: one UpdateItem, on a lead that is not merged. */
    async recordExecution(leadId: string, execution: ExecutionRecordOfLead): Promise<void> {
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.lead(leadId),
            UpdateExpression: 'SET #execution = :e',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mergedInto)',
            ExpressionAttributeNames: { '#execution': 'execution' },
            ExpressionAttributeValues: { ':e': execution },
          }),
        );
      } catch (error) {
        if (isConditionalCheckFailed(error)) throw new Error(`lead ${leadId} is gone or merged; nothing to wait for`);
        throw error;
      }
    },

    async write(
      before: StoredLead,
      patch: Partial<Lead>,
      audit: AuditEntry[],
      options: WriteOptions = {},
    ): Promise<StoredLead> {
      const { taskToken: _old, ...base } = before;
      const after: StoredLead = {
        ...base,
        ...patch,
        version: before.version + 1,
        updatedAt: audit[0]?.at ?? new Date().toISOString(),
        searchIndexed: true,
      };
      // Only the step that enters a wait sets a token; any other lifecycle write happens outside that wait,
      // so a token left on the lead would be stale and let an action write without resuming anything.
      const token = options.setToken ?? (options.keepToken ? before.taskToken : undefined);
      if (token) after.taskToken = token;
      const loadChanges = new Map<string, number>();
      if (isOpen(before) && before.owner) loadChanges.set(before.owner, -1);
      if (isOpen(after) && after.owner) loadChanges.set(after.owner, (loadChanges.get(after.owner) ?? 0) + 1);
      const conditionValues: Record<string, unknown> = { ':v': before.version };
      // A lead held by a merge, or merged into another, is not written by the lifecycle or an edit.
      let condition = 'version = :v AND attribute_not_exists(mergeLock) AND attribute_not_exists(mergedInto)';
      // Not yet indexed when read: the indexer (a parked start, the backfill) may write the items first;
      // then this write is refused and made again as the change of an indexed lead (below).
      if (before.searchIndexed !== true) condition += ' AND attribute_not_exists(searchIndexed)';
      if (options.keepToken && before.taskToken) {
        condition += ' AND taskToken = :t';
        conditionValues[':t'] = before.taskToken;
      } else if (options.keepToken) {
        condition += ' AND attribute_not_exists(taskToken)';
      }
      if (options.consumeToken) {
        condition += ' AND taskToken = :t';
        conditionValues[':t'] = options.consumeToken;
      }
      const out = await transaction(
        db,
        [
          {
            name: 'lead',
            Put: {
              TableName: table,
              Item: { ...leadItem(after), ...(token ? { taskToken: token } : {}) },
              ConditionExpression: condition,
              ExpressionAttributeValues: conditionValues,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...audit.map((entry, i) => ({
            name: 'audit' as const,
            Put: {
              TableName: table,
              Item: {
                ...keys.audit(before.id, entry.at, `${String(after.version).padStart(6, '0')}-${i}`),
                type: 'audit',
                leadId: before.id,
                ...entry,
              },
            },
          })),
          ...[...loadChanges]
            .filter(([, delta]) => delta !== 0)
            .map(([user, delta]) => ({
              name: 'load' as const,
              Update: {
                TableName: table,
                Key: lifecycleKeys.load(user),
                UpdateExpression: 'ADD openLeads :d',
                ExpressionAttributeValues: { ':d': delta },
              },
            })),
          ...(options.extra ?? []).map((item) => ({ name: 'extra' as const, ...item })),
          // Search items: all of them on the lead's first change after capture (routing, within a second;
          // capture itself stays as fast as it was) unless the indexer wrote them first (a parked start,
          // the backfill: adapters/search-indexer.ts; see the condition above), then only what an edit of a
          // name, e-mail, phone or company, or a new owner, changes.
          ...searchItemWrites(table, before.searchIndexed ? before : undefined, after).map((item) => ({
            name: 'search' as const,
            ...item,
          })),
        ],
        { retryConflicts: true },
      );
      if (!out.written) {
        const reason = out.reason('lead');
        if (!reason) throw out.error;
        // The indexer wrote this version's search items in between (it sets the mark, not the version):
        // the same change again, now adding and removing only what moved.
        if (
          before.searchIndexed !== true &&
          reason.Item?.searchIndexed?.BOOL === true &&
          reason.Item?.version?.N === String(before.version)
        )
          return writer.write({ ...before, searchIndexed: true }, patch, audit, options);
        // The token still waits: only a change beside the workflow (a follower, an edit) moved the
        // version, so the action may be planned again on the fresh lead rather than bounce a 409.
        // Or nothing moved but the wait ran out (the Aging step released its token, versions unchanged): the
        // action is planned again and reaches the next wait once it is armed.
        const between = reason.Item?.taskToken === undefined && reason.Item?.version?.N === String(before.version);
        const stillWaiting =
          options.consumeToken !== undefined && (reason.Item?.taskToken?.S === options.consumeToken || between);
        throw new ConflictError(
          `lead ${before.id} was changed by someone else (it was at version ${before.version}); reload it and try again`,
          {
            leadId: before.id,
            ...(stillWaiting ? { retryable: true } : {}),
          },
        );
      }
      return after;
    },
  };
  // Beside the port, `keyMoves` builds items for `extra`: dedupe keys that follow an edit in the same transaction.
  return writer satisfies LeadWriter;
};
