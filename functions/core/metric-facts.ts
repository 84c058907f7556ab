import { type CaptureOutcome, rejectReasonOf, type RejectReason } from './capture-rejections';
import type { Channel, DuplicatePolicy } from './lead';
import type { StepResult } from './lifecycle/transitions';

/**
 * What leadflow counts, as facts the core hands out and an adapter turns into CloudWatch metrics
 * (namespace `leadflow`, see adapters/emf-metrics.ts). Dimensions are configuration names only
 * (source ids, channels, policies, reasons, stages), never a person's data or a lead id.
 */
export type MetricFact =
  /** A lead was created. */
  | { name: 'LeadsCaptured'; sourceId: string; channel: Channel }
  /** A capture matched someone already known; the source's policy decided what happened. */
  | { name: 'DuplicatesFound'; policy: DuplicatePolicy }
  /** A known sender's delivery that did not become a lead. */
  | { name: 'CapturesRejected'; reason: RejectReason; channel: Channel }
  /** A stage SLA ran out with no action (`LeadAging`). */
  | { name: 'SlaBreaches'; stage: string }
  /** Seconds from `ApprovalRequested` (the task opened) to `ApprovalDecided`. */
  | { name: 'ApprovalWait'; seconds: number }
  /** Milliseconds a capture took, from the request to the answer. */
  | { name: 'CaptureLatency'; ms: number; channel: Channel };

export type MetricName = MetricFact['name'];

/** The CloudWatch namespace of every leadflow metric (set as POWERTOOLS_METRICS_NAMESPACE by the stack and the local runtime). */
export const METRICS_NAMESPACE = 'leadflow';

/**
 * Each metric's own dimensions, besides Powertools' `service` (the function). Every metric is also
 * emitted with `service` alone, the total that the alarms read.
 */
export const METRIC_DIMENSIONS = {
  LeadsCaptured: ['sourceId', 'channel'],
  DuplicatesFound: ['policy'],
  CapturesRejected: ['reason', 'channel'],
  SlaBreaches: ['stage'],
  ApprovalWait: [],
  CaptureLatency: ['channel'],
} as const satisfies { [N in MetricName]: readonly string[] };

/** The port: records facts; what it does with them (EMF on Lambda, nothing in most tests) is the adapter's business. */
export type MetricsPort = { record(facts: readonly MetricFact[]): void };

export const noMetrics: MetricsPort = { record: () => undefined };

export type CaptureDelivery = { sourceId: string; channel: Channel; policy: DuplicatePolicy };

/** The facts of one capture's outcome (an answer, or a thrown error that is the sender's fault). */
export const captureFacts = (
  delivery: CaptureDelivery,
  outcome: { answer: CaptureOutcome } | { error: unknown },
  ms: number,
): MetricFact[] => {
  const { sourceId, channel, policy } = delivery;
  if ('error' in outcome) {
    const rejected = rejectReasonOf(outcome.error);
    return rejected ? [{ name: 'CapturesRejected', reason: rejected.reason, channel }] : [];
  }
  const { answer } = outcome;
  const latency: MetricFact = { name: 'CaptureLatency', ms, channel };
  if (answer.status === 'spam') return [{ name: 'CapturesRejected', reason: 'spam', channel }, latency];
  if (answer.status === 'duplicate')
    return [{ name: 'DuplicatesFound', policy }, { name: 'CapturesRejected', reason: 'duplicate', channel }, latency];
  const duplicate: MetricFact[] = answer.duplicates.length > 0 ? [{ name: 'DuplicatesFound', policy }] : [];
  return [{ name: 'LeadsCaptured', sourceId, channel }, ...duplicate, latency];
};

/**
 * Runs one capture and records its facts, whether it answers or throws; the error goes on unchanged.
 * Latency is wall time on the monotonic clock (not the injected business clock, which tests pin).
 */
export const measuredCapture = async <T extends CaptureOutcome>(
  metrics: MetricsPort | undefined,
  delivery: CaptureDelivery,
  capture: () => Promise<T>,
): Promise<T> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const answer = await capture();
    metrics?.record(captureFacts(delivery, { answer }, elapsed()));
    return answer;
  } catch (error) {
    metrics?.record(captureFacts(delivery, { error }, elapsed()));
    throw error;
  }
};

/** One `SlaBreaches` per `LeadAging` a workflow step announces, by the stage whose SLA ran out. */
export const agingFacts = (result: StepResult | undefined): MetricFact[] =>
  (result?.events ?? [])
    .filter((e) => e.DetailType === 'LeadAging')
    .map((e) => {
      // Our own event, serialised a line earlier by toEntries: its stage is the stage that aged.
      const detail = JSON.parse(e.Detail) as { stage?: unknown };
      return {
        name: 'SlaBreaches',
        stage: typeof detail.stage === 'string' ? detail.stage : (result?.stage ?? 'unknown'),
      };
    });

/** The wait of a decided approval task (opened at `createdAt`, decided at `decidedAt`), in whole seconds. */
export const approvalWaitFacts = (task: { createdAt: string; decidedAt?: string }): MetricFact[] => {
  const opened = Date.parse(task.createdAt);
  const decided = task.decidedAt ? Date.parse(task.decidedAt) : Number.NaN;
  if (!Number.isFinite(opened) || !Number.isFinite(decided) || decided < opened) return [];
  return [{ name: 'ApprovalWait', seconds: Math.round((decided - opened) / 1000) }];
};
