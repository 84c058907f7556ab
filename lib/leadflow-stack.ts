import { existsSync } from 'node:fs';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { EVENT_RULES } from '../functions/core/event-rules';
import { formOrigins } from '../functions/http/cors';
import { ENV } from '../functions/env/variables';
import { FUNCTIONS, type FunctionName, type FunctionSpec, ROUTES, type Route } from '../functions/routes';
import { stateMachineArnFor } from './asl-workflow';
import type { LeadflowConfig } from './config';
import { allowChatbotAliases } from './chatbot-permissions';
import { ConsoleHosting } from './console-hosting';
import { EmailSending } from './email-sending';
import { bindNeeds } from './function-needs';
import { IMPORT_DEFINITION, ImportWorkflow } from './import-workflow';
import { type EventRuleSpec, LeadEvents } from './lead-events';
import { LeadflowApi } from './leadflow-api';
import { LeadflowFunction } from './leadflow-function';
import { LeadsTable } from './leads-table';
import { LIFECYCLE_DEFINITION, LifecycleWorkflow } from './lifecycle-workflow';
import { QUOTE_TIMER_FUNCTION, QuoteExpiryWorkflow } from './quote-expiry-workflow';
import { acknowledgeFrameworkHandlers } from './nag';
import { OpsDashboard } from './ops-dashboard';
import { ScoringSchedule } from './scoring-schedule';
import { DueSweepSchedule } from './due-sweep-schedule';
import { RetentionSchedule } from './retention-schedule';
import { StorageBuckets } from './storage-buckets';
import { WebhookSecrets } from './webhook-secrets';

/** The FUNCTIONS entry the lifecycle definition's Lambda tasks call. */
export const WORKFLOW_STEPS_FUNCTION = 'workflowSteps';
/** The FUNCTIONS entry the scoring schedule invokes, when present. */
export const SCORING_TRAIN_FUNCTION = 'scoringTrain';
/** Who emits which leadflow metric (functions/core/metric-facts.ts): the dashboard's widgets and alarms read these functions' `service`. */
const CAPTURE_FUNCTIONS: readonly FunctionName[] = ['captureWebhook', 'captureForm', 'leadsApi'];
const IMPORT_FUNCTIONS: readonly FunctionName[] = ['importsApi', 'importBatch'];
const APPROVALS_FUNCTION: FunctionName = 'approvalTasks';

export type LeadflowStackProps = StackProps & {
  readonly config: LeadflowConfig;
  /**
   * Function specs by name.
   * @default FUNCTIONS from functions/routes.ts
   */
  readonly functions?: Readonly<Record<string, FunctionSpec>>;
  /**
   * HTTP routes.
   * @default ROUTES from functions/routes.ts
   */
  readonly routes?: readonly Route[];
  /**
   * Event rules.
   * @default EVENT_RULES from functions/core/event-rules.ts
   */
  readonly eventRules?: readonly EventRuleSpec[];
  /**
   * Lifecycle ASL file.
   * @default statemachines/lead-lifecycle.asl.json
   */
  readonly lifecycleDefinition?: string;
  /**
   * Import ASL file; the import workflow is created only when it exists.
   * @default statemachines/lead-import.asl.json
   */
  readonly importDefinition?: string;
};

/**
 * leadflow on AWS, built from the shared definitions: the table from TABLE, one function per
 * FUNCTIONS entry (grants from its `needs`), the HTTP API from ROUTES, the lifecycle (and import)
 * state machine from `statemachines/`, the event rules from EVENT_RULES.
 */
export class LeadflowStack extends Stack {
  public readonly table: LeadsTable;
  public readonly events: LeadEvents;
  public readonly buckets: StorageBuckets;
  public readonly webhookSecrets: WebhookSecrets;
  public readonly functions: Record<string, LeadflowFunction> = {};
  public readonly lifecycle: LifecycleWorkflow;
  /** One execution per sent quote version, expiring it at the end of its validity. */
  public quoteExpiry?: QuoteExpiryWorkflow;
  public readonly imports?: ImportWorkflow;
  public readonly api: LeadflowApi;
  public readonly console: ConsoleHosting;
  public readonly ops: OpsDashboard;

  constructor(scope: Construct, id: string, props: LeadflowStackProps) {
    super(scope, id, props);
    const { config } = props;
    const specs = props.functions ?? FUNCTIONS;
    const routes = props.routes ?? ROUTES;
    const eventRules = props.eventRules ?? EVENT_RULES;
    const lifecycleDefinition = props.lifecycleDefinition ?? LIFECYCLE_DEFINITION;
    const importDefinition = props.importDefinition ?? IMPORT_DEFINITION;

    this.table = new LeadsTable(this, 'Leads', { listIndexMigration: config.listIndexMigration });
    this.events = new LeadEvents(this, 'Events', { archiveRetentionDays: config.eventArchiveRetentionDays });
    this.buckets = new StorageBuckets(this, 'Storage', { corsOrigins: config.corsOrigins });
    this.webhookSecrets = new WebhookSecrets(this, 'WebhookSecrets', {
      sources: config.sources,
      prefix: config.webhookSecretPrefix,
      logRetention: config.logRetentionDays,
    });
    const email = config.emailFrom
      ? new EmailSending(this, 'Email', { from: config.emailFrom, identity: config.emailIdentity })
      : undefined;

    // Named, so functions hold its ARN without depending on the machine (which depends on a function).
    const lifecycleName = `${this.stackName}-lead-lifecycle`;
    const importName = `${this.stackName}-lead-import`;
    const hasImport = existsSync(importDefinition);
    const lifecycleStateMachineArn = stateMachineArnFor(this, lifecycleName);
    const quoteTimerName = `${this.stackName}-quote-expiry`;
    const quoteTimerStateMachineArn = stateMachineArnFor(this, quoteTimerName);

    const sourcesJson = JSON.stringify(config.sources);
    if (Buffer.byteLength(sourcesJson) > 3000) {
      throw new Error(
        `leadflow.config.json sources take ${Buffer.byteLength(sourcesJson)} bytes as LEADFLOW_SOURCES; Lambda allows 4 KB of environment in all. Move sources to the config table.`,
      );
    }
    // The console first: its URL (a token) goes into function environments, CORS and Cognito callbacks.
    this.console = new ConsoleHosting(this, 'Console', {
      distDir: config.consoleDist,
      logBucket: this.buckets.logs,
      connectSources: [
        `https://*.execute-api.${this.region}.amazonaws.com`,
        `https://cognito-idp.${this.region}.amazonaws.com`,
        `https://*.auth.${this.region}.amazoncognito.com`,
        `https://*.s3.${this.region}.amazonaws.com`,
        'https://*.s3.amazonaws.com',
      ],
    });
    this.buckets.allowBrowserTransfersFrom([this.console.url]);
    const resources = {
      table: this.table.table,
      bus: this.events.bus,
      lifecycleStateMachineArn,
      quoteTimerStateMachineArn,
      webhookSecrets: this.webhookSecrets.secrets,
      webhookSecretPrefix: config.webhookSecretPrefix,
      webhookSecretGraceSeconds: Math.round(config.webhookSecretGraceHours * 3600),
      attachmentsBucket: this.buckets.attachments,
      importsBucket: this.buckets.imports,
      emailFrom: email?.from,
      emailIdentity: email?.identityName,
      notifyEmailDomain: config.notifyEmailDomain,
      consoleUrl: this.console.url,
    };
    for (const [name, spec] of Object.entries(specs)) {
      const fn = new LeadflowFunction(this, name, {
        spec,
        logRetention: config.logRetentionDays,
        // EVENT_BUS_NAME for all: a function may compose events that the state machine puts (workflowSteps).
        environment: { [ENV.SOURCES]: sourcesJson, [ENV.EVENT_BUS_NAME]: this.events.bus.eventBusName },
      });
      bindNeeds(fn, spec.needs, resources);
      this.functions[name] = fn;
    }
    const chatbot = this.functions.captureChatbot;
    if (chatbot) allowChatbotAliases(chatbot.fn, config.sources);
    const lambdas: Record<string, IFunction> = Object.fromEntries(
      Object.entries(this.functions).map(([name, f]) => [name, f.fn]),
    );

    this.lifecycle = new LifecycleWorkflow(this, 'Lifecycle', {
      table: this.table.table,
      bus: this.events.bus,
      stepsFunction: lambdas[WORKFLOW_STEPS_FUNCTION],
      stateMachineName: lifecycleName,
      definitionFile: lifecycleDefinition,
      logRetention: config.logRetentionDays,
    });
    const quoteTimer = lambdas[QUOTE_TIMER_FUNCTION];
    if (quoteTimer)
      this.quoteExpiry = new QuoteExpiryWorkflow(this, 'QuoteExpiry', {
        timerFunction: quoteTimer,
        stateMachineName: quoteTimerName,
        logRetention: config.logRetentionDays,
      });
    if (hasImport) {
      this.imports = new ImportWorkflow(this, 'Import', {
        table: this.table.table,
        bus: this.events.bus,
        importsBucket: this.buckets.imports,
        lifecycleStateMachineArn,
        functions: lambdas,
        stateMachineName: importName,
        definitionFile: importDefinition,
        logRetention: config.logRetentionDays,
      });
    }

    for (const rule of eventRules) {
      const target = lambdas[rule.target];
      if (!target)
        throw new Error(
          `event rule ${rule.name} targets "${rule.target}", which is not in FUNCTIONS (${Object.keys(lambdas).join(', ')})`,
        );
      this.events.route(rule, target);
    }

    this.api = new LeadflowApi(this, 'Api', {
      routes,
      functions: lambdas,
      corsOrigins: [...new Set([this.console.url, ...config.corsOrigins, ...formOrigins(config.sources)])],
      // Only the deployed console: locally the console signs in with development tokens, not Cognito.
      callbackUrls: [`${this.console.url}/`],
      cognitoDomainPrefix: config.cognitoDomainPrefix,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      logRetention: config.logRetentionDays,
    });
    // Read by the console (console/src/auth.ts) at start: where the API is and how to sign in.
    this.console.publish({
      apiUrl: this.api.url,
      region: this.region,
      userPoolId: this.api.userPool.userPoolId,
      cognito: {
        domain: this.api.signInUrl,
        clientId: this.api.userPoolClient.userPoolClientId,
        scopes: ['openid', 'email', 'profile'],
      },
    });

    const scoring = lambdas[SCORING_TRAIN_FUNCTION];
    if (scoring)
      new ScoringSchedule(this, 'ScoringSchedule', { target: scoring, expression: config.scoringTrainSchedule });

    // Leads that hold no execution (nurtured, a start parked by the open-execution limit) wait on one sweep.
    const sweep = lambdas.dueSweep;
    if (sweep) new DueSweepSchedule(this, 'DueSweepSchedule', { target: sweep });

    // The privacy retention rules run daily, by the configuration as it is at run time.
    const retention = lambdas.retentionSweep;
    if (retention) new RetentionSchedule(this, 'RetentionSchedule', { target: retention });

    const machines: Record<string, typeof this.lifecycle.stateMachine> = { Lifecycle: this.lifecycle.stateMachine };
    if (this.imports) machines.Import = this.imports.stateMachine;
    this.ops = new OpsDashboard(this, 'Ops', {
      api: this.api.api,
      functions: lambdas,
      stateMachines: machines,
      deadLetterQueues: {
        ...Object.fromEntries(
          this.events.routed.map((r) => [r.rule.node.scope?.node.id ?? r.rule.node.path, r.deadLetterQueue]),
        ),
        ...(this.imports ? { 'import-uploads': this.imports.deadLetterQueue } : {}),
      },
      otherAlarms: [...this.events.routed.map((r) => r.alarm), ...(this.imports ? [this.imports.alarm] : [])],
      alarmEmail: config.alarmEmail,
      applicationMetrics:
        WORKFLOW_STEPS_FUNCTION in lambdas &&
        APPROVALS_FUNCTION in lambdas &&
        CAPTURE_FUNCTIONS.some((name) => name in lambdas)
          ? {
              captureFunctions: CAPTURE_FUNCTIONS.filter((name) => name in lambdas),
              importFunctions: IMPORT_FUNCTIONS.filter((name) => name in lambdas),
              workflowStepsFunction: WORKFLOW_STEPS_FUNCTION,
              approvalsFunction: APPROVALS_FUNCTION,
              ...config.alarms,
            }
          : undefined,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'Console (CloudFront)' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'SignInUrl', { value: this.api.signInUrl, description: 'Cognito hosted sign-in domain' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
    new CfnOutput(this, 'EventArchiveName', {
      value: this.events.archive.archiveName,
      description: 'For aws events start-replay',
    });
    new CfnOutput(this, 'LifecycleStateMachineArn', { value: this.lifecycle.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.ops.topic.topicArn });
    new CfnOutput(this, 'WebhookSecretPrefix', { value: config.webhookSecretPrefix });
    acknowledgeFrameworkHandlers(this);
  }
}
