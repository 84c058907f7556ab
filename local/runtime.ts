import { join } from 'node:path';
import { makeDynamoClient } from '../functions/adapters/aws-clients';
import { registerInProcessEndpoint } from '../functions/adapters/in-process-endpoint';
import { EVENT_BUS_NAME } from '../functions/core/events';
import { EVENT_RULES } from '../functions/core/event-rules';
import { formOrigins } from '../functions/http/cors';
import { makeAwsEndpoint, makeAwsJsonServices } from './aws-endpoint';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  loadSources,
  localWebhookSecrets,
  PROJECT_ROOT,
  QUOTE_TIMER_STATE_MACHINE,
} from './config';
import { makeCors } from './cors';
import { makeDevRoutes } from './dev-routes';
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from './dynamodb-local';
import { makeEngineAdmission } from './engine-admission';
import { LocalEventBus } from './event-bus';
import { freePort } from './free-port';
import { functionEnvironment } from './function-environment';
import { makeLocalFunctions } from './handlers';
import { makeHttpGateway } from './http-gateway';
import { serveLocalHttp } from './http-server';
import { makeLambdaInvoke } from './lambda-invoke';
import { resumeInFlightLeads, resumeQuoteTimers } from './resume';
import { LocalSecretsManager, seedWebhookSecrets } from './secrets-manager';
import { makeStaticFiles } from './static-files';
import { LocalWorkflowEngine } from './workflow-engine';

export type LocalRuntimeOptions = {
  /** 0 picks a free port. @default 3000 (or PORT) */
  port?: number;
  /** @default '127.0.0.1' (loopback only; whatever the address, only loopback Host names are served) */
  host?: string;
  /** On-disk data (DynamoDB, bus archive, blobs) kept across restarts. @default in memory (LEADFLOW_DATA_DIR) */
  dataDir?: string;
  /** Reuse a running DynamoDB Local instead of starting one (tests share one per run). */
  dynamodbEndpoint?: string;
  /** @default 'leadflow' */
  tableName?: string;
  /** Seconds a replaced webhook secret is still accepted after a rotation. @default WEBHOOK_SECRET_GRACE_SECONDS, else 24 h */
  webhookSecretGraceSeconds?: number;
  /** Deadline of every API request, in ms (tests). @default each function's timeoutSeconds, else 29 s */
  requestDeadlineMs?: number;
  log?: (line: string) => void;
  /**
   * Seconds between runs of the due sweep (recycles from nurture, parked starts), as the schedule
   * runs it on AWS; 0 runs it only when invoked (`aws lambda invoke --function-name dueSweep`).
   * @default LEADFLOW_LOCAL_SWEEP_SECONDS, else 60
   */
  sweepEverySeconds?: number;
  /**
   * Seconds between runs of the privacy retention sweep, as the daily schedule runs it on AWS; 0 runs it
   * only when invoked (`aws lambda invoke --function-name retentionSweep`).
   * @default LEADFLOW_LOCAL_RETENTION_SECONDS, else 86400
   */
  retentionEverySeconds?: number;
};

export type LocalRuntime = {
  url: string;
  port: number;
  tableName: string;
  dynamodbEndpoint: string;
  stateMachineArn: string;
  /** Each webhook source's current secret (read live: a rotation shows here at once). */
  readonly webhookSecrets: Record<string, string>;
  secretsManager: LocalSecretsManager;
  engine: LocalWorkflowEngine;
  bus: LocalEventBus;
  stop(): Promise<void>;
};

export const LIFECYCLE_STATE_MACHINE = 'leadflow-lifecycle';

/**
 * Starts leadflow on one machine: DynamoDB Local, the lifecycle definition on the local engine, the
 * local bus, and an HTTP server mounting every route of functions/routes.ts on its real handler.
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const log = options.log ?? (() => undefined);
  const dataDir = options.dataDir ?? process.env.LEADFLOW_DATA_DIR;
  const inData = (name: string) => (dataDir ? join(dataDir, name) : undefined);
  const tableName = options.tableName ?? 'leadflow';
  const dynamo: DynamoDbLocal | undefined = options.dynamodbEndpoint
    ? undefined
    : await startDynamoDbLocal({ dataDir: inData('dynamodb'), log });
  const dynamodbEndpoint = options.dynamodbEndpoint ?? (dynamo as DynamoDbLocal).endpoint;
  await ensureTable(dynamodbEndpoint, tableName);

  const port = options.port === 0 ? await freePort() : (options.port ?? Number(process.env.PORT ?? 3000));
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${port}`;
  const sources = loadSources();
  const secretsManager = new LocalSecretsManager(inData('secrets-manager.json'));
  const secretIds = seedWebhookSecrets(secretsManager, localWebhookSecrets(sources));
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${LIFECYCLE_STATE_MACHINE}`;
  const env = functionEnvironment({
    tableName,
    dynamodbEndpoint,
    url,
    port,
    stateMachineArn,
    sources,
    webhookSecretPrefix: secretIds.prefix,
    webhookSecretGraceSeconds: options.webhookSecretGraceSeconds,
    dataDir,
    logsRead: Boolean(options.log),
  });
  // The handlers read their configuration from the environment, as on Lambda.
  Object.assign(process.env, env);

  const functions = makeLocalFunctions();
  const bus = new LocalEventBus(
    (rule, event) => functions.invoke(rule.target, event).then(() => undefined),
    inData('events.jsonl'),
  );
  const dynamodb = makeDynamoClient(dynamodbEndpoint);
  const invokeFunction = async (arn: string, payload: unknown) =>
    JSON.parse(JSON.stringify((await functions.invoke(functions.byArn(arn), payload)) ?? null));
  const engine = new LocalWorkflowEngine(
    { dynamodb, invokeFunction, putEvents: async (entries) => bus.put(entries) },
    LOCAL_REGION,
    LOCAL_ACCOUNT,
  );
  engine.register(LIFECYCLE_STATE_MACHINE, join(PROJECT_ROOT, 'statemachines', 'lead-lifecycle.asl.json'), {
    TableName: tableName,
    TableArn: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${tableName}`,
    EventBusName: EVENT_BUS_NAME,
    EventBusArn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${EVENT_BUS_NAME}`,
    WorkflowStepsFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:workflowSteps`,
  });
  engine.register(QUOTE_TIMER_STATE_MACHINE, join(PROJECT_ROOT, 'statemachines', 'quote-expiry.asl.json'), {
    QuoteTimerFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:quoteTimer`,
  });

  const cors = makeCors(formOrigins(sources));
  const awsServices = makeAwsJsonServices({ engine, bus, rules: EVENT_RULES, secretsManager });
  const awsEndpoint = makeAwsEndpoint(awsServices);
  // The functions of this process reach Step Functions and EventBridge without a loopback HTTP round trip.
  const unregisterInProcess = registerInProcessEndpoint(url, awsServices);
  const devRoutes = makeDevRoutes({
    tableName,
    dynamodbEndpoint,
    stateMachineArn,
    dataDir,
    blobDir: env.BLOB_DIR as string,
    dynamodb,
    engine,
    bus,
  });
  const gateway = makeHttpGateway({
    functions,
    cors,
    admission: makeEngineAdmission(engine),
    log,
    deadlineMs: options.requestDeadlineMs,
  });
  const staticFiles = makeStaticFiles(join(PROJECT_ROOT, 'console', 'dist'));

  const lambdaInvoke = makeLambdaInvoke((name, event) => functions.invoke(name, event));
  const server = await serveLocalHttp(host, port, {
    awsEndpoint,
    lambdaInvoke,
    devRoutes,
    cors,
    gateway,
    staticFiles,
    log,
  });

  // The one timer of leads without an execution, as the stack's DueSweepSchedule runs it.
  const sweepSeconds = options.sweepEverySeconds ?? Number(process.env.LEADFLOW_LOCAL_SWEEP_SECONDS ?? 60);
  let sweeping = false;
  const sweepTimer =
    sweepSeconds > 0
      ? setInterval(() => {
          if (sweeping) return;
          sweeping = true;
          functions
            .invoke('dueSweep', {})
            .catch((error: Error) => log(`due sweep failed: ${error.message}`))
            .finally(() => {
              sweeping = false;
            });
        }, sweepSeconds * 1000).unref()
      : undefined;

  // The privacy retention rules, as the stack's RetentionSchedule runs them (daily unless told).
  const retentionSeconds =
    options.retentionEverySeconds ?? Number(process.env.LEADFLOW_LOCAL_RETENTION_SECONDS ?? 86_400);
  let retaining = false;
  const retentionTimer =
    retentionSeconds > 0
      ? setInterval(() => {
          if (retaining) return;
          retaining = true;
          functions
            .invoke('retentionSweep', {})
            .catch((error: Error) => log(`retention sweep failed: ${error.message}`))
            .finally(() => {
              retaining = false;
            });
        }, retentionSeconds * 1000).unref()
      : undefined;

  const runtime: LocalRuntime = {
    url,
    port,
    tableName,
    dynamodbEndpoint,
    stateMachineArn,
    get webhookSecrets() {
      return secretIds.current();
    },
    secretsManager,
    engine,
    bus,
    async stop() {
      clearInterval(sweepTimer);
      clearInterval(retentionTimer);
      // Order matters: no new requests, finish the ones in flight, let deliveries land, then the database.
      await server.close();
      unregisterInProcess();
      // Executions still queued or working would keep publishing; the table holds what a restart resumes from.
      engine.shutdown();
      await bus.drain();
      dynamodb.destroy();
      if (dynamo) await dynamo.stop();
    },
  };
  if (dataDir) {
    const resumed = await resumeInFlightLeads(runtime);
    if (resumed > 0) log(`resumed ${resumed} in-flight lead(s) from ${dataDir}`);
    const timers = await resumeQuoteTimers(runtime);
    if (timers > 0) log(`re-armed ${timers} sent quote timer(s) from ${dataDir}`);
  }
  return runtime;
};
