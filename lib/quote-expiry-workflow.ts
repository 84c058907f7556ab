import { join } from 'node:path';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionName } from '../functions/routes';
import { AslWorkflow } from './asl-workflow';
import { PROJECT_ROOT } from './config';

export const QUOTE_EXPIRY_DEFINITION = join(PROJECT_ROOT, 'statemachines', 'quote-expiry.asl.json');
/** The FUNCTIONS entry the definition's one Lambda task calls. */
export const QUOTE_TIMER_FUNCTION: FunctionName = 'quoteTimer';

export type QuoteExpiryWorkflowProps = {
  readonly timerFunction: IFunction;
  /** Physical name (the quotes API holds the ARN built from it). */
  readonly stateMachineName: string;
  readonly logRetention?: RetentionDays;
};

/**
 * The quote-expiry timer: a Standard execution per sent quote version that waits (in slices) until
 * the end of its validity and asks the quoteTimer function to expire it. Its role may invoke that one
 * function and nothing else.
 */
export class QuoteExpiryWorkflow extends Construct {
  public readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: QuoteExpiryWorkflowProps) {
    super(scope, id);
    const invoke = new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [props.timerFunction.functionArn],
    });
    const workflow = new AslWorkflow(this, 'Workflow', {
      definitionFile: QUOTE_EXPIRY_DEFINITION,
      stateMachineName: props.stateMachineName,
      substitutions: { QuoteTimerFunctionArn: { value: props.timerFunction.functionArn } },
      integrations: { 'arn:aws:states:::lambda:invoke': [invoke] },
      logRetention: props.logRetention,
    });
    this.stateMachine = workflow.stateMachine;
  }
}
