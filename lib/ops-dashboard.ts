import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  MathExpression,
  type Metric,
  TextWidget,
  TreatMissingData,
  AlarmStatusWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export type OpsDashboardProps = {
  readonly api: HttpApi;
  /** Functions by FUNCTIONS name. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** State machines by a display name (lifecycle, import). */
  readonly stateMachines: Readonly<Record<string, IStateMachine>>;
  /** DLQs by rule name. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Alarms created elsewhere (the DLQ depth alarms) to show and route to the topic. */
  readonly otherAlarms?: readonly IAlarm[];
  /**
   * Address subscribed to the alarm topic.
   * @default - no subscriber; subscribe to the topic yourself
   */
  readonly alarmEmail?: string;
  /**
   * Dashboard name.
   * @default - generated
   */
  readonly dashboardName?: string;
};

const FIVE_MINUTES = Duration.minutes(5);

/**
 * One CloudWatch dashboard for operators (API 4xx/5xx/latency, executions failed and timed out,
 * DLQ depth, Lambda errors and duration) and the alarms that page them through one SNS topic.
 */
export class OpsDashboard extends Construct {
  public readonly dashboard: Dashboard;
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'leadflow alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key costs $1/month; the topic carries alarm names and states only, no lead data.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (alarmId: string, description: string, metric: Metric | MathExpression, threshold: number) => {
      const created = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };

    const api4xx = props.api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const api5xx = props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const apiCount = props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    alarm('Api5xx', 'The HTTP API answered 5 or more 5xx in five minutes', api5xx, 5);
    alarm(
      'ApiLatencyP99',
      'The HTTP API p99 latency stayed above 3 s for five minutes',
      props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      3000,
    );

    const executionWidgets: GraphWidget[] = [];
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      const failed = machine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' });
      const timedOut = machine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' });
      alarm(`${name}ExecutionsFailed`, `${name}: an execution failed (each lead has one; a failure needs a human)`, failed, 1);
      alarm(`${name}ExecutionsTimedOut`, `${name}: an execution timed out`, timedOut, 1);
      executionWidgets.push(
        new GraphWidget({
          title: `${name} executions`,
          left: [machine.metricStarted({ period: FIVE_MINUTES, statistic: 'Sum' }), machine.metricSucceeded({ period: FIVE_MINUTES, statistic: 'Sum' }), failed, timedOut],
          width: 12,
        }),
      );
    }

    const fnEntries = Object.entries(props.functions);
    const errors = fnEntries.map(([name, fn]) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: name }));
    // A metric-math alarm takes at most 10 metrics: one alarm per ten functions.
    for (let start = 0; start < errors.length; start += 10) {
      const chunk = errors.slice(start, start + 10);
      const ids = chunk.map((_, i) => `e${i}`);
      alarm(
        start === 0 ? 'LambdaErrors' : `LambdaErrors${start / 10 + 1}`,
        `Functions ${fnEntries.slice(start, start + 10).map(([n]) => n).join(', ')} threw 5 or more errors in five minutes together (see the Lambda errors widget for which)`,
        new MathExpression({ expression: `SUM([${ids.join(',')}])`, usingMetrics: Object.fromEntries(chunk.map((m, i) => [`e${i}`, m])), period: FIVE_MINUTES, label: 'function errors' }),
        5,
      );
    }
    for (const other of props.otherAlarms ?? []) {
      if (other instanceof Alarm) other.addAlarmAction(action);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '# leadflow\nAPI, lifecycle executions, event delivery and functions. Alarms go to the `leadflow alarms` SNS topic.', width: 24, height: 2 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API requests, 4xx, 5xx', left: [apiCount, api4xx, api5xx], width: 12 }),
      new GraphWidget({
        title: 'API latency (p50, p99)',
        left: [props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }), props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' })],
        width: 12,
      }),
    );
    if (executionWidgets.length > 0) this.dashboard.addWidgets(...executionWidgets);
    const dlqs = Object.entries(props.deadLetterQueues).map(([name, q]) => q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: name }));
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Event DLQ depth (undelivered events)', left: dlqs, width: 12 }),
      new GraphWidget({ title: 'Lambda errors', left: errors, width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Lambda duration p99', left: fnEntries.map(([name, fn]) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: name })), width: 12 }),
      new GraphWidget({ title: 'Lambda throttles', left: fnEntries.map(([name, fn]) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum', label: name })), width: 12 }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms, ...(props.otherAlarms ?? [])], width: 24 }));
  }
}
