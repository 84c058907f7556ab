import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { FUNCTIONS } from '../../functions/routes';
import { buildApp } from './stack-fixture';
import { actionsOf, resourcesFor, statementsOfRole } from './template-helpers';

const tempFile = (name: string, content: unknown): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'leadflow-infra-')), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const ph = (name: string) => `\${${name}}`;
const someFunction = Object.keys(FUNCTIONS)[0] ?? 'captureWebhook';

describe('validation of what the stack is built from', () => {
  it('rejects a function need it does not know, naming it', () => {
    const functions = {
      ...FUNCTIONS,
      bogus: { folder: 'leads-api', description: 'bogus', needs: ['table:read', 'queue:poll'] as never },
    };
    expect(() => buildApp({ stack: { functions } })).toThrow(/function bogus: unknown need "queue:poll"/);
  });

  it('rejects a state machine definition that uses a substitution the stack does not provide', () => {
    const definition = tempFile('lifecycle.asl.json', {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Result: ph('SomethingElse'), End: true } },
    });
    expect(() => buildApp({ stack: { lifecycleDefinition: definition } })).toThrow(
      /\$\{SomethingElse\} that the stack does not provide/,
    );
  });

  it('rejects a state machine definition that calls a service the stack grants nothing for', () => {
    const definition = tempFile('lifecycle.asl.json', {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage',
          Parameters: { QueueUrl: 'x', MessageBody: 'y' },
          End: true,
        },
      },
    });
    expect(() => buildApp({ stack: { lifecycleDefinition: definition } })).toThrow(
      /calls arn:aws:states:::sqs:sendMessage, which the stack grants nothing for/,
    );
  });

  it('rejects an event rule whose target is not a function', () => {
    const eventRules = [{ name: 'orphan', description: 'x', pattern: { source: ['leadflow'] }, target: 'nobody' }];
    expect(() => buildApp({ stack: { eventRules } })).toThrow(/event rule orphan targets "nobody"/);
  });

  it('rejects an event pattern key EventBridge does not have', () => {
    const eventRules = [
      { name: 'typo', description: 'x', pattern: { detailType: ['LeadCreated'] }, target: someFunction },
    ];
    expect(() => buildApp({ stack: { eventRules } })).toThrow(/pattern key "detailType"/);
  });
});

describe('optional parts', () => {
  it('routes an event rule to its function with retries, an encrypted SSL-only DLQ and an alarm on its depth', () => {
    const pattern = {
      source: ['leadflow'],
      'detail-type': ['LeadCreated', 'LeadAssigned'],
      detail: { lead: { stage: [{ 'anything-but': 'Converted' }] } },
    };
    const { stack } = buildApp({
      stack: { eventRules: [{ name: 'sample-rule', description: 'sample', pattern, target: someFunction }] },
    });
    const template = Template.fromStack(stack);
    const fn = stack.functions[someFunction];
    if (!fn) throw new Error('no function');
    const queueId = stack.getLogicalId(stack.events.routed[0]?.deadLetterQueue.node.defaultChild as CfnFunction);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: stack.getLogicalId(stack.events.bus.node.defaultChild as CfnFunction) },
      EventPattern: pattern,
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [stack.getLogicalId(fn.fn.node.defaultChild as CfnFunction), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('builds the import workflow when its definition exists, granting only what the definition uses', () => {
    const importDefinition = tempFile('lead-import.asl.json', {
      StartAt: 'Rows',
      States: {
        Rows: {
          Type: 'Map',
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
            Parameters: { Bucket: ph('ImportsBucketName'), 'Key.$': '$.key' },
          },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Batch',
            States: {
              Batch: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: ph('ImportsApiFunctionArn'), 'Payload.$': '$' },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    });
    const { stack } = buildApp({ stack: { importDefinition } });
    const template = Template.fromStack(stack);
    expect(stack.imports).toBeDefined();
    if (!stack.imports) return;
    const machineId = stack.getLogicalId(stack.imports.stateMachine.node.defaultChild as CfnFunction);
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[machineId] as {
      Properties: Record<string, unknown>;
    };
    expect(Object.keys(machine.Properties.DefinitionSubstitutions as object).sort()).toEqual([
      'ImportsApiFunctionArn',
      'ImportsBucketName',
    ]);
    const statements = statementsOfRole(
      template,
      stack.getLogicalId(stack.imports.workflow.role.node.defaultChild as CfnFunction),
    );
    const integrations = [...actionsOf(statements)].filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));
    expect(integrations.sort()).toEqual([
      'lambda:InvokeFunction',
      's3:GetObject',
      'states:DescribeExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    expect(resourcesFor(statements, 'dynamodb:PutItem')).toEqual([]);
    expect(resourcesFor(statements, 's3:GetObject')).toEqual([
      JSON.stringify({
        'Fn::Join': [
          '',
          [
            { 'Fn::GetAtt': [stack.getLogicalId(stack.buckets.imports.node.defaultChild as CfnFunction), 'Arn'] },
            '/import-work/*',
          ],
        ],
      }),
    ]);
    // An upload under imports/ starts it, with the S3 event as input; failures wait in a DLQ.
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ Ref: stack.getLogicalId(stack.buckets.imports.node.defaultChild as CfnFunction) }] },
          object: { key: [{ prefix: 'imports/' }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: machineId },
          DeadLetterConfig: {
            Arn: {
              'Fn::GetAtt': [stack.getLogicalId(stack.imports.deadLetterQueue.node.defaultChild as CfnFunction), 'Arn'],
            },
          },
        }),
      ],
    });
  });

  it('warns, and publishes nothing, when the console is not built', () => {
    const { stack } = buildApp({ context: { consoleDist: '/nonexistent/console/dist' } });
    Annotations.fromStack(stack).hasWarning('/Leadflow/Console', Match.stringLikeRegexp('console is not built'));
    expect(Template.fromStack(stack).findResources('Custom::CDKBucketDeployment')).toEqual({});
  });

  it('creates the SES identity and lets email functions send only from it when emailFrom is set', () => {
    const { stack } = buildApp({
      context: { emailFrom: 'leads@example.com', emailIdentity: 'example.com', notifyEmailDomain: 'example.com' },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com' });
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      if (!(spec.needs as readonly string[]).includes('email')) continue;
      const fn = stack.functions[name];
      if (!fn) throw new Error(name);
      const resources = resourcesFor(
        statementsOfRole(template, stack.getLogicalId(fn.role.node.defaultChild as CfnFunction)),
        'ses:SendEmail',
      );
      expect(resources.some((r) => r.includes(':identity/example.com'))).toBe(true);
      expect(resources.some((r) => r.includes(':identity/*'))).toBe(false);
      expect(resources.some((r) => r.includes(':template/leadflow-*'))).toBe(true);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            NOTIFY_FROM: 'leads@example.com',
            NOTIFY_EMAIL_DOMAIN: 'example.com',
            CONSOLE_URL: Match.anyValue(),
          }),
        },
      });
    }
  });

  it('rejects an email sender outside the configured identity domain', () => {
    expect(() => buildApp({ context: { emailFrom: 'leads@other.org', emailIdentity: 'example.com' } })).toThrow(
      /not in the SES identity domain example.com/,
    );
  });

  it('applies context options: archive retention, throttling, log retention', () => {
    const { stack } = buildApp({
      context: { eventArchiveRetentionDays: '30', apiRateLimit: 20, apiBurstLimit: 40, logRetentionDays: 7 },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('rejects a log retention CloudWatch does not offer', () => {
    expect(() => buildApp({ context: { logRetentionDays: 8 } })).toThrow(/logRetentionDays must be one of/);
  });
});
