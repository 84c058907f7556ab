import { join } from 'node:path';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AslWorkflow, type Substitution } from './asl-workflow';
import { PROJECT_ROOT } from './config';

export const LIFECYCLE_DEFINITION = join(PROJECT_ROOT, 'statemachines', 'lead-lifecycle.asl.json');

/** The substitutions the lifecycle definition is written against (and only these). */
export const LIFECYCLE_SUBSTITUTIONS = [
  'TableName',
  'TableArn',
  'EventBusName',
  'EventBusArn',
  'WorkflowStepsFunctionArn',
] as const;

export type LifecycleWorkflowProps = {
  readonly table: ITable;
  readonly bus: IEventBus;
  /** The `workflowSteps` function the definition's Lambda tasks call; required when the definition uses it. */
  readonly stepsFunction?: IFunction;
  /** Physical name (the functions hold the ARN built from it). */
  readonly stateMachineName: string;
  /**
   * The ASL file.
   * @default statemachines/lead-lifecycle.asl.json
   */
  readonly definitionFile?: string;
  /**
   * Days the execution log group keeps logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
};

/**
 * One Standard execution per lead, from `statemachines/lead-lifecycle.asl.json`. Its role may invoke
 * the workflow-steps function, get and update items in the table and put events on the bus — and
 * only those of these the definition calls (plus the log delivery and X-Ray actions Step Functions
 * itself needs). Lambda tasks can only call the workflow-steps function.
 */
export class LifecycleWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly workflow: AslWorkflow;

  constructor(scope: Construct, id: string, props: LifecycleWorkflowProps) {
    super(scope, id);
    const onTable = (action: string) => [
      new PolicyStatement({ actions: [`dynamodb:${action}`], resources: [props.table.tableArn] }),
    ];
    const substitutions: Record<string, Substitution> = {
      TableName: { value: props.table.tableName },
      TableArn: { value: props.table.tableArn },
      EventBusName: { value: props.bus.eventBusName },
      EventBusArn: { value: props.bus.eventBusArn },
    };
    const invokeSteps: PolicyStatement[] = [];
    if (props.stepsFunction) {
      invokeSteps.push(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.stepsFunction.functionArn] }),
      );
      substitutions.WorkflowStepsFunctionArn = { value: props.stepsFunction.functionArn };
    }
    // Grants follow the integrations the definition calls; each is scoped to the one resource it may touch.
    const integrations: Record<string, PolicyStatement[]> = {
      'arn:aws:states:::dynamodb:getItem': onTable('GetItem'),
      'arn:aws:states:::dynamodb:updateItem': onTable('UpdateItem'),
      'arn:aws:states:::events:putEvents': [
        new PolicyStatement({ actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }),
      ],
    };
    if (props.stepsFunction) integrations['arn:aws:states:::lambda:invoke'] = invokeSteps;
    this.workflow = new AslWorkflow(this, 'Workflow', {
      definitionFile: props.definitionFile ?? LIFECYCLE_DEFINITION,
      stateMachineName: props.stateMachineName,
      substitutions,
      integrations,
      alwaysSubstitute: LIFECYCLE_SUBSTITUTIONS.filter((name) => name in substitutions),
      logRetention: props.logRetention,
    });
    this.stateMachine = this.workflow.stateMachine;
  }
}
