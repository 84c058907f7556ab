import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../local/config';
import prices from './aws-prices.json' with { type: 'json' };
import { round } from './stats';

const run = promisify(execFile);

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = { Resources?: Record<string, Resource> };

/** Alarm metrics as CloudWatch bills them: one per metric of a metric-math alarm, else one. */
const alarmMetrics = (r: Resource) => {
  const metrics = r.Properties?.Metrics;
  return Array.isArray(metrics) ? metrics.filter((m) => (m as { MetricStat?: unknown }).MetricStat).length : 1;
};

/**
 * What the stack costs a month with no traffic, from the synthesized template and the list prices:
 * Secrets Manager secrets (one per webhook source), CloudWatch dashboards and alarm metrics.
 * Everything else the stack holds bills per request or per GB stored.
 */
export const idleCostOf = (template: Template) => {
  const resources = Object.values(template.Resources ?? {});
  const count = (type: string) => resources.filter((r) => r.Type === type).length;
  const secrets = count('AWS::SecretsManager::Secret');
  const dashboards = count('AWS::CloudWatch::Dashboard');
  const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  const metrics = alarms.reduce((sum, r) => sum + alarmMetrics(r), 0);
  const p = prices.prices;
  const lines = [
    { item: 'Secrets Manager secrets', count: secrets, usdPerMonth: secrets * p.secretsManagerPerSecretMonth.usd },
    { item: 'CloudWatch dashboards', count: dashboards, usdPerMonth: dashboards * p.cloudWatchDashboardPerMonth.usd },
    {
      item: `CloudWatch alarm metrics (${alarms.length} alarms)`,
      count: metrics,
      usdPerMonth: metrics * p.cloudWatchAlarmMetricPerMonth.usd,
    },
  ].map((l) => ({ ...l, usdPerMonth: round(l.usdPerMonth, 2) }));
  return {
    lines,
    usdPerMonth: round(
      lines.reduce((s, l) => s + l.usdPerMonth, 0),
      2,
    ),
  };
};

/**
 * `cdk synth` as a user runs it (every function bundled by esbuild, cdk-nag, the template written):
 * CPU time of the whole process tree (bash `time`: user + system of the children), wall time, how
 * many function bundles and resources it yields, and the idle cost of what it would deploy.
 */
export const measureSynth = async () => {
  const out = mkdtempSync(join(tmpdir(), 'leadflow-synth-'));
  try {
    const started = Date.now();
    const { stderr } = await run(
      'bash',
      ['-c', `TIMEFORMAT='cpu %U %S'; time npx cdk synth --quiet -o "${out}" > /dev/null`],
      { cwd: PROJECT_ROOT, timeout: 900_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const wallSeconds = round((Date.now() - started) / 1000, 1);
    const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
    const cpuSeconds = cpu ? round(Number(cpu[1]) + Number(cpu[2]), 1) : undefined;
    const templateFile = readdirSync(out).find((f) => f.endsWith('.template.json'));
    if (!templateFile) throw new Error(`cdk synth wrote no template into ${out}`);
    const template = JSON.parse(readFileSync(join(out, templateFile), 'utf8')) as Template;
    const resources = Object.values(template.Resources ?? {});
    // A function bundle is an asset directory holding esbuild's index.mjs.
    const bundles = readdirSync(out).filter(
      (d) => d.startsWith('asset.') && existsSync(join(out, d, 'index.mjs')),
    ).length;
    return {
      command: 'npx cdk synth --quiet (bundling every function, cdk-nag checks)',
      wallSeconds,
      cpuSeconds,
      bundles,
      lambdaFunctions: resources.filter((r) => r.Type === 'AWS::Lambda::Function').length,
      resources: resources.length,
      resourceLimit: 500,
      idleCost: idleCostOf(template),
      pricesAsOf: prices.asOf,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};
