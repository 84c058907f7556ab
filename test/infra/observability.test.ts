import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { METRIC_DIMENSIONS, METRICS_NAMESPACE } from '../../functions/core/metric-facts';
import { FUNCTIONS } from '../../functions/routes';
import { serviceNameOf } from '../../lib/leadflow-function';
import { buildApp } from './stack-fixture';
import type { Resource } from './template-helpers';

type AlarmMetric = {
  Expression?: string;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
    Stat: string;
    Period: number;
  };
};
type AlarmProps = { Threshold: number; Metrics?: AlarmMetric[]; AlarmActions?: unknown[] };

let template: Template;
let tuned: Template;
const ofType = (t: Template, type: string) => Object.values(t.findResources(type) as Record<string, Resource>);
const ourFunctions = (t: Template) =>
  ofType(t, 'AWS::Lambda::Function').filter(
    (f) =>
      String(f.Properties?.Description ?? '') !== '' &&
      (f.Properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME,
  );
/** The leadflow-namespace metrics an alarm reads, as `MetricName@service:Stat`. */
const leadflowMetricsOf = (alarm: AlarmProps) =>
  (alarm.Metrics ?? [])
    .flatMap((m) => (m.MetricStat ? [m.MetricStat] : []))
    .filter((s) => s.Metric.Namespace === METRICS_NAMESPACE)
    .map((s) => `${s.Metric.MetricName}@${s.Metric.Dimensions.find((d) => d.Name === 'service')?.Value}:${s.Stat}`);
const alarmsOn = (t: Template, metricName: string) =>
  ofType(t, 'AWS::CloudWatch::Alarm')
    .map((a) => a.Properties as AlarmProps)
    .filter((a) => leadflowMetricsOf(a).some((m) => m.startsWith(`${metricName}@`)));

beforeAll(() => {
  template = Template.fromStack(buildApp().stack);
  tuned = Template.fromStack(
    buildApp({
      context: { alarmSlaBreachesPerHour: 7, alarmCaptureLatencyP99Ms: 1500, alarmRejectsPerFiveMinutes: 12 },
    }).stack,
  );
}, 120_000);

describe('observability in the stack', () => {
  it('traces every function actively, names its Powertools service once per function, and the leadflow namespace', () => {
    const functions = ourFunctions(template);
    expect(functions).toHaveLength(Object.keys(FUNCTIONS).length);
    const services = functions.map((f) => {
      expect(f.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
      const vars = (f.Properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
      return vars.POWERTOOLS_SERVICE_NAME;
    });
    expect(services.sort()).toEqual(Object.keys(FUNCTIONS).map(serviceNameOf).sort());
  });

  it('traces every state machine with X-Ray', () => {
    const machines = ofType(template, 'AWS::StepFunctions::StateMachine');
    expect(machines.length).toBeGreaterThanOrEqual(1);
    for (const machine of machines) expect(machine.Properties?.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('alarms on SLA breaches, capture rejects and capture latency p99 from the functions that emit them, through the alarm topic', () => {
    const [sla] = alarmsOn(template, 'SlaBreaches');
    expect(leadflowMetricsOf(sla as AlarmProps)).toEqual(['SlaBreaches@leadflow-workflowSteps:Sum']);
    expect(sla?.Threshold).toBe(25);

    const [rejects] = alarmsOn(template, 'CapturesRejected');
    expect(leadflowMetricsOf(rejects as AlarmProps).sort()).toEqual(
      ['captureForm', 'captureWebhook', 'leadsApi'].map((f) => `CapturesRejected@${serviceNameOf(f)}:Sum`),
    );
    expect(rejects?.Metrics?.find((m) => m.Expression)?.Expression).toBe('SUM([m0,m1,m2])');
    expect(rejects?.Threshold).toBe(50);

    const [latency] = alarmsOn(template, 'CaptureLatency');
    expect(leadflowMetricsOf(latency as AlarmProps).sort()).toEqual(
      ['captureForm', 'captureWebhook', 'leadsApi'].map((f) => `CaptureLatency@${serviceNameOf(f)}:p99`),
    );
    expect(latency?.Metrics?.find((m) => m.Expression)?.Expression).toBe('MAX([m0,m1,m2])');
    expect(latency?.Threshold).toBe(3000);

    for (const alarm of [sla, rejects, latency]) expect(alarm?.AlarmActions).toHaveLength(1);
  });

  it('takes the alarm thresholds from configuration (CDK context)', () => {
    expect(alarmsOn(tuned, 'SlaBreaches').map((a) => a.Threshold)).toEqual([7]);
    expect(alarmsOn(tuned, 'CaptureLatency').map((a) => a.Threshold)).toEqual([1500]);
    expect(alarmsOn(tuned, 'CapturesRejected').map((a) => a.Threshold)).toEqual([12]);
  });

  it('graphs every leadflow metric on the ops dashboard', () => {
    const [dashboard] = ofType(template, 'AWS::CloudWatch::Dashboard');
    // The body is a Fn::Join of text and references; the references do not matter here.
    const [, parts] = (dashboard?.Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] } | undefined)?.[
      'Fn::Join'
    ] ?? ['', []];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'REF')).join('')) as {
      widgets: { properties: { metrics?: unknown[][] } }[];
    };
    const graphed = new Set(
      body.widgets.flatMap((w) =>
        (w.properties.metrics ?? []).flatMap((row) => {
          const [first, second] = row;
          if (first === METRICS_NAMESPACE && typeof second === 'string') return [second];
          const search = /^SEARCH\('\{leadflow,[^}]*\} MetricName="(\w+)"/.exec(
            String((first as { expression?: string }).expression ?? ''),
          );
          return search ? [search[1]] : [];
        }),
      ),
    );
    expect([...graphed].sort()).toEqual([...Object.keys(METRIC_DIMENSIONS), 'ColdStart'].sort());
  });
});
