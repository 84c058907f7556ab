import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag';

export type DueSweepScheduleProps = {
  /** The `dueSweep` function. */
  readonly target: IFunction;
  /**
   * EventBridge Scheduler expression.
   * @default 'rate(1 minute)'
   */
  readonly expression?: string;
};

/**
 * The one timer for leads that hold no execution: a recurring schedule invokes the due sweep, which
 * reads the head of the sparse byDue index (recycles from nurture, parked execution starts). One
 * schedule for all leads instead of one per lead: 43,200 invocations a month whatever the number of
 * nurtured leads (inside Lambda's and Scheduler's free tiers), where one-time schedules would cost a
 * CreateSchedule per nurtured lead and count against the 1,000,000-schedules quota.
 */
export class DueSweepSchedule extends Construct {
  public readonly schedule: Schedule;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: DueSweepScheduleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Recycle nurtured leads whose time came; start executions the open-execution limit parked',
      schedule: ScheduleExpression.expression(props.expression ?? 'rate(1 minute)'),
      target: new LambdaInvoke(props.target, { retryAttempts: 0, role: this.role }),
    });
    acknowledgeWildcardResource(
      this.role,
      `${props.target.functionArn}:*`,
      'The Scheduler target grant covers the sweep function and its versions (":*"), nothing else.',
    );
  }
}
