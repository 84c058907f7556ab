/**
 * The single table's shape, defined once: the stack creates it from this, the local runtime creates
 * DynamoDB Local's copy from this, and the repositories build keys against it.
 */
/**
 * What the list indexes (`byOwner`, `byStage`) hold besides their keys: the attributes their queries
 * filter on or read directly (list filters and narrowing, the aging report's oldest open leads). A
 * lead write that changes none of them (a wait's task token, a score, a field edit, a follower's note)
 * writes no index item; readers that need the whole lead read it by key (`baseItemsOf`).
 */
export const LIST_INDEX_ATTRIBUTES = [
  'id',
  'type',
  'stage',
  'owner',
  'team',
  'createdAt',
  'escalations',
  'stageDeadline',
  'followers',
  'sourceId',
  'campaign',
  'scoreBand',
  'duplicates',
] as const;

export const TABLE = {
  defaultName: 'leadflow',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: {
    /**
     * Leads by owner (or the unassigned queue), newest first. Lean (`LIST_INDEX_ATTRIBUTES`): a new
     * name, because DynamoDB cannot change an index's projection in place (see README "Upgrading the list indexes").
     */
    byOwner: {
      name: 'byOwnerLean',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      include: LIST_INDEX_ATTRIBUTES,
      /** The all-attribute index it replaces, read while a table moves to the lean one (`withFormerIndexFallback`). */
      former: 'byOwner',
    },
    /** Leads by stage, newest first (also sent quotes, `QUOTES#sent`). Lean, as byOwner. */
    byStage: {
      name: 'byStageLean',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
      include: LIST_INDEX_ATTRIBUTES,
      former: 'byStage',
    },
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

type IndexDefinition = { name: string; partitionKey: string; sortKey: string; include?: readonly string[] };
/** An index's projection: every attribute, or its keys and the attributes it includes. */
export const projectionOf = (index: IndexDefinition) =>
  index.include
    ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.include] }
    : { ProjectionType: 'ALL' as const };

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
    Projection: projectionOf(i),
  })),
});
