import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag';

export type RetentionScheduleProps = {
  /** The `retentionSweep` function. */
  readonly target: IFunction;
  /**
   * EventBridge Scheduler expression.
   * @default 'rate(1 day)'
   */
  readonly expression?: string;
};

/**
 * Applies the privacy retention rules every day (EventBridge Scheduler → `retentionSweep`): leads
 * disqualified or idle past their months are anonymised, import files and rejected rows past their days
 * deleted, by the privacy configuration as it is at run time. The imports bucket's lifecycle rules
 * (StorageBuckets, from the configuration's seed) stay as the backstop.
 */
export class RetentionSchedule extends Construct {
  public readonly schedule: Schedule;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: RetentionScheduleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Apply the privacy retention rules (anonymise old leads, delete old import files and rejected rows)',
      schedule: ScheduleExpression.expression(props.expression ?? 'rate(1 day)'),
      // A missed run is made up by the next one (the rules select by age), so one retry is enough.
      target: new LambdaInvoke(props.target, { retryAttempts: 1, role: this.role }),
    });
    acknowledgeWildcardResource(
      this.role,
      `${props.target.functionArn}:*`,
      'The Scheduler target grant covers the retention function and its versions (":*"), nothing else.',
    );
  }
}
