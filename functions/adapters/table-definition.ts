/**
 * The single table's shape, defined once: the stack creates it from this, the local runtime creates
 * DynamoDB Local's copy from this, and the repositories build keys against it.
 */
export const TABLE = {
  defaultName: 'leadflow',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: {
    /** Leads by owner (or the unassigned queue), newest first. */
    byOwner: { name: 'byOwner', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Leads by stage, newest first. */
    byStage: { name: 'byStage', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** Open approval tasks by approver or group; and leads with an open duplicate set (`DUPLICATES#OPEN`, sparse). */
    byAssignee: { name: 'byAssignee', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /**
     * Sparse: only leads with something due (a recycle from nurture, a parked execution start), by
     * due time. One partition: these writes are rare (a disqualification, a refused start), and the
     * one sweep reads the head of it every minute.
     */
    byDue: { name: 'byDue', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  },
} as const;

/** The same definition in CreateTable's shape (used locally; the stack maps it to CDK props). */
export const createTableInput = (tableName: string) => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [
    TABLE.partitionKey,
    TABLE.sortKey,
    ...Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey]),
  ].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
  KeySchema: [
    { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
  ],
  GlobalSecondaryIndexes: Object.values(TABLE.indexes).map((i) => ({
    IndexName: i.name,
    KeySchema: [
      { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  })),
});
