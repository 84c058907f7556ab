import { baseItemsOf } from './index-items';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { LearnedModel, Outcome } from '../core/scoring/learned-model';
import type { ModelStore, OutcomeSource } from '../core/scoring/training';
import { reportKeys as keys } from './keys';
import { leadFromItem } from './lead-item';
import { TABLE } from './table-definition';

const modelOf = (item: Record<string, unknown> | undefined) => (item?.model as LearnedModel | undefined) ?? undefined;

/**
 * Scoring models as versioned items (V#n, never overwritten) plus ACTIVE, a copy of the one leads
 * are scored with. Training outcomes come from the stage index (Converted, Disqualified), never a scan.
 */
export const makeScoringRepository = (db: DynamoDBDocumentClient, table: string): ModelStore & OutcomeSource => ({
  async latest() {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': keys.model(0).pk, ':v': 'V#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return modelOf(out.Items?.[0]);
  },
  async active() {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.activeModel(), ConsistentRead: true }));
    return modelOf(out.Item);
  },
  async save(model) {
    const version = {
      Put: {
        TableName: table,
        Item: { ...keys.model(model.version), type: 'scoring-model', model },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    if (!model.active) {
      await db.send(new PutCommand(version.Put));
      return;
    }
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          version,
          {
            Put: {
              TableName: table,
              Item: { ...keys.activeModel(), type: 'scoring-model-active', version: model.version, model },
            },
          },
        ],
      }),
    );
  },
  async outcomes(limit) {
    const result: Outcome[] = [];
    // Half the budget per outcome, so a long history of one kind cannot crowd out the other.
    for (const stage of ['Converted', 'Disqualified'] as const) {
      const stop = result.length + Math.ceil(limit / 2);
      let start: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: table,
            IndexName: TABLE.indexes.byStage.name,
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': `STAGE#${stage}` },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of await baseItemsOf(db, table, out.Items ?? []))
          result.push({ lead: leadFromItem(item), converted: stage === 'Converted' });
        start = out.LastEvaluatedKey;
      } while (start && result.length < stop);
    }
    return result;
  },
});
