import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  MathExpression,
  Metric,
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
import { METRICS_NAMESPACE, type MetricName } from '../functions/core/metric-facts';
import { serviceNameOf } from './leadflow-function';

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
   * The application metrics (CloudWatch namespace `leadflow`, EMF from the functions' Powertools
   * Metrics): which functions emit them, and when their alarms fire.
   * @default - no application-metric widgets or alarms
   */
  readonly applicationMetrics?: ApplicationMetricsProps;
  /**
   * Dashboard name.
   * @default - generated
   */
  readonly dashboardName?: string;
};

export type ApplicationMetricsProps = {
  /** FUNCTIONS names that capture leads one request at a time (LeadsCaptured, CapturesRejected, CaptureLatency). */
  readonly captureFunctions: readonly string[];
  /** FUNCTIONS names that capture imported rows (counted on the dashboard; a bad file does not page anyone). */
  readonly importFunctions: readonly string[];
  /** The FUNCTIONS name of the lifecycle's Lambda steps (SlaBreaches). */
  readonly workflowStepsFunction: string;
  /** The FUNCTIONS name that takes approval decisions (ApprovalWait). */
  readonly approvalsFunction: string;
  /** Stage SLAs that may run out in one hour before the alarm fires. */
  readonly slaBreachesPerHour: number;
  /** p99 capture latency (ms) over five minutes, for any capture function, above which the alarm fires. */
  readonly captureLatencyP99Ms: number;
  /** Captures refused (invalid, malformed, duplicate under `reject`, spam) in five minutes before the alarm fires. */
  readonly rejectsPerFiveMinutes: number;
};

const FIVE_MINUTES = Duration.minutes(5);

/** One leadflow metric of one function, on its `service`-only dimension set (the total). */
const appMetric = (metricName: MetricName, functionName: string, statistic: string, period: Duration) =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: serviceNameOf(functionName) },
    statistic,
    period,
    label: functionName,
  });

/** Every series of a metric broken down by its own dimensions (graphs only: alarms cannot SEARCH). */
const breakdown = (
  metricName: MetricName | 'ColdStart',
  dimensions: readonly string[],
  statistic: string,
  label: string,
) =>
  new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${['service', ...dimensions].join(',')}} MetricName="${metricName}"', '${statistic}', 300)`,
    usingMetrics: {},
    period: FIVE_MINUTES,
    label,
  });

/** Metric math over up to ten metrics (the alarm limit), e.g. `SUM` or `MAX`. */
const across = (fn: 'SUM' | 'MAX', metrics: readonly Metric[], label: string, period: Duration) => {
  if (metrics.length === 0 || metrics.length > 10)
    throw new Error(`${label}: metric math over 1 to 10 metrics, received ${metrics.length}`);
  return new MathExpression({
    expression: `${fn}([${metrics.map((_, i) => `m${i}`).join(',')}])`,
    usingMetrics: Object.fromEntries(metrics.map((m, i) => [`m${i}`, m])),
    period,
    label,
  });
};

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
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key costs $1/month; the topic carries alarm names and states only, no lead data.',
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
      alarm(
        `${name}ExecutionsFailed`,
        `${name}: an execution failed (each lead has one; a failure needs a human)`,
        failed,
        1,
      );
      alarm(`${name}ExecutionsTimedOut`, `${name}: an execution timed out`, timedOut, 1);
      executionWidgets.push(
        new GraphWidget({
          title: `${name} executions`,
          left: [
            machine.metricStarted({ period: FIVE_MINUTES, statistic: 'Sum' }),
            machine.metricSucceeded({ period: FIVE_MINUTES, statistic: 'Sum' }),
            failed,
            timedOut,
          ],
          width: 12,
        }),
      );
    }

    const fnEntries = Object.entries(props.functions);
    const errors = fnEntries.map(([name, fn]) =>
      fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: name }),
    );
    // A metric-math alarm takes at most 10 metrics: one alarm per ten functions.
    for (let start = 0; start < errors.length; start += 10) {
      const chunk = errors.slice(start, start + 10);
      const ids = chunk.map((_, i) => `e${i}`);
      alarm(
        start === 0 ? 'LambdaErrors' : `LambdaErrors${start / 10 + 1}`,
        `Functions ${fnEntries
          .slice(start, start + 10)
          .map(([n]) => n)
          .join(', ')} threw 5 or more errors in five minutes together (see the Lambda errors widget for which)`,
        new MathExpression({
          expression: `SUM([${ids.join(',')}])`,
          usingMetrics: Object.fromEntries(chunk.map((m, i) => [`e${i}`, m])),
          period: FIVE_MINUTES,
          label: 'function errors',
        }),
        5,
      );
    }
    const appWidgets = props.applicationMetrics ? this.applicationMetrics(props.applicationMetrics, alarm) : [];
    for (const other of props.otherAlarms ?? []) {
      if (other instanceof Alarm) other.addAlarmAction(action);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# leadflow\nAPI, lifecycle executions, event delivery and functions. Alarms go to the `leadflow alarms` SNS topic.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API requests, 4xx, 5xx', left: [apiCount, api4xx, api5xx], width: 12 }),
      new GraphWidget({
        title: 'API latency (p50, p99)',
        left: [
          props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
          props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
        ],
        width: 12,
      }),
    );
    if (executionWidgets.length > 0) this.dashboard.addWidgets(...executionWidgets);
    const dlqs = Object.entries(props.deadLetterQueues).map(([name, q]) =>
      q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: name }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Event DLQ depth (undelivered events)', left: dlqs, width: 12 }),
      new GraphWidget({ title: 'Lambda errors', left: errors, width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda duration p99',
        left: fnEntries.map(([name, fn]) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: name })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda throttles',
        left: fnEntries.map(([name, fn]) =>
          fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum', label: name }),
        ),
        width: 12,
      }),
    );
    if (appWidgets.length > 0) {
      this.dashboard.addWidgets(
        new TextWidget({
          markdown:
            "## Leads (namespace `leadflow`)\nCaptures, duplicates, rejects, SLA breaches, approval wait and capture latency, from the functions' EMF metrics.",
          width: 24,
          height: 2,
        }),
      );
      for (let i = 0; i < appWidgets.length; i += 2) this.dashboard.addWidgets(...appWidgets.slice(i, i + 2));
    }
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms, ...(props.otherAlarms ?? [])], width: 24 }),
    );
  }

  /** The alarms on the leadflow metrics, and their widgets (returned so the dashboard places them). */
  private applicationMetrics(
    app: ApplicationMetricsProps,
    alarm: (id: string, description: string, metric: Metric | MathExpression, threshold: number) => Alarm,
  ): GraphWidget[] {
    const hour = Duration.hours(1);
    const slaBreaches = appMetric('SlaBreaches', app.workflowStepsFunction, 'Sum', hour);
    alarm(
      'SlaBreaches',
      `${app.slaBreachesPerHour} or more stage SLAs ran out within an hour (LeadAging): reps are not keeping up`,
      slaBreaches,
      app.slaBreachesPerHour,
    );
    const rejects = across(
      'SUM',
      app.captureFunctions.map((name) => appMetric('CapturesRejected', name, 'Sum', FIVE_MINUTES)),
      'captures rejected',
      FIVE_MINUTES,
    );
    alarm(
      'CaptureRejects',
      `${app.rejectsPerFiveMinutes} or more captures were refused in five minutes (see the rejects widget for the reason)`,
      rejects,
      app.rejectsPerFiveMinutes,
    );
    const latencies = app.captureFunctions.map((name) => appMetric('CaptureLatency', name, 'p99', FIVE_MINUTES));
    alarm(
      'CaptureLatencyP99',
      `A capture function's p99 latency reached ${app.captureLatencyP99Ms} ms over five minutes`,
      across('MAX', latencies, 'capture p99 (worst function)', FIVE_MINUTES),
      app.captureLatencyP99Ms,
    );

    const capturing = [...app.captureFunctions, ...app.importFunctions];
    return [
      new GraphWidget({
        title: 'Leads captured by source and channel',
        left: [breakdown('LeadsCaptured', ['sourceId', 'channel'], 'Sum', 'captured')],
        width: 12,
        stacked: true,
      }),
      new GraphWidget({
        title: 'Duplicates found by policy',
        left: [breakdown('DuplicatesFound', ['policy'], 'Sum', 'duplicates')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Captures rejected by reason and channel',
        left: [breakdown('CapturesRejected', ['reason', 'channel'], 'Sum', 'rejected')],
        leftAnnotations: [{ value: app.rejectsPerFiveMinutes, label: 'alarm (all capture functions)' }],
        width: 12,
      }),
      new GraphWidget({
        title: 'SLA breaches by stage (LeadAging)',
        left: [breakdown('SlaBreaches', ['stage'], 'Sum', 'breaches')],
        right: [slaBreaches.with({ label: 'per hour (alarm)' })],
        rightAnnotations: [{ value: app.slaBreachesPerHour, label: 'alarm' }],
        width: 12,
      }),
      new GraphWidget({
        title: 'Approval wait (s, requested to decided)',
        left: ['p50', 'p90', 'Maximum'].map((statistic) =>
          appMetric('ApprovalWait', app.approvalsFunction, statistic, hour).with({ label: statistic }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Capture latency p99 (ms)',
        left: capturing.map((name) => appMetric('CaptureLatency', name, 'p99', FIVE_MINUTES)),
        leftAnnotations: [{ value: app.captureLatencyP99Ms, label: 'alarm' }],
        width: 12,
      }),
      new GraphWidget({
        title: 'Cold starts',
        left: [breakdown('ColdStart', ['function_name'], 'Sum', 'cold starts')],
        width: 12,
      }),
    ];
  }
}
