import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ENV } from '../functions/env/variables';
import type { FunctionSpec } from '../functions/routes';
import type { LeadflowFunction } from './leadflow-function';
import { acknowledgeWildcardResource } from './nag';
import type { IConstruct } from 'constructs';

export type FunctionNeed = FunctionSpec['needs'][number];

/** What the stack offers the functions; each need takes what it grants from here. */
export type NeedResources = {
  readonly table: ITable;
  readonly bus: IEventBus;
  /** ARN of the lead lifecycle state machine (built from its name, so functions and machine do not cycle). */
  readonly lifecycleStateMachineArn: string;
  /** ARN of the quote-expiry state machine (built from its name, like the lifecycle's). */
  readonly quoteTimerStateMachineArn?: string;
  readonly webhookSecrets: readonly ISecret[];
  readonly webhookSecretPrefix: string;
  /** Seconds a replaced webhook secret is still accepted after a rotation (`WEBHOOK_SECRET_GRACE_SECONDS`). */
  readonly webhookSecretGraceSeconds: number;
  readonly attachmentsBucket: IBucket;
  readonly importsBucket: IBucket;
  /** SES sender address, when configured. */
  readonly emailFrom?: string;
  /** Domain that makes `<user>@<domain>` addresses for users without an email preference. */
  readonly notifyEmailDomain?: string;
  /** The console's URL, for links in notifications. */
  readonly consoleUrl: string;
  /** SES identity name (domain or address) the sender belongs to, when configured. */
  readonly emailIdentity?: string;
};

type Binder = (fn: LeadflowFunction, r: NeedResources) => void;

const ack = (fn: LeadflowFunction, resource: string, reason: string) =>
  acknowledgeWildcardResource(fn.role, resource, reason);

const tableIndexAck = (fn: LeadflowFunction, table: ITable) =>
  ack(
    fn,
    `${table.tableArn}/index/*`,
    'Queries go through the table\'s GSIs; "index/*" covers exactly this table\'s indexes.',
  );

/**
 * The ARN pattern of every webhook secret: `<prefix><sourceId>` plus the six characters Secrets Manager
 * appends. Sources are created at run time, so their secrets cannot be listed at deploy time.
 */
export const webhookSecretsArn = (scope: IConstruct, prefix: string): string =>
  Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

const WEBHOOK_PREFIX_REASON =
  'Webhook secrets are named <prefix><sourceId> and sources are created at run time (POST /sources), so their ARNs are known only by the prefix; the grant covers that prefix and nothing else.';

/**
 * Every `needs` value → its IAM grant and its environment variables, in one place so they cannot
 * drift; the variables are those of the need's schema in functions/env/variables.ts (a test compares them). A `Record` over the union: adding a need to `functions/routes.ts` without mapping it here
 * fails the type check; an unknown value at runtime fails the synth ({@link bindNeeds}).
 */
export const NEED_BINDERS: Record<FunctionNeed, Binder> = {
  'table:read': (fn, r) => {
    fn.addEnvironment(ENV.TABLE_NAME, r.table.tableName);
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [r.table.tableArn, `${r.table.tableArn}/index/*`],
      }),
    );
    tableIndexAck(fn, r.table);
  },
  'table:write': (fn, r) => {
    fn.addEnvironment(ENV.TABLE_NAME, r.table.tableName);
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [r.table.tableArn],
      }),
    );
  },
  'workflow:start': (fn, r) => {
    fn.addEnvironment(ENV.STATE_MACHINE_ARN, r.lifecycleStateMachineArn);
    fn.role.addToPolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [r.lifecycleStateMachineArn] }),
    );
  },
  'workflow:callback': (fn, r) => {
    fn.addEnvironment(ENV.STATE_MACHINE_ARN, r.lifecycleStateMachineArn);
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: [r.lifecycleStateMachineArn],
      }),
    );
  },
  'quotes:timer': (fn, r) => {
    if (!r.quoteTimerStateMachineArn)
      throw new Error(`function ${fn.node.id}: needs quotes:timer but the stack has no quote-expiry state machine`);
    fn.addEnvironment(ENV.QUOTE_TIMER_STATE_MACHINE_ARN, r.quoteTimerStateMachineArn);
    fn.role.addToPolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [r.quoteTimerStateMachineArn] }),
    );
  },
  'bus:put': (fn, r) => {
    fn.addEnvironment(ENV.EVENT_BUS_NAME, r.bus.eventBusName);
    fn.role.addToPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [r.bus.eventBusArn] }));
  },
  'secrets:webhooks': (fn, r) => {
    fn.addEnvironment(ENV.WEBHOOK_SECRET_PREFIX, r.webhookSecretPrefix);
    fn.addEnvironment(ENV.WEBHOOK_SECRET_GRACE_SECONDS, String(r.webhookSecretGraceSeconds));
    // Any version the secret holds, so AWSPREVIOUS too: the replaced secret is accepted during the grace window.
    // Every secret under the prefix: the stack's and those of sources created at run time (POST /sources).
    const secrets = webhookSecretsArn(fn, r.webhookSecretPrefix);
    fn.role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secrets] }));
    ack(fn, secrets, WEBHOOK_PREFIX_REASON);
  },
  'secrets:rotate': (fn, r) => {
    fn.addEnvironment(ENV.WEBHOOK_SECRET_PREFIX, r.webhookSecretPrefix);
    fn.addEnvironment(ENV.WEBHOOK_SECRET_GRACE_SECONDS, String(r.webhookSecretGraceSeconds));
    // Write only, under the prefix (sources created at run time rotate too): the rotating function never reads a
    // value, so a leak of its role cannot reveal any secret.
    const secrets = webhookSecretsArn(fn, r.webhookSecretPrefix);
    fn.role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [secrets] }));
    ack(fn, secrets, WEBHOOK_PREFIX_REASON);
  },
  'secrets:create': (fn, r) => {
    fn.addEnvironment(ENV.WEBHOOK_SECRET_PREFIX, r.webhookSecretPrefix);
    // A webhook source created at run time gets its first secret here (CreateSecret; PutSecretValue when a secret
    // of that name is left from an earlier source). Names outside the prefix cannot be created; nothing is read.
    const secrets = webhookSecretsArn(fn, r.webhookSecretPrefix);
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
        resources: [secrets],
      }),
    );
    ack(fn, secrets, WEBHOOK_PREFIX_REASON);
  },
  attachments: (fn, r) => {
    fn.addEnvironment(ENV.ATTACHMENTS_BUCKET, r.attachmentsBucket.bucketName);
    // Presigned PUT and GET are signed with these two actions; nothing lists or deletes. Keys are
    // leads/<leadId>/<attachmentId> (functions/core/feed/attachment-policy.ts).
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [r.attachmentsBucket.arnForObjects('leads/*')],
      }),
    );
    ack(
      fn,
      r.attachmentsBucket.arnForObjects('leads/*'),
      'Attachment keys are generated per upload under leads/<leadId>/; the grant is limited to that prefix of the attachments bucket.',
    );
  },
  imports: (fn, r) => {
    fn.addEnvironment(ENV.IMPORTS_BUCKET, r.importsBucket.bucketName);
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [r.importsBucket.arnForObjects('*')],
      }),
    );
    ack(
      fn,
      r.importsBucket.arnForObjects('*'),
      'Import file keys are generated per job; the grant is limited to objects of the imports bucket.',
    );
    // The import state machine is started by the upload's S3 event (ImportWorkflow), not by a function.
  },
  privacy: (fn, r) => {
    const executions = r.lifecycleStateMachineArn.replace(':stateMachine:', ':execution:');
    fn.addEnvironment(ENV.ATTACHMENTS_BUCKET, r.attachmentsBucket.bucketName);
    fn.addEnvironment(ENV.IMPORTS_BUCKET, r.importsBucket.bucketName);
    fn.addEnvironment(ENV.STATE_MACHINE_ARN, r.lifecycleStateMachineArn);
    // An erasure reads and deletes a lead's attachments, writes and deletes subject-access exports, deletes
    // the import files a person's rows came from, and stops the lead's execution (named after the lead).
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [
          r.attachmentsBucket.arnForObjects('leads/*'),
          r.attachmentsBucket.arnForObjects('privacy-exports/*'),
        ],
      }),
    );
    fn.role.addToPolicy(
      new PolicyStatement({ actions: ['s3:DeleteObject'], resources: [r.importsBucket.arnForObjects('*')] }),
    );
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [`${executions}:*`],
      }),
    );
    for (const resource of [
      r.attachmentsBucket.arnForObjects('leads/*'),
      r.attachmentsBucket.arnForObjects('privacy-exports/*'),
      r.importsBucket.arnForObjects('*'),
      `${executions}:*`,
    ])
      ack(
        fn,
        resource,
        'Erasure acts on objects and executions named per lead (or per export); limited to their prefixes.',
      );
  },
  email: (fn, r) => {
    const stack = Stack.of(fn);
    if (r.emailFrom) fn.addEnvironment(ENV.NOTIFY_FROM, r.emailFrom);
    if (r.notifyEmailDomain) fn.addEnvironment(ENV.NOTIFY_EMAIL_DOMAIN, r.notifyEmailDomain);
    fn.addEnvironment(ENV.CONSOLE_URL, r.consoleUrl);
    const identity = r.emailIdentity ?? r.emailFrom;
    const arn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    // SESv2 SendEmail checks the sender identity and, for templated mail, the template (leadflow-<DetailType>).
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [arn('identity', identity ?? '*'), arn('template', 'leadflow-*')],
      }),
    );
    ack(
      fn,
      arn('template', 'leadflow-*'),
      'One SES template per event type, named leadflow-<DetailType>; the grant covers those templates only.',
    );
    if (!identity)
      ack(
        fn,
        arn('identity', '*'),
        'No SES identity configured (context emailFrom); sending is limited to identities verified in this account and region.',
      );
  },
};

/** Grants a function exactly its needs (and sets their environment); throws on a need it does not know. */
export const bindNeeds = (fn: LeadflowFunction, needs: readonly string[], resources: NeedResources): void => {
  for (const need of new Set(needs)) {
    const binder = (NEED_BINDERS as Record<string, Binder | undefined>)[need];
    if (!binder)
      throw new Error(`function ${fn.node.id}: unknown need "${need}"; known: ${Object.keys(NEED_BINDERS).join(', ')}`);
    binder(fn, resources);
  }
};
