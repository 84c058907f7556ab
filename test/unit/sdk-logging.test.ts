import { describe, expect, it } from '@jest/globals';
import { makeDynamoClient } from '../../functions/adapters/aws-clients';
import { makeEventBridgeClient } from '../../functions/adapters/event-publisher';
import { makeSfnClient } from '../../functions/adapters/workflow-client';

const middlewareNames = (client: { middlewareStack: { identify(): string[] } }) =>
  client.middlewareStack.identify().map((entry) => entry.split(' ')[0]);

describe('SDK clients without the SDK logger (no logger is ever given; its record was built and dropped)', () => {
  it.each([
    ['DynamoDB', () => makeDynamoClient('http://127.0.0.1:1')],
    ['DynamoDB on AWS', () => makeDynamoClient(undefined)],
    ['Step Functions', () => makeSfnClient('http://127.0.0.1:1')],
    ['EventBridge', () => makeEventBridgeClient('http://127.0.0.1:1')],
  ])('%s: no loggerMiddleware, the rest of the stack kept', (_name, make) => {
    const client = make();
    const names = middlewareNames(client);
    expect(names).not.toContain('loggerMiddleware');
    expect(names).toEqual(expect.arrayContaining(['retryMiddleware', 'deserializerMiddleware']));
    client.destroy();
  });
});
