import type { DedupeKey } from '../core/dedupe';
import type { Fingerprint } from '../core/similarity';
import { keys } from './keys';

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
