import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Locally `DYNAMODB_ENDPOINT` points at DynamoDB Local; on AWS it is unset. */
export const makeDynamoClient = (endpoint = process.env.DYNAMODB_ENDPOINT): DynamoDBClient =>
  new DynamoDBClient(
    endpoint
      ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 5 }
      : { maxAttempts: 5 },
  );

export const makeDocumentClient = (client: DynamoDBClient = makeDynamoClient()): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });

export const tableName = (): string => process.env.TABLE_NAME ?? 'leadflow';
