import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/core/metric-facts';
import type { FunctionSpec } from '../functions/routes';
import { ignoreRoleDependsOn } from './cfn-lint';
import { PROJECT_ROOT } from './config';

/** The Lambda runtime every function runs on: the newest Node.js the Lambda service offers. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** A function's Powertools service name: the `service` of its logs, metrics and traces (one per FUNCTIONS entry). */
export const serviceNameOf = (functionName: string) => `leadflow-${functionName}`;

/**
 * ESM bundles have no `require`; a few dependencies still call it for Node built-ins.
 * @see https://github.com/evanw/esbuild/issues/1921
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __leadflowCreateRequire } from 'node:module';const require = __leadflowCreateRequire(import.meta.url);";

export type LeadflowFunctionProps = {
  /** The function's entry in `functions/routes.ts` FUNCTIONS. */
  readonly spec: FunctionSpec;
  /** Environment every function gets (sources, bus name); needs add their own. */
  readonly environment?: Record<string, string>;
  /**
   * Days the function's log group keeps logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Repository root holding `functions/` and the lock file.
   * @default - the repository this file lives in
   */
  readonly projectRoot?: string;
};

/**
 * One Lambda function with the house defaults: Node.js 24 on ARM64, an esbuild ESM bundle (minified,
 * source maps read on the error path only, the SDK v3 clients it uses bundled in), its own log group with retention, JSON logs,
 * active X-Ray tracing, Powertools' service name and metrics namespace, and its own role that starts
 * with nothing but writing its own logs. What else it may do comes only from its `needs` (see `function-needs.ts`).
 */
export class LeadflowFunction extends Construct {
  public readonly fn: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LeadflowFunctionProps) {
    super(scope, id);
    const root = props.projectRoot ?? PROJECT_ROOT;
    const entry = join(root, 'functions', props.spec.folder, 'index.ts');
    if (!existsSync(entry))
      throw new Error(
        `function ${id}: expected its entry at ${entry}, found nothing (FUNCTIONS folder "${props.spec.folder}")`,
      );

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      // IAM descriptions allow only Latin-1 printable characters (no arrows).
      description: `leadflow ${id}: ${props.spec.description}`.replace(/[^\x20-\x7E]+/g, '-'),
    });
    // Instead of the AWSLambdaBasicExecutionRole managed policy (logs on every group in the account).
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description: props.spec.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.spec.memoryMb ?? 1024,
      timeout: Duration.seconds(props.spec.timeoutSeconds ?? 10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      // Powertools reads these itself: the service of logs, metrics and traces, and the metrics' namespace.
      // No NODE_OPTIONS=--enable-source-maps: it parses the whole source map at every cold start; the house
      // middleware maps a failure's stack from the same map on the error path (functions/http/mapped-stack.ts).
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceNameOf(id),
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        banner: ESM_REQUIRE_BANNER,
        externalModules: [],
        ...(props.spec.bundleFiles?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.spec.bundleFiles ?? []).map((file) => `cp "${join(inputDir, file)}" "${outputDir}"`),
              },
            }
          : {}),
      },
    });

    ignoreRoleDependsOn(this.fn);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords accept only "*" as resource (no resource-level permissions).',
    });
  }

  /** Adds one environment variable (used by the needs, so grant and variable are set together). */
  public addEnvironment(name: string, value: string): void {
    this.fn.addEnvironment(name, value);
  }
}
