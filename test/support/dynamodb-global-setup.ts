import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { DYNAMODB_ENDPOINT_VARIABLE } from './dynamodb-endpoint';

/** The global setup's DynamoDB Local, kept for the global teardown (both run in jest's parent process). */
export const RUN_DYNAMODB = Symbol.for('leadflow.test.dynamodb');
export type RunGlobals = typeof globalThis & { [RUN_DYNAMODB]?: DynamoDbLocal };

/**
 * One DynamoDB Local for the whole run; each test file makes its own table. Workers start after this
 * and inherit the parent's environment, which is how they learn the endpoint.
 */
export default async function setup() {
  const db = await startDynamoDbLocal();
  (globalThis as RunGlobals)[RUN_DYNAMODB] = db;
  process.env[DYNAMODB_ENDPOINT_VARIABLE] = db.endpoint;
}
