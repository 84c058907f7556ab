import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

/** One DynamoDB Local per test project run; each test file makes its own table. */
export default async function setup(project: TestProject) {
  const db = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', db.endpoint);
  return () => db.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
