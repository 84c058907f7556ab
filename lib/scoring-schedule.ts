import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcardResource } from './nag';

export type ScoringScheduleProps = {
  /** The function that retrains the scoring model (`scoringTrain`). */
  readonly target: IFunction;
  /**
   * EventBridge Scheduler expression (`rate(1 day)`, `cron(0 3 * * ? *)`).
   * @default 'rate(1 day)'
   */
  readonly expression?: string;
};

/** Retrains the lead-scoring model on a schedule (EventBridge Scheduler → the training function). */
export class ScoringSchedule extends Construct {
  public readonly schedule: Schedule;
  /** The role Scheduler assumes to invoke the function (invoke on that function only). */
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: ScoringScheduleProps) {
    super(scope, id);
    const expression = props.expression ?? 'rate(1 day)';
    if (!/^(rate|cron|at)\(.+\)$/.test(expression))
      throw new Error(`scoringTrainSchedule must be rate(…), cron(…) or at(…), received "${expression}"`);
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Retrain the lead-scoring model on recent outcomes',
      schedule: ScheduleExpression.expression(expression),
      target: new LambdaInvoke(props.target, { retryAttempts: 2, role: this.role }),
    });
    acknowledgeWildcardResource(
      this.role,
      `${props.target.functionArn}:*`,
      'The Scheduler target grant covers the training function and its versions (":*"), nothing else.',
    );
  }
}
