import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type SourceConfig, sourcesSchema } from '../functions/core/sources';
import { DEFAULT_WEBHOOK_SECRET_PREFIX } from '../functions/core/webhook-secret-rotation';
import { LIST_INDEX_MIGRATION_STEPS, type ListIndexMigrationStep } from './leads-table';

/** Where the repository root is, whoever runs the app (cdk CLI, jest, tsx). */
export const PROJECT_ROOT = join(import.meta.dirname, '..');

/** Everything a deployment can vary. Built by {@link loadConfig} from `leadflow.config.json` and CDK context. */
export type LeadflowConfig = {
  /** Lead sources (`leadflow.config.json` → `sources`): webhook ones get a secret each. */
  readonly sources: readonly SourceConfig[];
  /** Secrets Manager name prefix of the webhook secrets (`<prefix><sourceId>`). */
  readonly webhookSecretPrefix: string;
  /** Hours a replaced webhook secret is still accepted after a rotation (0 to 168). */
  readonly webhookSecretGraceHours: number;
  /** Days the event archive keeps events for replay. */
  readonly eventArchiveRetentionDays: number;
  /** Days CloudWatch keeps function, API and state machine logs. */
  readonly logRetentionDays: RetentionDays;
  /** Steady-state requests per second across the HTTP API. */
  readonly apiRateLimit: number;
  /** Burst of requests the HTTP API absorbs above the rate. */
  readonly apiBurstLimit: number;
  /** Extra origins allowed by CORS besides the console's CloudFront origin (e.g. a local console). */
  readonly corsOrigins: readonly string[];
  /** SES sender address for notifications; unset: email notifications cannot be sent. */
  readonly emailFrom?: string;
  /** SES identity to create and verify (a domain or an address); defaults to `emailFrom`'s address. */
  readonly emailIdentity?: string;
  /** Prefix of a Cognito hosted sign-in domain; unset: no hosted domain (SRP sign-in). */
  readonly cognitoDomainPrefix?: string;
  /** Domain for `<user>@<domain>` notification addresses of users without an email preference. */
  readonly notifyEmailDomain?: string;
  /** Address subscribed to the alarm topic; unset: the topic has no subscriber. */
  readonly alarmEmail?: string;
  /** Thresholds of the alarms on the leadflow metrics (the ops dashboard). */
  readonly alarms: {
    /** Stage SLAs run out (LeadAging) within an hour before the alarm fires. @default 25 */
    readonly slaBreachesPerHour: number;
    /** p99 capture latency in ms over five minutes, worst capture function. @default 3000 */
    readonly captureLatencyP99Ms: number;
    /** Refused captures (invalid, malformed, duplicate under `reject`, spam) in five minutes. @default 50 */
    readonly rejectsPerFiveMinutes: number;
  };
  /** EventBridge Scheduler expression for retraining the scoring model. */
  readonly scoringTrainSchedule: string;
  /** Built console to publish; absent: the console bucket stays empty and synth warns. */
  readonly consoleDist: string;
  /** A step of moving an existing table to the lean list indexes (context `listIndexMigration`; README). */
  readonly listIndexMigration?: ListIndexMigrationStep;
};

/** The context keys `bin/app.ts` reads (`npx cdk deploy -c key=value`). */
export const CONTEXT_KEYS = [
  'configFile',
  'webhookSecretPrefix',
  'webhookSecretGraceHours',
  'eventArchiveRetentionDays',
  'logRetentionDays',
  'apiRateLimit',
  'apiBurstLimit',
  'corsOrigins',
  'emailFrom',
  'emailIdentity',
  'notifyEmailDomain',
  'alarmEmail',
  'alarmSlaBreachesPerHour',
  'alarmCaptureLatencyP99Ms',
  'alarmRejectsPerFiveMinutes',
  'cognitoDomainPrefix',
  'scoringTrainSchedule',
  'consoleDist',
  'listIndexMigration',
] as const;

const RETENTIONS = new Set<number>(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

const positiveNumber = (key: string, raw: unknown, fallback: number): number => {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`context ${key} must be a positive number, received ${JSON.stringify(raw)}`);
  return value;
};

/** 0 is allowed (a rotation then revokes the old secret at once); at most a week. */
const graceHours = (raw: unknown): number => {
  if (raw === undefined || raw === '') return 24;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 168)
    throw new Error(
      `context webhookSecretGraceHours must be a number of hours from 0 to 168, received ${JSON.stringify(raw)}`,
    );
  return value;
};

const optionalString = (raw: unknown): string | undefined =>
  typeof raw === 'string' && raw.length > 0 ? raw : undefined;

const stringList = (key: string, raw: unknown): string[] => {
  if (raw === undefined || raw === '') return [];
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  throw new Error(`context ${key} must be a list or a comma-separated string, received ${JSON.stringify(raw)}`);
};

const listIndexMigration = (raw: unknown): ListIndexMigrationStep | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if ((LIST_INDEX_MIGRATION_STEPS as readonly unknown[]).includes(raw)) return raw as ListIndexMigrationStep;
  throw new Error(
    `context listIndexMigration must be one of ${LIST_INDEX_MIGRATION_STEPS.join(', ')}, received ${JSON.stringify(raw)}`,
  );
};

/** Reads `leadflow.config.json`'s sources, validated by the same schema the functions use. */
export const readSources = (file: string): SourceConfig[] => {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { sources?: unknown };
  const parsed = sourcesSchema.safeParse(raw.sources ?? []);
  if (!parsed.success) throw new Error(`${file}: sources are invalid: ${parsed.error.message}`);
  return parsed.data;
};

/** Builds the deployment configuration from CDK context (`-c key=value`, cdk.json) and the config file. */
export const loadConfig = (scope: Construct): LeadflowConfig => {
  const ctx = (key: (typeof CONTEXT_KEYS)[number]): unknown => scope.node.tryGetContext(key);
  const configFile = optionalString(ctx('configFile')) ?? join(PROJECT_ROOT, 'leadflow.config.json');
  const logRetentionDays = positiveNumber('logRetentionDays', ctx('logRetentionDays'), RetentionDays.ONE_MONTH);
  if (!RETENTIONS.has(logRetentionDays)) {
    throw new Error(
      `context logRetentionDays must be one of ${[...RETENTIONS].join(', ')}, received ${logRetentionDays}`,
    );
  }
  return {
    sources: readSources(configFile),
    webhookSecretPrefix: optionalString(ctx('webhookSecretPrefix')) ?? DEFAULT_WEBHOOK_SECRET_PREFIX,
    webhookSecretGraceHours: graceHours(ctx('webhookSecretGraceHours')),
    eventArchiveRetentionDays: positiveNumber('eventArchiveRetentionDays', ctx('eventArchiveRetentionDays'), 90),
    logRetentionDays: logRetentionDays as RetentionDays,
    apiRateLimit: positiveNumber('apiRateLimit', ctx('apiRateLimit'), 50),
    apiBurstLimit: positiveNumber('apiBurstLimit', ctx('apiBurstLimit'), 100),
    corsOrigins: stringList('corsOrigins', ctx('corsOrigins')),
    emailFrom: optionalString(ctx('emailFrom')),
    emailIdentity: optionalString(ctx('emailIdentity')),
    notifyEmailDomain: optionalString(ctx('notifyEmailDomain')),
    alarmEmail: optionalString(ctx('alarmEmail')),
    alarms: {
      slaBreachesPerHour: positiveNumber('alarmSlaBreachesPerHour', ctx('alarmSlaBreachesPerHour'), 25),
      captureLatencyP99Ms: positiveNumber('alarmCaptureLatencyP99Ms', ctx('alarmCaptureLatencyP99Ms'), 3000),
      rejectsPerFiveMinutes: positiveNumber('alarmRejectsPerFiveMinutes', ctx('alarmRejectsPerFiveMinutes'), 50),
    },
    cognitoDomainPrefix: optionalString(ctx('cognitoDomainPrefix')),
    scoringTrainSchedule: optionalString(ctx('scoringTrainSchedule')) ?? 'rate(1 day)',
    consoleDist: optionalString(ctx('consoleDist')) ?? join(PROJECT_ROOT, 'console', 'dist'),
    listIndexMigration: listIndexMigration(ctx('listIndexMigration')),
  };
};
