import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type Archive, EventBus, type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_DELIVERY } from '../functions/core/event-rules';
import { EVENT_BUS_NAME, EVENT_SOURCE } from '../functions/core/events';

/** The shape of an entry of `EVENT_RULES` (`functions/core/event-rules.ts`). */
export type EventRuleSpec = {
  readonly name: string;
  readonly description?: string;
  /** An EventBridge event pattern as EventBridge writes it (`detail-type`, `source`, `detail`…). */
  readonly pattern: Readonly<Record<string, unknown>>;
  /** Name of the target function in FUNCTIONS. */
  readonly target: string;
};

export type LeadEventsProps = {
  /**
   * Name of the custom bus.
   * @default EVENT_BUS_NAME ('leadflow', functions/core/events.ts)
   */
  readonly busName?: string;
  /**
   * Days the archive keeps every `leadflow` event for replay.
   * @default 90
   */
  readonly archiveRetentionDays?: number;
  /**
   * Attempts EventBridge makes to deliver an event to a target before it goes to the DLQ.
   * @default EVENT_DELIVERY.retryAttempts (8, functions/core/event-rules.ts)
   */
  readonly retryAttempts?: number;
  /**
   * Oldest an event may be and still be delivered.
   * @default EVENT_DELIVERY.maxEventAgeSeconds (24 h, functions/core/event-rules.ts)
   */
  readonly maxEventAge?: Duration;
};

/** One routed rule: the rule, its DLQ and the alarm on the DLQ's depth. */
export type RoutedRule = { readonly rule: Rule; readonly deadLetterQueue: Queue; readonly alarm: Alarm };

const PATTERN_KEYS: Record<string, keyof EventPattern> = {
  source: 'source',
  'detail-type': 'detailType',
  detail: 'detail',
  account: 'account',
  region: 'region',
  resources: 'resources',
  id: 'id',
  time: 'time',
  version: 'version',
};

/** EventBridge's JSON pattern → CDK's `EventPattern` (which renders back to the same JSON). */
export const toEventPattern = (raw: Readonly<Record<string, unknown>>, ruleName: string): EventPattern => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const cdkKey = PATTERN_KEYS[key];
    if (!cdkKey)
      throw new Error(
        `event rule ${ruleName}: pattern key "${key}" is not an EventBridge pattern field (${Object.keys(PATTERN_KEYS).join(', ')})`,
      );
    out[cdkKey] = value;
  }
  return out as EventPattern;
};

/**
 * The `leadflow` event bus, an archive of everything on it (for replay), and the fan-out rules,
 * each delivering to its function with retries and, when that fails, to an encrypted DLQ that
 * raises an alarm as soon as it holds a message. Nothing is lost silently.
 */
export class LeadEvents extends Construct {
  public readonly bus: EventBus;
  public readonly archive: Archive;
  public readonly routed: RoutedRule[] = [];
  private readonly props: LeadEventsProps;

  constructor(scope: Construct, id: string, props: LeadEventsProps = {}) {
    super(scope, id);
    this.props = props;
    const retention = props.archiveRetentionDays ?? 90;
    if (!Number.isInteger(retention) || retention < 1)
      throw new Error(`archiveRetentionDays must be a whole number of days ≥ 1, received ${retention}`);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName ?? EVENT_BUS_NAME });
    this.archive = this.bus.archive('Archive', {
      description: 'Every leadflow event, for replay of a time window',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(retention),
    });
  }

  /** Routes one rule of EVENT_RULES to its function. */
  public route(spec: EventRuleSpec, target: IFunction): RoutedRule {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(spec.name))
      throw new Error(`event rule name "${spec.name}" must be 1–64 of [A-Za-z0-9._-]`);
    const scope = new Construct(this, spec.name);
    const deadLetterQueue = new Queue(scope, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of an EventBridge rule target; cdk-nag only recognises SQS redrive DLQs.',
    });
    const rule = new Rule(scope, 'Rule', {
      eventBus: this.bus,
      description: spec.description ?? `${spec.name} → ${spec.target}`,
      eventPattern: toEventPattern(spec.pattern, spec.name),
      targets: [
        new LambdaFunction(target, {
          deadLetterQueue,
          retryAttempts: this.props.retryAttempts ?? EVENT_DELIVERY.retryAttempts,
          maxEventAge: this.props.maxEventAge ?? Duration.seconds(EVENT_DELIVERY.maxEventAgeSeconds),
        }),
      ],
    });
    const alarm = new Alarm(scope, 'DeadLettersAlarm', {
      alarmDescription: `Events for rule ${spec.name} (→ ${spec.target}) could not be delivered and wait in its DLQ`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const routed = { rule, deadLetterQueue, alarm };
    this.routed.push(routed);
    return routed;
  }
}
