import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EVENT_DELIVERY } from '../functions/core/event-rules';
import { AslWorkflow, type Substitution } from './asl-workflow';
import { PROJECT_ROOT } from './config';
import { acknowledgeWildcardResource } from './nag';
import { ENV, FUNCTION_SETTINGS } from '../functions/env/variables';
import { IMPORT_PREFIXES } from '../functions/core/import/import-objects';

export const IMPORT_DEFINITION = join(PROJECT_ROOT, 'statemachines', 'lead-import.asl.json');

/** Substitutions offered besides one `<Name>FunctionArn` per function. */
export const IMPORT_FIXED_SUBSTITUTIONS = [
  'TableName',
  'TableArn',
  'EventBusName',
  'EventBusArn',
  'ImportsBucketName',
  'ImportsBucketArn',
  'LifecycleStateMachineArn',
] as const;

/** `captureWebhook` → `CaptureWebhookFunctionArn`: how a definition names a function's ARN. */
export const functionArnSubstitution = (name: string): string =>
  `${name.charAt(0).toUpperCase()}${name.slice(1)}FunctionArn`;

/**
 * How fast imports start lifecycle executions (docs/import.md, "Pacing lifecycle starts"). Standard
 * workflows' StartExecution is a token bucket per account and region refilling at 150/s in most
 * regions (300/s in us-east-1, us-west-2, eu-west-1): each import path stays under the smaller one.
 */
export type ImportPacing = {
  /** Rows per Distributed Map batch (ItemBatcher MaxItemsPerBatchPath). */
  readonly batchSize: number;
  /** Batches running at once (MaxConcurrencyPath). */
  readonly maxConcurrency: number;
  /** Lifecycle starts per second of one batch worker (its token bucket's refill). */
  readonly startsPerSecond: number;
  /** That bucket's size. */
  readonly startsBurst: number;
  /** Lifecycle starts per second of one `importsApi` instance (the CLI path: `PIPELINE` = 2 batches of one import in flight, each possibly in its own instance). */
  readonly apiStartsPerSecond: number;
};

/** The environment ImportWorkflow sets on the functions it paces. */
export const IMPORT_PACING_ENV: Readonly<Record<string, readonly string[]>> = {
  importBatch: Object.keys(FUNCTION_SETTINGS.importBatch.shape),
  importsApi: Object.keys(FUNCTION_SETTINGS.importsApi.shape),
};

export const DEFAULT_IMPORT_PACING: ImportPacing = {
  batchSize: 100,
  maxConcurrency: 5,
  startsPerSecond: 20,
  startsBurst: 20,
  apiStartsPerSecond: 50,
};
/** Batches one `leadflow import` keeps in flight (cli/import/run-import.ts PIPELINE). */
export const CLI_REQUESTS_IN_FLIGHT = 2;
/** StartExecution refill of Standard workflows outside us-east-1, us-west-2 and eu-west-1. */
export const START_EXECUTION_REFILL_PER_SECOND = 150;

export type ImportWorkflowProps = {
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly importsBucket: IBucket;
  /** ARN of the lifecycle state machine (imports start one execution per lead). */
  readonly lifecycleStateMachineArn: string;
  /** Every function by its FUNCTIONS name; the definition refers to them as `${<Name>FunctionArn}`. */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly stateMachineName: string;
  /**
   * Key prefix of uploads whose "Object Created" event starts an execution (the event is its input).
   * @default 'imports/'
   */
  readonly uploadPrefix?: string;
  /**
   * Key prefix the map's ItemReader reads (the normalised rows the first step writes).
   * @default 'import-work/'
   */
  readonly workPrefix?: string;
  /**
   * Key prefix the map's ResultWriter writes.
   * @default 'import-results/'
   */
  readonly resultsPrefix?: string;
  /**
   * The ASL file.
   * @default statemachines/lead-import.asl.json
   */
  readonly definitionFile?: string;
  /**
   * Days the execution log group keeps logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Batch size, concurrency and lifecycle start rates, set as the environment of `importBatch` and `importsApi`.
   * @default DEFAULT_IMPORT_PACING (≤ 100 starts/s per path)
   */
  readonly pacing?: Partial<ImportPacing>;
  /**
   * The account's StartExecution refill rate the pacing must stay under.
   * @default START_EXECUTION_REFILL_PER_SECOND (150/s)
   */
  readonly startExecutionRefillPerSecond?: number;
};

/**
 * The bulk-import workflow (Distributed Map over an uploaded file), from `statemachines/lead-import.asl.json`.
 * Substitutions offered: `TableName`, `TableArn`, `EventBusName`, `EventBusArn`, `ImportsBucketName`,
 * `ImportsBucketArn`, `LifecycleStateMachineArn`, and `<Name>FunctionArn` for every function. Grants
 * follow the integrations the definition calls (scoped to the table, bus, imports bucket, lifecycle
 * machine) and the functions it names.
 */
export class ImportWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly workflow: AslWorkflow;
  /** The rule that starts an execution per upload. */
  public readonly uploadRule: Rule;
  /** Upload events that could not start an execution. */
  public readonly deadLetterQueue: Queue;
  /** Raised when the DLQ holds a message. */
  public readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: ImportWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const uploadPrefix = props.uploadPrefix ?? IMPORT_PREFIXES.uploads;
    const workPrefix = props.workPrefix ?? IMPORT_PREFIXES.work;
    const resultsPrefix = props.resultsPrefix ?? IMPORT_PREFIXES.results;
    const pacing = { ...DEFAULT_IMPORT_PACING, ...props.pacing };
    const refill = props.startExecutionRefillPerSecond ?? START_EXECUTION_REFILL_PER_SECOND;
    if (!Object.values(pacing).every((v) => Number.isFinite(v) && v > 0))
      throw new Error(`import pacing values must be positive numbers, got ${JSON.stringify(pacing)}`);
    if (
      pacing.maxConcurrency * pacing.startsPerSecond > refill ||
      CLI_REQUESTS_IN_FLIGHT * pacing.apiStartsPerSecond > refill
    ) {
      throw new Error(
        `import pacing would start up to ${pacing.maxConcurrency * pacing.startsPerSecond}/s (workflow: ${pacing.maxConcurrency} batches × ${pacing.startsPerSecond}/s) and ${CLI_REQUESTS_IN_FLIGHT * pacing.apiStartsPerSecond}/s (CLI: ${CLI_REQUESTS_IN_FLIGHT} requests × ${pacing.apiStartsPerSecond}/s); StartExecution refills at ${refill}/s`,
      );
    }
    const onTable = (action: string) => [
      new PolicyStatement({ actions: [`dynamodb:${action}`], resources: [props.table.tableArn] }),
    ];
    const substitutions: Record<string, Substitution> = {
      TableName: { value: props.table.tableName },
      TableArn: { value: props.table.tableArn },
      EventBusName: { value: props.bus.eventBusName },
      EventBusArn: { value: props.bus.eventBusArn },
      ImportsBucketName: { value: props.importsBucket.bucketName },
      ImportsBucketArn: { value: props.importsBucket.bucketArn },
      LifecycleStateMachineArn: { value: props.lifecycleStateMachineArn },
    };
    // Which function a Lambda task calls, or which machine it starts, is known from its placeholder:
    // those grants come with the substitution; the rest follows the integrations called.
    const integrations: Record<string, PolicyStatement[]> = {
      'arn:aws:states:::lambda:invoke': [],
      'arn:aws:states:::dynamodb:getItem': onTable('GetItem'),
      'arn:aws:states:::dynamodb:putItem': onTable('PutItem'),
      'arn:aws:states:::dynamodb:updateItem': onTable('UpdateItem'),
      'arn:aws:states:::events:putEvents': [
        new PolicyStatement({ actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }),
      ],
      // Distributed Map: ItemReader reads the prepared rows, ResultWriter writes batch results (multipart).
      'arn:aws:states:::s3:getObject': [
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [props.importsBucket.arnForObjects(`${workPrefix}*`)],
        }),
      ],
      'arn:aws:states:::s3:putObject': [
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
          resources: [props.importsBucket.arnForObjects(`${resultsPrefix}*`)],
        }),
      ],
      'arn:aws:states:::states:startExecution': [
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [props.lifecycleStateMachineArn] }),
      ],
    };
    for (const [name, fn] of Object.entries(props.functions)) {
      substitutions[functionArnSubstitution(name)] = {
        value: fn.functionArn,
        grants: [
          new PolicyStatement({
            actions: ['lambda:InvokeFunction'],
            resources: [fn.functionArn, `${fn.functionArn}:*`],
          }),
        ],
      };
    }
    const ownArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const ownExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.workflow = new AslWorkflow(this, 'Workflow', {
      definitionFile: props.definitionFile ?? IMPORT_DEFINITION,
      stateMachineName: props.stateMachineName,
      substitutions,
      integrations,
      // A Distributed Map runs its batches as child executions of this same machine.
      extraGrants: [
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [ownArn] }),
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [ownExecutions],
        }),
      ],
      logRetention: props.logRetention,
    });
    this.stateMachine = this.workflow.stateMachine;
    acknowledgeWildcardResource(
      this.workflow.role,
      ownExecutions,
      "Distributed Map child executions get generated names; the grant covers only this machine's executions.",
    );
    if (this.workflow.integrations.includes('arn:aws:states:::s3:getObject')) {
      acknowledgeWildcardResource(
        this.workflow.role,
        props.importsBucket.arnForObjects(`${workPrefix}*`),
        'The map reads the rows file prepared per job under the work prefix of the imports bucket only.',
      );
    }
    if (this.workflow.integrations.includes('arn:aws:states:::s3:putObject')) {
      acknowledgeWildcardResource(
        this.workflow.role,
        props.importsBucket.arnForObjects(`${resultsPrefix}*`),
        'ResultWriter writes generated result keys under the results prefix of the imports bucket only.',
      );
    }

    // The upload starts the execution: S3 "Object Created" (EventBridge) → this machine, the event as input.
    this.deadLetterQueue = new Queue(this, 'UploadEventsDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the upload rule target; cdk-nag only recognises SQS redrive DLQs.',
    });
    this.uploadRule = new Rule(this, 'UploadStartsImport', {
      description: `An upload under ${uploadPrefix} in the imports bucket starts the import workflow`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.importsBucket.bucketName] }, object: { key: [{ prefix: uploadPrefix }] } },
      },
      targets: [
        new SfnStateMachine(this.stateMachine, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: EVENT_DELIVERY.retryAttempts,
          maxEventAge: Duration.seconds(EVENT_DELIVERY.maxEventAgeSeconds),
        }),
      ],
    });
    this.alarm = new Alarm(this, 'UploadEventsDeadLettersAlarm', {
      alarmDescription: 'An import upload could not start the import workflow; its event waits in the DLQ',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // The prepare step hands batch size and concurrency to the Map through the state (…Path), read from here.
    const importBatch = props.functions.importBatch;
    if (importBatch instanceof LambdaFunction) {
      importBatch.addEnvironment(ENV.IMPORT_BATCH_SIZE, String(pacing.batchSize));
      importBatch.addEnvironment(ENV.IMPORT_MAX_CONCURRENCY, String(pacing.maxConcurrency));
      importBatch.addEnvironment(ENV.IMPORT_STARTS_PER_SECOND, String(pacing.startsPerSecond));
      importBatch.addEnvironment(ENV.IMPORT_STARTS_BURST, String(pacing.startsBurst));
    }
    const importsApi = props.functions.importsApi;
    if (importsApi instanceof LambdaFunction)
      importsApi.addEnvironment(ENV.IMPORT_API_STARTS_PER_SECOND, String(pacing.apiStartsPerSecond));
    for (const fn of Object.values(props.functions)) {
      acknowledgeWildcardResource(
        this.workflow.role,
        `${fn.functionArn}:*`,
        'Invoking a function by version or alias ARN needs the ":*" form; it covers this function only.',
      );
    }
  }
}
