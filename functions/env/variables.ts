import * as z from 'zod';
import { lazySchema } from '../core/lazy-schema';
import { EVENT_BUS_NAME } from '../core/events';
import { graceSecondsFrom } from '../core/webhook-secret-rotation';
import type { FunctionName, FunctionSpec } from '../routes';

/**
 * Every environment variable leadflow reads, named once: the stack (lib/), the local runtime and the
 * functions' composition files import these constants instead of spelling the names.
 */
export const ENV = {
  MODE: 'LEADFLOW_MODE',
  SOURCES: 'LEADFLOW_SOURCES',
  LOG_LEVEL: 'LOG_LEVEL',
  TABLE_NAME: 'TABLE_NAME',
  STATE_MACHINE_ARN: 'STATE_MACHINE_ARN',
  QUOTE_TIMER_STATE_MACHINE_ARN: 'QUOTE_TIMER_STATE_MACHINE_ARN',
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  WEBHOOK_SECRET_PREFIX: 'WEBHOOK_SECRET_PREFIX',
  WEBHOOK_SECRET_GRACE_SECONDS: 'WEBHOOK_SECRET_GRACE_SECONDS',
  ATTACHMENTS_BUCKET: 'ATTACHMENTS_BUCKET',
  IMPORTS_BUCKET: 'IMPORTS_BUCKET',
  NOTIFY_FROM: 'NOTIFY_FROM',
  NOTIFY_EMAIL_DOMAIN: 'NOTIFY_EMAIL_DOMAIN',
  NOTIFY_CONFIGURATION_SET: 'NOTIFY_CONFIGURATION_SET',
  CONSOLE_URL: 'CONSOLE_URL',
  IMPORT_BATCH_SIZE: 'IMPORT_BATCH_SIZE',
  IMPORT_MAX_CONCURRENCY: 'IMPORT_MAX_CONCURRENCY',
  IMPORT_STARTS_PER_SECOND: 'IMPORT_STARTS_PER_SECOND',
  IMPORT_STARTS_BURST: 'IMPORT_STARTS_BURST',
  IMPORT_API_STARTS_PER_SECOND: 'IMPORT_API_STARTS_PER_SECOND',
  OUTBOUND_TIMEOUT_MS: 'OUTBOUND_TIMEOUT_MS',
  /** Days a merge of leads can be undone (default 30). */
  MERGE_UNDO_DAYS: 'MERGE_UNDO_DAYS',
  OUTBOUND_ALLOW_INSECURE: 'OUTBOUND_ALLOW_INSECURE',
  LIFECYCLE_MAX_HISTORY_EVENTS: 'LIFECYCLE_MAX_HISTORY_EVENTS',
  LIFECYCLE_MAX_AGE_SECONDS: 'LIFECYCLE_MAX_AGE_SECONDS',
  // Local only: set by the local runtime (local/runtime.ts), never by the stack.
  AWS_REGION: 'AWS_REGION',
  DYNAMODB_ENDPOINT: 'DYNAMODB_ENDPOINT',
  SFN_ENDPOINT: 'SFN_ENDPOINT',
  EVENTS_ENDPOINT: 'EVENTS_ENDPOINT',
  SECRETSMANAGER_ENDPOINT: 'SECRETSMANAGER_ENDPOINT',
  WEBHOOK_SECRETS: 'LEADFLOW_WEBHOOK_SECRETS',
  NOTIFY_MODE: 'NOTIFY_MODE',
  PUBLIC_URL: 'PUBLIC_URL',
  BLOB_DIR: 'BLOB_DIR',
  LOCAL_JWT_SECRET: 'LEADFLOW_LOCAL_JWT_SECRET',
} as const;

export type FunctionNeed = FunctionSpec['needs'][number];

const text = z.string().min(1);
const optionalText = z.string().min(1).optional();
/** A positive number with a default; an empty or non-numeric value is refused rather than read as 0. */
const positive = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = Number(raw ?? fallback);
      if (!Number.isFinite(value) || value <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number, got '${raw}'` });
        return z.NEVER;
      }
      return value;
    });
/** 'true' switches it on; anything else (or nothing) leaves it off. */
const flag = z
  .string()
  .optional()
  .transform((raw) => raw === 'true');
const graceSeconds = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    try {
      return graceSecondsFrom(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** What every function reads, on AWS and locally. The stack sets LEADFLOW_SOURCES and EVENT_BUS_NAME for all. */
export const HOUSE_SCHEMA = z.object({
  /** 'local' only under the local runtime: it relaxes what exists only there (private webhook targets). */
  [ENV.MODE]: z.enum(['aws', 'local']).default('aws'),
  [ENV.SOURCES]: optionalText,
  // Every function may compose events the state machine puts on the bus (workflowSteps), so all know its name.
  [ENV.EVENT_BUS_NAME]: text.default(EVENT_BUS_NAME),
  [ENV.LOG_LEVEL]: z.preprocess(
    (v) => (typeof v === 'string' ? v.toUpperCase() : v),
    z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).optional(),
  ),
});

/**
 * One schema per need: the variables its binder in lib/function-needs.ts sets, and nothing else.
 * A function's parser takes exactly the schemas of its `needs` (functions/routes.ts); each is built
 * when a function with that need parses its environment, not at import (see core/lazy-schema.ts).
 */
export const NEED_SCHEMAS = {
  'table:read': lazySchema(() => z.object({ [ENV.TABLE_NAME]: text })),
  'table:write': lazySchema(() => z.object({ [ENV.TABLE_NAME]: text })),
  'workflow:start': lazySchema(() => z.object({ [ENV.STATE_MACHINE_ARN]: text })),
  'workflow:callback': lazySchema(() => z.object({ [ENV.STATE_MACHINE_ARN]: text })),
  'bus:put': lazySchema(() => z.object({ [ENV.EVENT_BUS_NAME]: text })),
  'quotes:timer': lazySchema(() => z.object({ [ENV.QUOTE_TIMER_STATE_MACHINE_ARN]: text })),
  'secrets:webhooks': lazySchema(() =>
    z.object({
      [ENV.WEBHOOK_SECRET_PREFIX]: optionalText,
      [ENV.WEBHOOK_SECRET_GRACE_SECONDS]: graceSeconds,
    }),
  ),
  'secrets:rotate': lazySchema(() =>
    z.object({ [ENV.WEBHOOK_SECRET_PREFIX]: text, [ENV.WEBHOOK_SECRET_GRACE_SECONDS]: graceSeconds }),
  ),
  // A run-time webhook source's first secret is created under the prefix.
  'secrets:create': lazySchema(() => z.object({ [ENV.WEBHOOK_SECRET_PREFIX]: text })),
  // Locally there is no bucket: attachments go to BLOB_DIR and imports are posted as rows.
  attachments: lazySchema(() => z.object({ [ENV.ATTACHMENTS_BUCKET]: optionalText })),
  imports: lazySchema(() => z.object({ [ENV.IMPORTS_BUCKET]: optionalText })),
  // Erasure removes attachments, exports and import files, and ends the lead's execution.
  privacy: lazySchema(() =>
    z.object({
      [ENV.ATTACHMENTS_BUCKET]: optionalText,
      [ENV.IMPORTS_BUCKET]: optionalText,
      [ENV.STATE_MACHINE_ARN]: text,
    }),
  ),
  email: lazySchema(() =>
    z.object({
      [ENV.NOTIFY_FROM]: optionalText,
      [ENV.NOTIFY_EMAIL_DOMAIN]: optionalText,
      [ENV.CONSOLE_URL]: optionalText,
    }),
  ),
} satisfies Record<FunctionNeed, z.ZodLazy<z.ZodObject>>;

/** Tuning of single functions, set by the construct that owns it (lib/import-workflow.ts) or by an operator. */
export const FUNCTION_SETTINGS = {
  importBatch: z.object({
    [ENV.IMPORT_BATCH_SIZE]: positive(100),
    [ENV.IMPORT_MAX_CONCURRENCY]: positive(5),
    [ENV.IMPORT_STARTS_PER_SECOND]: positive(20),
    [ENV.IMPORT_STARTS_BURST]: positive(20),
  }),
  importsApi: z.object({ [ENV.IMPORT_API_STARTS_PER_SECOND]: positive(50) }),
  outbound: z.object({ [ENV.OUTBOUND_TIMEOUT_MS]: positive(5000), [ENV.OUTBOUND_ALLOW_INSECURE]: flag }),
  subscriptionsApi: z.object({ [ENV.OUTBOUND_ALLOW_INSECURE]: flag }),
  notifications: z.object({ [ENV.NOTIFY_CONFIGURATION_SET]: optionalText }),
  leadMerge: z.object({ [ENV.MERGE_UNDO_DAYS]: positive(30) }),
  // Budgets below Step Functions' quotas (25,000 history events, one year) at which an execution hands over.
  workflowSteps: z.object({
    [ENV.LIFECYCLE_MAX_HISTORY_EVENTS]: positive(20_000),
    [ENV.LIFECYCLE_MAX_AGE_SECONDS]: positive(360 * 24 * 3600),
  }),
} satisfies Partial<Record<FunctionName, z.ZodObject>>;

/** What the local runtime sets in place of AWS: SDK endpoint overrides and local stand-ins. Never policy. */
export const LOCAL_SCHEMA = z.object({
  [ENV.AWS_REGION]: optionalText,
  [ENV.DYNAMODB_ENDPOINT]: optionalText,
  [ENV.SFN_ENDPOINT]: optionalText,
  [ENV.EVENTS_ENDPOINT]: optionalText,
  [ENV.SECRETSMANAGER_ENDPOINT]: optionalText,
  [ENV.WEBHOOK_SECRETS]: optionalText,
  [ENV.NOTIFY_MODE]: z.enum(['outbox', 'ses']).optional(),
  [ENV.PUBLIC_URL]: optionalText,
  [ENV.BLOB_DIR]: optionalText,
  [ENV.LOCAL_JWT_SECRET]: optionalText,
});
