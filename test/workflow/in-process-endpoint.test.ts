import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from '@jest/globals';
import { makeEventBridgeClient, makeEventPublisher } from '../../functions/adapters/event-publisher';
import { registerInProcessEndpoint } from '../../functions/adapters/in-process-endpoint';
import { makeSfnClient } from '../../functions/adapters/workflow-client';
import { makeAwsJsonServices } from '../../local/aws-endpoint';
import { LocalEventBus } from '../../local/event-bus';
import { LocalSecretsManager } from '../../local/secrets-manager';
import { LocalWorkflowEngine } from '../../local/workflow-engine';

/**
 * The functions of the local runtime's process reach its Step Functions and EventBridge services without a
 * socket; the real SDK clients still serialise, parse and raise the real exception classes.
 */
const url = 'http://127.0.0.1:1'; // nothing listens there: only the in-process path can answer
const definition = join(mkdtempSync(join(tmpdir(), 'leadflow-in-process-')), 'one.asl.json');
writeFileSync(definition, JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }));

const parts = () => {
  const delivered: string[] = [];
  const bus = new LocalEventBus(async (_rule, event) => void delivered.push(event['detail-type']), undefined, [
    { name: 'all', pattern: { source: ['leadflow'] }, target: 'notifications' } as never,
  ]);
  const engine = new LocalWorkflowEngine(
    { dynamodb: {} as DynamoDBClient, invokeFunction: async () => null, putEvents: async () => [] },
    'local',
    '000000000000',
  );
  const arn = engine.register('one', definition, {});
  const services = makeAwsJsonServices({ engine, bus, rules: [], secretsManager: new LocalSecretsManager() });
  return { engine, bus, arn, services, delivered };
};

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

describe('in-process AWS endpoint of the local runtime', () => {
  it('starts an execution, answers its description, and raises ExecutionAlreadyExists for a second start with other input', async () => {
    const { engine, arn, services } = parts();
    cleanup.push(registerInProcessEndpoint(url, services), () => engine.shutdown());
    const sfn = makeSfnClient(url);

    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'lead-1', input: '{}' }));
    const again = sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'lead-1', input: '{"x":1}' }));

    expect(started.executionArn).toBe(engine.executions.get(started.executionArn ?? '')?.executionArn);
    await expect(again).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.name).toBe('lead-1');
  });

  it('puts events on the bus through the publisher', async () => {
    const { engine, bus, services } = parts();
    cleanup.push(registerInProcessEndpoint(url, services), () => engine.shutdown());
    const publisher = makeEventPublisher(makeEventBridgeClient(url), 'leadflow');

    await publisher.publish([{ source: 'leadflow', detailType: 'LeadCreated', detail: { leadId: 'L1' } } as never]);

    expect(bus.log.map((e) => [e.source, e['detail-type'], e.detail.leadId])).toEqual([
      ['leadflow', 'LeadCreated', 'L1'],
    ]);
  });

  it('after the runtime unregisters, a client made for it fails as a refused connection', async () => {
    const { engine, arn, services } = parts();
    cleanup.push(() => engine.shutdown());
    const unregister = registerInProcessEndpoint(url, services);
    const sfn = makeSfnClient(url);
    unregister();

    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'late', input: '{}' })),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(engine.executions.size).toBe(0);
  }, 30_000);
});
