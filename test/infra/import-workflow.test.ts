import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { CLI_REQUESTS_IN_FLIGHT, ImportWorkflow, START_EXECUTION_REFILL_PER_SECOND } from '../../lib/import-workflow';
import { PIPELINE } from '../../cli/import/run-import';
import type { LeadflowStack } from '../../lib/leadflow-stack';
import { buildApp } from './stack-fixture';
import { actionsOf, type Resource, resourcesFor, statementsOfRole } from './template-helpers';

/**
 * The import on AWS, as the template wires it: upload → EventBridge rule → import state machine →
 * Distributed Map over the prepared rows → the importBatch function, with its grants and pacing.
 */
let stack: LeadflowStack;
let template: Template;
let workflow: ImportWorkflow;
const idOf = (construct: { node: { defaultChild?: unknown } } | undefined) =>
  stack.getLogicalId((construct?.node.defaultChild ?? construct) as never);

type State = Record<string, unknown> & {
  Type: string;
  States?: Record<string, State>;
  ItemProcessor?: { ProcessorConfig: Record<string, string>; States: Record<string, State> };
};

beforeAll(() => {
  stack = buildApp().stack;
  template = Template.fromStack(stack);
  if (!stack.imports)
    throw new Error('the stack built no import workflow (statemachines/lead-import.asl.json or its functions missing)');
  workflow = stack.imports;
});

const stateMachine = () => template.toJSON().Resources[idOf(workflow.stateMachine)] as Resource;
const definition = () => {
  const body = stateMachine().Properties?.DefinitionString;
  return JSON.parse(typeof body === 'string' ? body : JSON.stringify(body)) as { States: Record<string, State> };
};
const functionResource = (name: string) => template.toJSON().Resources[idOf(stack.functions[name]?.fn)] as Resource;
const envOf = (name: string) =>
  ((functionResource(name).Properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ??
    {}) as Record<string, string>;

describe('bulk import on AWS', () => {
  it('starts the import state machine from the imports bucket\u2019s Object Created events under imports/, with a DLQ', () => {
    const bucketId = idOf(stack.buckets.imports);
    const bucket = template.toJSON().Resources[bucketId] as Resource;
    expect(bucket.Properties?.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });

    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: bucketId }] }, object: { key: [{ prefix: 'imports/' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: idOf(workflow.stateMachine) },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(workflow.deadLetterQueue), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
        }),
      ],
    });
  });

  it('maps over the prepared rows with a Distributed Map: S3 CSV reader, batches and concurrency from the prepare step, Express children calling importBatch', () => {
    const states = definition().States;
    const maps = Object.values(states).filter((s) => s.Type === 'Map');
    expect(maps).toHaveLength(1);
    const map = maps[0] as State;

    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      Parameters: { 'Bucket.$': '$.file.bucket', 'Key.$': '$.file.rowsKey' },
    });
    expect(map.ItemBatcher).toMatchObject({
      MaxItemsPerBatchPath: '$.file.batchSize',
      MaxInputBytesPerBatch: expect.any(Number),
    });
    expect((map.ItemBatcher as { MaxInputBytesPerBatch: number }).MaxInputBytesPerBatch).toBeLessThanOrEqual(
      256 * 1024,
    );
    expect(map.MaxConcurrencyPath).toBe('$.file.maxConcurrency');
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    const tasks = Object.values(map.ItemProcessor?.States ?? {});
    expect(tasks.map((t) => (t.Parameters as { FunctionName: string }).FunctionName)).toEqual([
      `\${ImportBatchFunctionArn}`,
    ]);
    // The prepare step's result carries batch size and concurrency into the paths the Map reads.
    expect(states.PrepareFile?.ResultSelector).toMatchObject({
      'batchSize.$': '$.Payload.batchSize',
      'maxConcurrency.$': '$.Payload.maxConcurrency',
    });

    expect(stateMachine().Properties?.DefinitionSubstitutions).toMatchObject({
      ImportBatchFunctionArn: { 'Fn::GetAtt': [idOf(stack.functions.importBatch?.fn), 'Arn'] },
    });
  });

  it('lets the state machine invoke importBatch, read the work prefix, write results and run its own child executions, and nothing broader', () => {
    const statements = statementsOfRole(template, idOf(workflow.workflow.role));
    const bucketArn = JSON.stringify({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(stack.buckets.imports), 'Arn'] }, '/import-work/*']],
    });

    expect(resourcesFor(statements, 'lambda:InvokeFunction')).toContain(
      JSON.stringify({ 'Fn::GetAtt': [idOf(stack.functions.importBatch?.fn), 'Arn'] }),
    );
    expect(resourcesFor(statements, 's3:GetObject')).toContain(bucketArn);
    expect(resourcesFor(statements, 's3:PutObject').every((r) => r.includes('/import-results/*'))).toBe(true);
    expect(resourcesFor(statements, 'states:StartExecution').join()).toContain('-lead-import');
    expect([...actionsOf(statements)].filter((a) => a.endsWith('*'))).toEqual([]);
  });

  it('gives importBatch the table, the lifecycle start and the imports bucket, and the pacing inside the StartExecution refill', () => {
    const statements = statementsOfRole(template, idOf(stack.functions.importBatch?.role));
    const actions = actionsOf(statements);
    // TransactWriteItems is authorised item by item (PutItem, UpdateItem, ConditionCheckItem).
    for (const action of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchGetItem',
      'states:StartExecution',
      's3:GetObject',
      's3:PutObject',
    ])
      expect(actions, action).toContain(action);
    expect(resourcesFor(statements, 'states:StartExecution').join()).toContain('-lead-lifecycle');

    const env = envOf('importBatch');
    const concurrency = Number(env.IMPORT_MAX_CONCURRENCY);
    const rate = Number(env.IMPORT_STARTS_PER_SECOND);
    expect(Number(env.IMPORT_BATCH_SIZE)).toBeGreaterThan(0);
    expect(Number(env.IMPORT_STARTS_BURST)).toBeGreaterThanOrEqual(1);
    expect(concurrency * rate).toBeLessThanOrEqual(START_EXECUTION_REFILL_PER_SECOND);
    // The CLI path: each batch in flight may run in its own importsApi instance with its own bucket.
    expect(CLI_REQUESTS_IN_FLIGHT).toBe(PIPELINE);
    expect(PIPELINE * Number(envOf('importsApi').IMPORT_API_STARTS_PER_SECOND)).toBeLessThanOrEqual(
      START_EXECUTION_REFILL_PER_SECOND,
    );
  });

  it('refuses pacing that would exceed the StartExecution refill rate, saying what it would start', () => {
    const scope = new Stack(new App(), 'Pacing');
    const build = () => {
      const { stack: full } = buildApp();
      return new ImportWorkflow(scope, 'Import', {
        table: full.table.table,
        bus: full.events.bus,
        importsBucket: full.buckets.imports,
        lifecycleStateMachineArn: 'arn:aws:states:eu-central-1:123456789012:stateMachine:x',
        functions: {},
        stateMachineName: 'too-fast',
        pacing: { maxConcurrency: 10, startsPerSecond: 20 },
      });
    };
    expect(build).toThrow(/up to 200\/s \(workflow: 10 batches × 20\/s\).*refills at 150\/s/);
  });
});
