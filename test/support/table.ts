import { ulid } from 'ulid';
import { testDynamoEndpoint } from './dynamodb-endpoint';
import { makeDocumentClient, makeDynamoClient } from '../../functions/adapters/aws-clients';
import { ensureTable } from '../../local/dynamodb-local';

/** A fresh table on the shared DynamoDB Local, so test files never see each other's data. */
export const freshTable = async (prefix = 't') => {
  const endpoint = testDynamoEndpoint();
  const name = `${prefix}-${ulid().toLowerCase()}`;
  await ensureTable(endpoint, name);
  const client = makeDynamoClient(endpoint);
  return { endpoint, name, client, db: makeDocumentClient(client) };
};
