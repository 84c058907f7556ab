import { join } from 'node:path';
import type { SourceConfig } from '../functions/core/sources';
import { EVENT_BUS_NAME } from '../functions/core/events';
import { METRICS_NAMESPACE } from '../functions/core/metric-facts';
import { LOCAL_REGION, PROJECT_ROOT, QUOTE_TIMER_STATE_MACHINE } from './config';

export type FunctionEnvironmentInput = {
  tableName: string;
  dynamodbEndpoint: string;
  /** This runtime's own URL: it serves Step Functions, EventBridge and Secrets Manager too. */
  url: string;
  port: number;
  stateMachineArn: string;
  sources: SourceConfig[];
  webhookSecretPrefix: string;
  webhookSecretGraceSeconds?: number;
  dataDir?: string;
  /** Someone reads the runtime's log (`npm start`): the functions' EMF metric lines go there too. */
  logsRead?: boolean;
};

/** The environment the functions read, as the stack sets it on Lambda, pointed at the local parts. */
export const functionEnvironment = (
  input: FunctionEnvironmentInput,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> => ({
  // The one switch for local leniency (outbound webhooks to loopback receivers); never inferred from other variables.
  LEADFLOW_MODE: 'local',
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  TABLE_NAME: input.tableName,
  DYNAMODB_ENDPOINT: input.dynamodbEndpoint,
  SFN_ENDPOINT: input.url,
  EVENTS_ENDPOINT: input.url,
  EVENT_BUS_NAME,
  STATE_MACHINE_ARN: input.stateMachineArn,
  QUOTE_TIMER_STATE_MACHINE_ARN: input.stateMachineArn.replace(
    /:stateMachine:.*$/,
    `:stateMachine:${QUOTE_TIMER_STATE_MACHINE}`,
  ),
  LEADFLOW_SOURCES: JSON.stringify(input.sources),
  WEBHOOK_SECRET_PREFIX: input.webhookSecretPrefix,
  SECRETSMANAGER_ENDPOINT: input.url,
  ...(input.webhookSecretGraceSeconds === undefined
    ? {}
    : { WEBHOOK_SECRET_GRACE_SECONDS: String(input.webhookSecretGraceSeconds) }),
  NOTIFY_MODE: 'outbox',
  PUBLIC_URL: input.url,
  BLOB_DIR: join(input.dataDir ?? join(PROJECT_ROOT, '.leadflow', `blobs-${input.port}`), 'blobs'),
  // No StartExecution quota here: the local engine runs a bounded number of executions at once and queues the rest.
  IMPORT_API_STARTS_PER_SECOND: env.IMPORT_API_STARTS_PER_SECOND ?? '1000',
  POWERTOOLS_DEV: 'false',
  // One process runs every function: one service name; no X-Ray; EMF metrics on stdout only where someone reads the log.
  POWERTOOLS_SERVICE_NAME: 'leadflow',
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  POWERTOOLS_TRACE_ENABLED: 'false',
  // Without X-Ray, its SDK's automatic mode (cls-hooked) would still put an async hook with a destroy
  // callback on every promise of the one process: measured 30x slower on an await-heavy loop, 12 % of
  // the runtime's CPU in an import's drain. Manual mode installs no hook; tracing is off here anyway.
  AWS_XRAY_MANUAL_MODE: 'true',
  POWERTOOLS_METRICS_DISABLED: env.POWERTOOLS_METRICS_DISABLED ?? String(!input.logsRead),
  LOG_LEVEL: env.LOG_LEVEL ?? 'WARN',
});
