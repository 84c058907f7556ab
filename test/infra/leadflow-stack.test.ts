import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { TABLE } from '../../functions/adapters/table-definition';
import { GROUPS } from '../../functions/http/auth';
import { EVENT_RULES } from '../../functions/core/event-rules';
import { FUNCTIONS, ROUTES } from '../../functions/routes';
import { integrationsIn, placeholdersIn } from '../../lib/asl-workflow';
import { webhookSecretsArn } from '../../lib/function-needs';
import { IMPORT_PACING_ENV } from '../../lib/import-workflow';
import { readSources } from '../../lib/config';
import { LIFECYCLE_SUBSTITUTIONS } from '../../lib/lifecycle-workflow';
import type { LeadflowStack } from '../../lib/leadflow-stack';
import { buildApp, lifecycleDefinitionForTests } from './stack-fixture';
import { actionsOf, type Resource, resourcesFor, statementsOfRole } from './template-helpers';

/**
 * What each `needs` value may do, written out here independently of lib/function-needs.ts so a
 * grant that widens there fails here.
 */
const ACTIONS_BY_NEED: Record<string, string[]> = {
  'table:read': ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  'table:write': [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
  'workflow:start': ['states:StartExecution'],
  'workflow:callback': ['states:SendTaskSuccess', 'states:SendTaskFailure'],
  'bus:put': ['events:PutEvents'],
  'secrets:webhooks': ['secretsmanager:GetSecretValue'],
  'secrets:rotate': ['secretsmanager:PutSecretValue'],
  'secrets:create': ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
  attachments: ['s3:PutObject', 's3:GetObject'],
  imports: ['s3:PutObject', 's3:GetObject'],
  email: ['ses:SendEmail'],
  privacy: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 'states:DescribeExecution', 'states:StopExecution'],
  'quotes:timer': ['states:StartExecution'],
};
const EVERY_FUNCTION = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];
const ENV_BY_NEED: Record<string, string[]> = {
  'table:read': ['TABLE_NAME'],
  'table:write': ['TABLE_NAME'],
  'workflow:start': ['STATE_MACHINE_ARN'],
  'workflow:callback': ['STATE_MACHINE_ARN'],
  'bus:put': ['EVENT_BUS_NAME'],
  'secrets:webhooks': ['WEBHOOK_SECRET_PREFIX', 'WEBHOOK_SECRET_GRACE_SECONDS'],
  'secrets:rotate': ['WEBHOOK_SECRET_PREFIX', 'WEBHOOK_SECRET_GRACE_SECONDS'],
  'secrets:create': ['WEBHOOK_SECRET_PREFIX'],
  attachments: ['ATTACHMENTS_BUCKET'],
  imports: ['IMPORTS_BUCKET'],
  email: ['CONSOLE_URL'],
  privacy: ['ATTACHMENTS_BUCKET', 'IMPORTS_BUCKET', 'STATE_MACHINE_ARN'],
  'quotes:timer': ['QUOTE_TIMER_STATE_MACHINE_ARN'],
};

let stack: LeadflowStack;
let template: Template;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnFunction);
/** The ARN pattern of every webhook secret, as the template holds it: `<prefix>*` in this stack's account and region. */
const webhookPrefixArn = () => JSON.stringify(stack.resolve(webhookSecretsArn(stack, 'leadflow/webhooks/')));
const ofType = (type: string) => template.findResources(type) as Record<string, Resource>;

beforeAll(() => {
  ({ stack } = buildApp());
  template = Template.fromStack(stack);
});

describe('the table', () => {
  it('is on-demand, point-in-time recoverable, deletion-protected, retained, with TTL and the shared GSIs', () => {
    const tables = Object.values(ofType('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(1);
    const [table] = tables;
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.UpdateReplacePolicy).toBe('Retain');
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
    });
    const indexes = (
      (table?.Properties?.GlobalSecondaryIndexes ?? []) as {
        IndexName: string;
        KeySchema: { AttributeName: string }[];
      }[]
    ).map((i) => [i.IndexName, i.KeySchema.map((k) => k.AttributeName)]);
    expect(indexes).toEqual(Object.values(TABLE.indexes).map((i) => [i.name, [i.partitionKey, i.sortKey]]));
  });
});

describe('the functions', () => {
  it('has one function per FUNCTIONS entry on Node.js 24, ARM64, traced, with its own log group', () => {
    for (const name of Object.keys(FUNCTIONS)) {
      const fn = stack.functions[name];
      expect(fn, name).toBeDefined();
      if (!fn) continue;
      const props = ofType('AWS::Lambda::Function')[logicalId(fn.fn)]?.Properties;
      expect(props, name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalId(fn.logGroup) } },
      });
    }
    const ours = Object.keys(FUNCTIONS).length;
    const runtimes = Object.values(ofType('AWS::Lambda::Function')).filter(
      (f) => f.Properties?.Runtime === 'nodejs24.x',
    );
    expect(runtimes.length).toBeGreaterThanOrEqual(ours);
  });

  it('gives each function only the actions its needs imply', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      const fn = stack.functions[name];
      if (!fn) throw new Error(`no function ${name}`);
      const expected = new Set([
        ...EVERY_FUNCTION,
        ...spec.needs.flatMap((need) => ACTIONS_BY_NEED[need] ?? [`unknown need ${need}`]),
      ]);
      const granted = actionsOf(statementsOfRole(template, logicalId(fn.role)));
      expect([...granted].sort(), name).toEqual([...expected].sort());
    }
  });

  it('scopes table, state machine and secret grants to those resources', () => {
    const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.table.table), 'Arn'] });
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      const fn = stack.functions[name];
      if (!fn) continue;
      const statements = statementsOfRole(template, logicalId(fn.role));
      for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
        for (const resource of resourcesFor(statements, action))
          expect(
            resource.startsWith(tableArn.slice(0, -1)) || resource.includes(`"${logicalId(stack.table.table)}","Arn"`),
            `${name} ${action} on ${resource}`,
          ).toBe(true);
      }
      if (spec.needs.includes('workflow:start')) {
        expect(
          resourcesFor(statements, 'states:StartExecution').some((r) =>
            r.includes(`stateMachine:${stack.stackName}-lead-lifecycle`),
          ),
          name,
        ).toBe(true);
      }
      for (const resource of resourcesFor(statements, 'secretsmanager:GetSecretValue'))
        expect(resource).toBe(webhookPrefixArn());
    }
  });

  it('sets exactly the environment its needs use, plus the Powertools service name and metrics namespace, the sources and the bus name', () => {
    const sources = JSON.stringify(readSources(new URL('../../leadflow.config.json', import.meta.url).pathname));
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      const fn = stack.functions[name];
      if (!fn) continue;
      const env = (
        (ofType('AWS::Lambda::Function')[logicalId(fn.fn)]?.Properties?.Environment ?? { Variables: {} }) as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      const pacing = stack.imports ? (IMPORT_PACING_ENV[name] ?? []) : [];
      const expected = new Set([
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'LEADFLOW_SOURCES',
        'EVENT_BUS_NAME',
        ...spec.needs.flatMap((n) => ENV_BY_NEED[n] ?? []),
        ...pacing,
      ]);
      expect(Object.keys(env).sort(), name).toEqual([...expected].sort());
      expect(env.LEADFLOW_SOURCES).toBe(sources);
    }
  });
});

describe('the HTTP API', () => {
  it('serves every ROUTES entry on its function, with JWT auth unless public', () => {
    const routes = Object.values(ofType('AWS::ApiGatewayV2::Route'));
    const integrations = ofType('AWS::ApiGatewayV2::Integration');
    expect(routes).toHaveLength(ROUTES.length);
    for (const route of ROUTES) {
      const key = `${route.method} ${route.path}`;
      const found = routes.find((r) => r.Properties?.RouteKey === key);
      expect(found, key).toBeDefined();
      expect(found?.Properties?.AuthorizationType, key).toBe(route.public ? 'NONE' : 'JWT');
      const target = JSON.stringify(found?.Properties?.Target);
      const integrationId = Object.keys(integrations).find((id) => target.includes(id));
      const fn = stack.functions[route.fn];
      expect(fn, route.fn).toBeDefined();
      if (!fn || !integrationId) throw new Error(`${key}: no integration`);
      expect(JSON.stringify(integrations[integrationId]?.Properties?.IntegrationUri), key).toContain(logicalId(fn.fn));
    }
  });

  it('trusts only the user pool client as JWT issuer and audience', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: logicalId(stack.api.userPoolClient) }],
        Issuer: Match.objectLike({
          'Fn::Join': Match.arrayWith([
            Match.arrayWith([Match.stringLikeRegexp('cognito-idp'), { Ref: logicalId(stack.api.userPool) }]),
          ]),
        }),
      },
    });
  });

  it('creates the user pool groups the handlers know', () => {
    const groups = Object.values(ofType('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties?.GroupName);
    expect(groups.sort()).toEqual([...GROUPS].sort());
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('has a hosted sign-in domain and tells the published console where the API and sign-in are', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'leadflow-123456789012',
      UserPoolId: { Ref: logicalId(stack.api.userPool) },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
      CallbackURLs: [
        Match.objectLike({
          'Fn::Join': Match.arrayWith([
            Match.arrayWith([{ 'Fn::GetAtt': [logicalId(stack.console.distribution), 'DomainName'] }]),
          ]),
        }),
      ],
    });
    if (!stack.console.published) return;
    const deployment = Object.values(ofType('Custom::CDKBucketDeployment'))[0];
    const markers = JSON.stringify(deployment?.Properties?.SourceMarkers);
    expect(markers).toContain(logicalId(stack.api.userPoolClient));
    expect(markers).toContain(logicalId(stack.api.userPoolDomain));
    expect(markers).toContain(logicalId(stack.api.api));
  });

  it('throttles and writes JSON access logs on the default stage, and answers CORS for the console', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(stack.api.accessLogs), 'Arn'] },
        Format: Match.stringLikeRegexp('"routeKey":"\\$context.routeKey"'),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: Match.arrayWith([Match.objectLike({ 'Fn::Join': Match.anyValue() }), 'https://www.example.com']),
      }),
    });
  });
});

describe('the lifecycle state machine', () => {
  it('is a Standard machine with every placeholder of its definition substituted by the real resources', () => {
    const definition = readFileSync(lifecycleDefinitionForTests(), 'utf8');
    const machine = ofType('AWS::StepFunctions::StateMachine')[logicalId(stack.lifecycle.stateMachine)];
    expect(machine?.Properties?.StateMachineType).toBe('STANDARD');
    const subs = machine?.Properties?.DefinitionSubstitutions as Record<string, unknown>;
    for (const name of placeholdersIn(definition)) expect(subs, name).toHaveProperty(name);
    expect(Object.keys(subs).every((k) => (LIFECYCLE_SUBSTITUTIONS as readonly string[]).includes(k))).toBe(true);
    expect(subs.TableName).toEqual({ Ref: logicalId(stack.table.table) });
    expect(subs.TableArn).toEqual({ 'Fn::GetAtt': [logicalId(stack.table.table), 'Arn'] });
    expect(subs.EventBusName).toEqual({ Ref: logicalId(stack.events.bus) });
    expect(subs.EventBusArn).toEqual({ 'Fn::GetAtt': [logicalId(stack.events.bus), 'Arn'] });
    const steps = stack.functions.workflowSteps;
    if (steps) expect(subs.WorkflowStepsFunctionArn).toEqual({ 'Fn::GetAtt': [logicalId(steps.fn), 'Arn'] });
    expect(JSON.stringify(machine?.Properties?.DefinitionString)).not.toMatch(
      /\$\{(?!TableName|TableArn|EventBusName|EventBusArn|WorkflowStepsFunctionArn)\w+\}/,
    );
  });

  it('logs every execution event without execution data, and traces', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `${stack.stackName}-lead-lifecycle`,
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: Match.anyValue() },
      TracingConfiguration: { Enabled: true },
    });
  });

  it("gives its role only the integrations its definition calls, on their one resource (and Step Functions' own logging and tracing)", () => {
    const statements = statementsOfRole(template, logicalId(stack.lifecycle.workflow.role));
    const granted = [...actionsOf(statements)].filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));
    const called = integrationsIn(readFileSync(lifecycleDefinitionForTests(), 'utf8'));
    const ACTION: Record<string, string> = {
      'arn:aws:states:::lambda:invoke': 'lambda:InvokeFunction',
      'arn:aws:states:::dynamodb:getItem': 'dynamodb:GetItem',
      'arn:aws:states:::dynamodb:updateItem': 'dynamodb:UpdateItem',
      'arn:aws:states:::events:putEvents': 'events:PutEvents',
    };
    expect(granted.sort()).toEqual([...new Set(called.map((r) => ACTION[r] ?? `unexpected ${r}`))].sort());
    const only = (action: string, resource: unknown) => {
      if (granted.includes(action))
        expect(resourcesFor(statements, action), action).toEqual([JSON.stringify(resource)]);
    };
    only('dynamodb:GetItem', { 'Fn::GetAtt': [logicalId(stack.table.table), 'Arn'] });
    only('dynamodb:UpdateItem', { 'Fn::GetAtt': [logicalId(stack.table.table), 'Arn'] });
    only('events:PutEvents', { 'Fn::GetAtt': [logicalId(stack.events.bus), 'Arn'] });
    const steps = stack.functions.workflowSteps;
    if (steps) only('lambda:InvokeFunction', { 'Fn::GetAtt': [logicalId(steps.fn), 'Arn'] });
  });
});

describe('events', () => {
  it('has the leadflow bus with an archive of every leadflow event kept 90 days', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'leadflow' });
    template.hasResourceProperties('AWS::Events::Archive', {
      RetentionDays: 90,
      EventPattern: { source: ['leadflow'] },
    });
  });
});

describe('secrets and storage', () => {
  it('creates one secret per webhook source, named by the prefix', () => {
    const webhookSources = readSources(new URL('../../leadflow.config.json', import.meta.url).pathname).filter(
      (s) => s.kind === 'webhook',
    );
    const names = Object.values(ofType('AWS::SecretsManager::Secret')).map((s) => s.Properties?.Name);
    expect(names.sort()).toEqual(webhookSources.map((s) => `leadflow/webhooks/${s.id}`).sort());
    const inits = Object.values(template.findResources('Custom::WebhookSecretInit') as Record<string, Resource>);
    expect(inits.map((r) => JSON.stringify(r.Properties?.SecretId)).sort()).toEqual(
      stack.webhookSecrets.secrets.map((s) => JSON.stringify({ Ref: logicalId(s) })).sort(),
    );
    // The value is generated inside the initialiser: nothing secret is in the template or the resource's properties.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/whsec_[A-Za-z0-9+/]{8,}/);
    const initialiserRole = statementsOfRole(
      template,
      logicalId(stack.webhookSecrets.node.findChild('InitialiserRole') as never),
    );
    expect([...actionsOf(initialiserRole)].sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:PutSecretValue',
    ]);
  });

  it('lets only the sources function create and write webhook secrets, only under the prefix, and gives it no way to read one', () => {
    const prefixed = webhookPrefixArn();
    expect(prefixed).toContain(':secret:leadflow/webhooks/*');
    const granted = (action: string) =>
      Object.entries(stack.functions)
        .filter(([, fn]) => resourcesFor(statementsOfRole(template, logicalId(fn.role)), action).length > 0)
        .map(([name]) => name);
    expect(granted('secretsmanager:PutSecretValue')).toEqual(['sourcesApi']);
    expect(granted('secretsmanager:CreateSecret')).toEqual(['sourcesApi']);
    const rotator = statementsOfRole(
      template,
      logicalId((stack.functions.sourcesApi as NonNullable<typeof stack.functions.sourcesApi>).role),
    );
    // Sources are created at run time, so their secrets are named by the prefix, never a wider pattern.
    expect([...new Set(resourcesFor(rotator, 'secretsmanager:PutSecretValue'))]).toEqual([prefixed]);
    expect(resourcesFor(rotator, 'secretsmanager:CreateSecret')).toEqual([prefixed]);
    expect(resourcesFor(rotator, 'secretsmanager:GetSecretValue')).toEqual([]);
    const secretActions = [...actionsOf(rotator)].filter((a) => a.startsWith('secretsmanager:')).sort();
    expect(secretActions).toEqual(['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue']);
    // The capture function reads every version of the secrets under the prefix (AWSPREVIOUS during the grace window), and knows the window.
    const capture = stack.functions.captureWebhook as NonNullable<typeof stack.functions.captureWebhook>;
    expect(resourcesFor(statementsOfRole(template, logicalId(capture.role)), 'secretsmanager:GetSecretValue')).toEqual([
      prefixed,
    ]);
    expect(granted('secretsmanager:GetSecretValue')).toEqual(['captureWebhook']);
    const env = (
      (ofType('AWS::Lambda::Function')[logicalId(capture.fn)]?.Properties?.Environment ?? { Variables: {} }) as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env).toMatchObject({ WEBHOOK_SECRET_PREFIX: 'leadflow/webhooks/', WEBHOOK_SECRET_GRACE_SECONDS: '86400' });
  });

  it('keeps every bucket private, encrypted and SSL-only', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(Object.keys(buckets).length).toBeGreaterThanOrEqual(4);
    const policies = Object.values(ofType('AWS::S3::BucketPolicy'));
    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties?.BucketEncryption, id).toBeDefined();
      const policy = policies.find((p) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: id }));
      expect(JSON.stringify(policy?.Properties?.PolicyDocument), id).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('confines attachment grants to the leads/ prefix and aborts incomplete uploads', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      if (!(spec.needs as readonly string[]).includes('attachments')) continue;
      const fn = stack.functions[name];
      if (!fn) throw new Error(name);
      const resources = resourcesFor(statementsOfRole(template, logicalId(fn.role)), 's3:PutObject');
      expect(resources, name).toEqual([
        JSON.stringify({
          'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.buckets.attachments), 'Arn'] }, '/leads/*']],
        }),
      ]);
    }
    const rules = ofType('AWS::S3::Bucket')[logicalId(stack.buckets.attachments)]?.Properties
      ?.LifecycleConfiguration as { Rules: { AbortIncompleteMultipartUpload?: unknown }[] };
    expect(rules.Rules.some((r) => r.AbortIncompleteMultipartUpload)).toBe(true);
  });

  it('lets the console upload and download attachments and import files with presigned URLs', () => {
    for (const bucket of [stack.buckets.attachments, stack.buckets.imports]) {
      const cors = ofType('AWS::S3::Bucket')[logicalId(bucket)]?.Properties?.CorsConfiguration as {
        CorsRules: { AllowedOrigins: unknown[]; AllowedMethods: string[] }[];
      };
      expect(cors.CorsRules.flatMap((r) => r.AllowedMethods).sort()).toEqual(['GET', 'PUT']);
      expect(JSON.stringify(cors.CorsRules[0]?.AllowedOrigins)).toContain(logicalId(stack.console.distribution));
    }
  });

  it('serves the console only through CloudFront with origin access control, HTTPS and security headers', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: { Ref: Match.anyValue() },
        }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({ Override: true }),
          StrictTransportSecurity: Match.objectLike({ IncludeSubdomains: true }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
        }),
      }),
    });
  });
});

describe('operations', () => {
  it('has a dashboard and alarms on API errors, failed executions and function errors, all to one topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const alarms = Object.values(ofType('AWS::CloudWatch::Alarm'));
    const topic = { Ref: logicalId(stack.ops.topic) };
    expect(alarms.filter((a) => JSON.stringify(a.Properties?.AlarmActions) !== JSON.stringify([topic]))).toEqual([]);
    const metricNames = alarms.map((a) => JSON.stringify(a.Properties));
    expect(metricNames.some((m) => m.includes('"5xx"') || m.includes('5XX') || m.includes('5xx'))).toBe(true);
    expect(metricNames.some((m) => m.includes('ExecutionsFailed'))).toBe(true);
    expect(metricNames.some((m) => m.includes('Errors'))).toBe(true);
  });

  it('has stable construct ids for the resources that hold data', () => {
    expect(stack.table.table.node.path).toBe('Leadflow/Leads/Table');
    expect(stack.api.userPool.node.path).toBe('Leadflow/Api/UserPool');
    expect(Stack.of(stack.events.bus).stackName).toBe('Leadflow');
    expect(stack.events.bus.node.path).toBe('Leadflow/Events/Bus');
  });
});

describe('routes and functions agree', () => {
  it('names only functions that exist in FUNCTIONS', () => {
    for (const route of ROUTES) expect(Object.keys(FUNCTIONS), `${route.method} ${route.path}`).toContain(route.fn);
    expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(ROUTES.length);
    expect(ROUTES.length).toBeGreaterThan(0);
  });
});

describe('event rules', () => {
  it('creates one rule per EVENT_RULES entry on the bus, targeting its function with a DLQ', () => {
    const onBus = Object.values(ofType('AWS::Events::Rule')).filter(
      (r) => JSON.stringify(r.Properties?.EventBusName) === JSON.stringify({ Ref: logicalId(stack.events.bus) }),
    );
    expect(onBus).toHaveLength(EVENT_RULES.length);
    for (const spec of EVENT_RULES) {
      const fn = stack.functions[spec.target];
      if (!fn) throw new Error(`${spec.name}: no function ${spec.target}`);
      const routed = stack.events.routed.find((r) => r.rule.node.scope?.node.id === spec.name);
      if (!routed) throw new Error(`${spec.name}: not routed`);
      const rule = ofType('AWS::Events::Rule')[logicalId(routed.rule)];
      expect(rule?.Properties?.EventPattern, spec.name).toEqual(spec.pattern);
      expect(rule?.Properties?.EventBusName, spec.name).toEqual({ Ref: logicalId(stack.events.bus) });
      const [target] = (rule?.Properties?.Targets ?? []) as {
        Arn: unknown;
        DeadLetterConfig?: unknown;
        RetryPolicy?: unknown;
      }[];
      expect(target?.Arn, spec.name).toEqual({ 'Fn::GetAtt': [logicalId(fn.fn), 'Arn'] });
      expect(target?.DeadLetterConfig, spec.name).toBeDefined();
      expect(target?.RetryPolicy, spec.name).toBeDefined();
    }
    // One DLQ per rule, plus the import upload rule's when the import workflow exists.
    expect(Object.keys(ofType('AWS::SQS::Queue'))).toHaveLength(EVENT_RULES.length + (stack.imports ? 1 : 0));
  });
});
