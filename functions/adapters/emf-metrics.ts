import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSIONS, type MetricFact, type MetricsPort } from '../core/metric-facts';

const measureOf = (fact: MetricFact): { unit: (typeof MetricUnit)[keyof typeof MetricUnit]; value: number } => {
  if (fact.name === 'ApprovalWait') return { unit: MetricUnit.Seconds, value: fact.seconds };
  if (fact.name === 'CaptureLatency') return { unit: MetricUnit.Milliseconds, value: fact.ms };
  return { unit: MetricUnit.Count, value: 1 };
};

/**
 * Facts as CloudWatch embedded-metric-format lines through Powertools. Each fact is a single metric
 * (written at once, with its own dimensions, so facts of different sources in one invocation never
 * share a dimension set) carrying two dimension sets: `service` + the fact's dimensions, and `service`
 * alone for the totals the alarms read.
 */
export const makeEmfMetrics = (metrics: Metrics): MetricsPort => ({
  record(facts) {
    for (const fact of facts) {
      const single = metrics.singleMetric();
      const dimensions = Object.fromEntries(
        METRIC_DIMENSIONS[fact.name].map((key) => [key, String((fact as Record<string, unknown>)[key])]),
      );
      single.addDimensions({});
      if (Object.keys(dimensions).length > 0) single.addDimensions(dimensions);
      const { unit, value } = measureOf(fact);
      single.addMetric(fact.name, unit, value);
    }
  },
});
