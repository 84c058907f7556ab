import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { placeholdersIn } from '../../lib/asl-workflow';
import { loadConfig } from '../../lib/config';
import { functionArnSubstitution, IMPORT_DEFINITION, IMPORT_FIXED_SUBSTITUTIONS } from '../../lib/import-workflow';
import { LeadflowStack, type LeadflowStackProps, WORKFLOW_STEPS_FUNCTION } from '../../lib/leadflow-stack';
import { FUNCTIONS } from '../../functions/routes';
import { LIFECYCLE_DEFINITION } from '../../lib/lifecycle-workflow';

/**
 * Until `statemachines/lead-lifecycle.asl.json` exists, tests use this stand-in (never committed
 * under statemachines/): one state per integration the real definition uses.
 */
const hasSteps = WORKFLOW_STEPS_FUNCTION in FUNCTIONS;
/** `${Name}` as ASL substitutions write it. */
const ph = (name: string) => `\${${name}}`;
export const PLACEHOLDER_LIFECYCLE = {
  Comment: 'test stand-in for the lead lifecycle',
  StartAt: hasSteps ? 'Steps' : 'Read',
  States: {
    ...(hasSteps
      ? {
          Steps: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: ph('WorkflowStepsFunctionArn'), 'Payload.$': '$' },
            Next: 'Read',
          },
        }
      : {}),
    Read: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: ph('TableName'), Key: { pk: { S: 'x' }, sk: { S: 'LEAD' } } },
      Next: 'Write',
    },
    Write: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: ph('TableName'),
        Key: { pk: { S: 'x' }, sk: { S: 'LEAD' } },
        UpdateExpression: 'SET a = :a',
        ExpressionAttributeValues: { ':a': { S: 'b' } },
      },
      Next: 'Emit',
    },
    Emit: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: {
        Entries: [{ EventBusName: ph('EventBusName'), Source: 'leadflow', DetailType: 'LeadStageChanged', Detail: {} }],
      },
      End: true,
    },
  },
};

let placeholderFile: string | undefined;
/**
 * The real lifecycle definition when present and buildable (its Lambda tasks need `workflowSteps`
 * in FUNCTIONS), else a stand-in written to a temp folder.
 */
export const lifecycleDefinitionForTests = (): string => {
  const real = existsSync(LIFECYCLE_DEFINITION) ? readFileSync(LIFECYCLE_DEFINITION, 'utf8') : undefined;
  if (real && (hasSteps || !placeholdersIn(real).includes('WorkflowStepsFunctionArn'))) return LIFECYCLE_DEFINITION;
  if (!placeholderFile) {
    placeholderFile = join(mkdtempSync(join(tmpdir(), 'leadflow-asl-')), 'lead-lifecycle.asl.json');
    writeFileSync(placeholderFile, JSON.stringify(PLACEHOLDER_LIFECYCLE));
  }
  return placeholderFile;
};

/**
 * The real import definition when it exists and names only functions of FUNCTIONS; otherwise a path
 * that does not exist, so the stack builds without the import workflow (which synth would refuse
 * while a function the definition calls is not registered yet).
 */
export const importDefinitionForTests = (): string => {
  const real = existsSync(IMPORT_DEFINITION) ? readFileSync(IMPORT_DEFINITION, 'utf8') : undefined;
  const known = new Set([...Object.keys(FUNCTIONS).map(functionArnSubstitution), ...IMPORT_FIXED_SUBSTITUTIONS]);
  if (real && placeholdersIn(real).every((name) => known.has(name))) return IMPORT_DEFINITION;
  return join(tmpdir(), 'leadflow-no-import-definition.asl.json');
};

export type BuildOptions = {
  /** Run esbuild for every function (slow); default skips bundling. */
  readonly bundle?: boolean;
  /** Add cdk-nag's AWS Solutions checks. */
  readonly nag?: boolean;
  /** Run the CDK's built-in CloudFormation schema validation (≈20 s to load its schemas the first time). */
  readonly cfnValidation?: boolean;
  readonly context?: Record<string, unknown>;
  readonly outdir?: string;
  readonly stack?: Partial<Omit<LeadflowStackProps, 'config'>>;
};

/** The app as `bin/app.ts` builds it, with bundling off unless asked. */
export const buildApp = (options: BuildOptions = {}) => {
  const appProps: AppProps = {
    outdir: options.outdir ?? mkdtempSync(join(tmpdir(), 'leadflow-cdk-')),
    context: { ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...options.context },
    builtinCloudFormationValidation: options.cfnValidation ?? false,
  };
  const app = new App(appProps);
  const stack = new LeadflowStack(app, 'Leadflow', {
    config: loadConfig(app),
    env: { account: '123456789012', region: 'eu-central-1' },
    lifecycleDefinition: lifecycleDefinitionForTests(),
    importDefinition: importDefinitionForTests(),
    ...options.stack,
  });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, outdir: appProps.outdir as string };
};
