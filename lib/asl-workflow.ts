import { readFileSync } from 'node:fs';
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ignoreRoleDependsOn } from './cfn-lint';

/** One `${Name}` the definition may use: its value and the statements the machine needs when it does. */
export type Substitution = { readonly value: string; readonly grants?: readonly PolicyStatement[] };

export type AslWorkflowProps = {
  /** Path of the ASL (JSON) definition. */
  readonly definitionFile: string;
  /** Physical name; fixed so functions can hold the ARN without a dependency cycle. */
  readonly stateMachineName: string;
  /** Every substitution the definition may use; an unknown `${Name}` in the file fails the synth. */
  readonly substitutions: Readonly<Record<string, Substitution>>;
  /**
   * Substitutions passed even when the file does not reference them (a stable contract with the
   * definition's author). Their grants still apply only when referenced.
   * @default - only the referenced ones
   */
  readonly alwaysSubstitute?: readonly string[];
  /**
   * What each service integration the definition may use needs, keyed by its `Resource` without the
   * `.sync`/`.waitForTaskToken` suffix (`arn:aws:states:::events:putEvents`). A Task (or ItemReader,
   * ResultWriter) whose resource is not listed fails the synth: the machine could not run it.
   */
  readonly integrations: Readonly<Record<string, readonly PolicyStatement[]>>;
  /** Extra statements (e.g. a Distributed Map starting its own child executions). */
  readonly extraGrants?: readonly PolicyStatement[];
  /**
   * Days the execution log group keeps logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
};

/** Service integrations (`Resource` values) used anywhere in a definition, nested states included, without suffix. */
export const integrationsIn = (definition: string): string[] => [
  ...new Set(
    [...definition.matchAll(/"Resource"\s*:\s*"([^"]+)"/g)].map((m) =>
      (m[1] ?? '').replace(/\.(sync(:2)?|waitForTaskToken)$/, ''),
    ),
  ),
];

/** For `${ImportBatchFunctionArn}`: the function `importBatch` is missing from FUNCTIONS. */
const hintFor = (names: readonly string[]): string => {
  const functions = names.flatMap((n) => {
    const m = /^(\w+)FunctionArn$/.exec(n);
    return m?.[1] ? [`${m[1].charAt(0).toLowerCase()}${m[1].slice(1)}`] : [];
  });
  return functions.length ? ` (register ${functions.join(', ')} in FUNCTIONS, functions/routes.ts)` : '';
};

/** `${Name}` placeholders used in a definition's text. */
export const placeholdersIn = (definition: string): string[] => [
  ...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? '')),
];

/**
 * A Standard state machine from a definition file, with logging (ALL, without execution data),
 * X-Ray tracing and a role that holds only what the definition uses: the grants of the service
 * integrations it calls and of the substitutions it references.
 */
export class AslWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  /** Placeholders found in the definition. */
  public readonly used: readonly string[];
  /** Service integrations found in the definition. */
  public readonly integrations: readonly string[];

  constructor(scope: Construct, id: string, props: AslWorkflowProps) {
    super(scope, id);
    const text = readFileSync(props.definitionFile, 'utf8');
    try {
      JSON.parse(text);
    } catch (error) {
      throw new Error(`${props.definitionFile} is not valid JSON: ${(error as Error).message}`);
    }
    this.used = placeholdersIn(text);
    const unknown = this.used.filter((name) => !(name in props.substitutions));
    if (unknown.length > 0) {
      throw new Error(
        `${props.definitionFile} uses substitutions ${unknown.map((n) => `\${${n}}`).join(', ')} that the stack does not provide${hintFor(unknown)}; provided: ${Object.keys(props.substitutions).join(', ')}`,
      );
    }
    this.integrations = integrationsIn(text);
    const unsupported = this.integrations.filter((resource) => !(resource in props.integrations));
    if (unsupported.length > 0) {
      throw new Error(
        `${props.definitionFile} calls ${unsupported.join(', ')}, which the stack grants nothing for; supported: ${Object.keys(props.integrations).join(', ')}`,
      );
    }
    const passed = new Set([...this.used, ...(props.alwaysSubstitute ?? [])]);
    const definitionSubstitutions = Object.fromEntries(
      [...passed].flatMap((name) => {
        const sub = props.substitutions[name];
        return sub ? [[name, sub.value]] : [];
      }),
    );

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('states.amazonaws.com') });
    // Two placeholders may share one grant (TableName and TableArn): add each statement once.
    const statements = new Set([
      ...this.integrations.flatMap((resource) => props.integrations[resource] ?? []),
      ...this.used.flatMap((name) => props.substitutions[name]?.grants ?? []),
      ...(props.extraGrants ?? []),
    ]);
    for (const statement of statements) this.role.addToPolicy(statement);

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      // Inlined from the file (not DefinitionBody.fromFile, which uploads it as an S3 asset) so that
      // `cdk diff` shows definition changes and the template holds the exact definition deployed.
      definitionBody: DefinitionBody.fromString(text),
      definitionSubstitutions,
      role: this.role,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    ignoreRoleDependsOn(this.stateMachine);

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Step Functions log delivery (logs:*LogDelivery*) and X-Ray actions support only "*" as resource.',
    });
  }
}

/** The ARN a state machine of this name will have in this stack's account and region. */
export const stateMachineArnFor = (scope: Construct, name: string): string =>
  Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
