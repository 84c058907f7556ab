import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type DedupeKey, MAX_LISTED_LEADS } from '../core/dedupe';
import type { Fingerprint } from '../core/similarity';
import { keys } from './keys';
import { isConditionalCheckFailed } from './transaction';

/** The lookup item for one dedupe value lists every lead holding it (a set, so adding twice is harmless). */
export const addLeadToKey = (table: string, key: DedupeKey, leadId: string, expectedLeads?: number) => ({
  Update: {
    TableName: table,
    Key: keys.dedupe(key),
    UpdateExpression: 'ADD leadIds :id SET #type = :type, #on = :on, #value = :value',
    // With `expectedLeads`, the write holds only if nobody added a lead to this value since it was read:
    // two captures of the same person cannot both miss each other.
    // A write that loses gets the item back, so the capture can decide again on who won without a lookup.
    ...(expectedLeads === undefined
      ? {}
      : {
          ConditionExpression: expectedLeads === 0 ? 'attribute_not_exists(leadIds)' : 'size(leadIds) = :n',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        }),
    ExpressionAttributeNames: { '#type': 'type', '#on': 'on', '#value': 'value' },
    ExpressionAttributeValues: {
      ':id': new Set([leadId]),
      ':type': 'dedupe-key',
      ':on': key.on,
      ':value': key.value,
      ...(expectedLeads ? { ':n': expectedLeads } : {}),
    },
  },
});

/**
 * The earlier lead of a pair learns the later one (`matchedBy`, a list): once (a retry finds it there),
 * and not on a lead gone or merged since. It leaves the version alone: a lifecycle write that read the
 * lead just before carries the list it read, so in that moment's race the flag can be lost (the lead
 * page still finds the pair through the keys).
 *
 * The list stops at MAX_LISTED_LEADS: the lead is flagged long before that, and the list lives on the
 * lead item itself, which every lifecycle step rewrites. Unbounded, a shared switchboard number under
 * `create` grew the oldest leads by 26 bytes per later lead, until DynamoDB's 400 KB item limit
 * refused every write to them. Dismissing pairs shortens it again.
 */
export const linkBackUpdate = (table: string, earlierId: string, laterId: string) => ({
  TableName: table,
  Key: keys.lead(earlierId),
  UpdateExpression: 'SET matchedBy = list_append(if_not_exists(matchedBy, :none), :later)',
  ConditionExpression:
    'attribute_exists(pk) AND attribute_not_exists(mergedInto) AND (attribute_not_exists(matchedBy) OR (NOT contains(matchedBy, :id) AND size(matchedBy) < :max))',
  ExpressionAttributeValues: { ':none': [], ':later': [laterId], ':id': laterId, ':max': MAX_LISTED_LEADS },
});

export const removeLeadFromKey = (table: string, key: DedupeKey, leadId: string) => ({
  Update: {
    TableName: table,
    Key: keys.dedupe(key),
    UpdateExpression: 'DELETE leadIds :id',
    ExpressionAttributeValues: { ':id': new Set([leadId]) },
  },
});

/**
 * A blocking key lists its leads like an exact key and keeps each one's fingerprint (`fps`), so the
 * capture's one BatchGet of its keys brings the candidates' fields for scoring: no second read.
 * A fingerprint whose lead has left `leadIds` is ignored by the reader.
 */
export const addLeadToBlock = (table: string, key: DedupeKey, fingerprint: Fingerprint, expectedLeads?: number) => {
  const add = addLeadToKey(table, key, fingerprint.id, expectedLeads);
  return {
    Update: {
      ...add.Update,
      UpdateExpression: `${add.Update.UpdateExpression}, fps = list_append(if_not_exists(fps, :none), :fp)`,
      ExpressionAttributeValues: { ...add.Update.ExpressionAttributeValues, ':none': [], ':fp': [fingerprint] },
    },
  };
};

/** Shared by the capture stores: one conditional update per earlier lead, a refused condition being "already there". */
export const linkBackWith =
  (db: DynamoDBDocumentClient, table: string) => async (leadId: string, earlierIds: readonly string[]) => {
    await Promise.all(
      [...new Set(earlierIds)]
        .filter((id) => id !== leadId)
        .map((id) =>
          db.send(new UpdateCommand(linkBackUpdate(table, id, leadId))).catch((error: unknown) => {
            if (!isConditionalCheckFailed(error)) throw error;
          }),
        ),
    );
  };
