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
export const LIFECYCLE_SUBSTITUTIONS = ['TableName', 'TableArn', 'EventBusName', 'EventBusArn', 'WorkflowStepsFunctionArn'] as const;

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
 * the workflow-steps function, get and update items in the table and put events on the bus — nothing else
 * (plus the log delivery and X-Ray actions Step Functions itself needs).
 */
export class LifecycleWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly workflow: AslWorkflow;

  constructor(scope: Construct, id: string, props: LifecycleWorkflowProps) {
    super(scope, id);
    const table = new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [props.table.tableArn] });
    const bus = new PolicyStatement({ actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] });
    const substitutions: Record<string, Substitution> = {
      TableName: { value: props.table.tableName, grants: [table] },
      TableArn: { value: props.table.tableArn, grants: [table] },
      EventBusName: { value: props.bus.eventBusName, grants: [bus] },
      EventBusArn: { value: props.bus.eventBusArn, grants: [bus] },
    };
    if (props.stepsFunction) {
      substitutions.WorkflowStepsFunctionArn = {
        value: props.stepsFunction.functionArn,
        grants: [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.stepsFunction.functionArn] })],
      };
    }
    this.workflow = new AslWorkflow(this, 'Workflow', {
      definitionFile: props.definitionFile ?? LIFECYCLE_DEFINITION,
      stateMachineName: props.stateMachineName,
      substitutions,
      alwaysSubstitute: LIFECYCLE_SUBSTITUTIONS.filter((name) => name in substitutions),
      logRetention: props.logRetention,
    });
    this.stateMachine = this.workflow.stateMachine;
  }
}
