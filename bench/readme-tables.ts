type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const show = (v: unknown) => (v === undefined || v === null ? '–' : String(v));
const usd = (v: unknown) => (typeof v === 'number' ? `$${v.toFixed(2)}` : '–');

const row = (cells: unknown[]) => `| ${cells.map(show).join(' | ')} |`;
const table = (head: string[], rows: unknown[][]) =>
  [row(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n');

const SCENARIOS: Record<string, string> = {
  happyPath: 'happy path',
  agingEscalation: 'one aging escalation',
  twoStepApproval: 'two-step approval',
  happyPathQuiet: 'happy path, quiet actions',
  slowRep: 'slow rep (acts after each old timeout, within each SLA)',
  slowRepQuiet: 'slow rep, quiet actions',
};

/** "happy path 9 → 5" for each scenario measured both with quiet actions off and on. */
const quietTradeOff = (scenarios: Json) =>
  (
    [
      ['happy path', 'happyPath', 'happyPathQuiet'],
      ['slow rep', 'slowRep', 'slowRepQuiet'],
    ] as const
  )
    .map(([label, off, on]) => [label, obj(obj(scenarios[off]).usage), obj(obj(scenarios[on]).usage)] as const)
    .filter(([, off, on]) => off.stateTransitions !== undefined && on.stateTransitions !== undefined)
    .map(([label, off, on]) => `${label} ${show(off.stateTransitions)} → ${show(on.stateTransitions)}`);

/** The workflow cost table and the happy path's bill and states, from `results.workflowCost`. */
const workflowCost = (results: Json) => {
  const wf = obj(results.workflowCost);
  if (!wf.measured) return undefined;
  const scenarios = Object.entries(obj(wf.scenarios));
  const rows = scenarios.map(([name, v]) => {
    const u = obj(obj(v).usage);
    const cost = obj(obj(v).cost).usdPer1000Leads;
    return [
      SCENARIOS[name] ?? name,
      u.stateTransitions,
      u.lambdaInvocations,
      u.httpRequests,
      u.readUnits,
      u.writeUnits,
      u.events,
      cost === undefined ? show(obj(v).error) : `**${cost}**`,
    ];
  });
  const happy = obj(obj(wf.scenarios).happyPath);
  const bill = (obj(happy.cost).breakdown as { item: string; usdPer1000Leads: number }[] | undefined) ?? [];
  const lines = [
    table(
      ['scenario', 'transitions', 'Lambda invocations', 'HTTP requests', 'RRU', 'WRU', 'events', 'USD / 1,000 leads'],
      rows,
    ),
  ];
  if (bill.length)
    lines.push(
      '',
      `Happy path per 1,000 leads: ${[...bill]
        .sort((a, b) => b.usdPer1000Leads - a.usdPer1000Leads)
        .map((l) => `${l.item} $${l.usdPer1000Leads}`)
        .join(', ')}.`,
    );
  if (Array.isArray(happy.path)) lines.push('', `Happy path states: ${(happy.path as string[]).join(' → ')}.`);
  const tradeOff = quietTradeOff(obj(wf.scenarios));
  if (tradeOff.length)
    lines.push(
      '',
      `Quiet actions (stages \`quietActions\`, off by default), transitions off → on: ${tradeOff.join('; ')}.`,
    );
  return lines.join('\n');
};

/** The cold-init table (CPU of the import, fresh process, median), from `results.functions`. */
const functions = (results: Json) => {
  const fns = obj(results.functions);
  if (!Array.isArray(fns.functions)) return undefined;
  const rows = (fns.functions as Json[]).map((f) => {
    const b = obj(f.bundled);
    const ratio = b.initCpuRatio;
    return [
      f.name,
      b.bundleKb,
      obj(b.init).initCpuMs,
      obj(b.floor).initCpuMs,
      typeof ratio === 'number' && ratio > 1.3 ? `**${ratio}**` : ratio,
      obj(b.init).initMs,
      obj(b.floor).initMs,
      b.initCpuWithSourceMapsFlagMs,
      obj(obj(f.external).init).initCpuMs,
    ];
  });
  const over = (fns.functions as Json[]).filter((f) => Number(obj(f.bundled).initCpuRatio) > 1.3).length;
  return [
    table(
      [
        'function',
        'bundle KiB',
        'init CPU ms',
        'floor CPU ms',
        'ratio',
        'init wall ms',
        'floor wall ms',
        'CPU with `--enable-source-maps`',
        'CPU, SDK external',
      ],
      rows,
    ),
    '',
    `Worst ratio ${show(fns.worstInitRatio)} (target ≤ ${show(fns.target)}); ${over} of ${rows.length} functions above 1.3.`,
  ].join('\n');
};

/** The synth sentence of "Deploy", from `results.synth`. */
const synth = (results: Json) => {
  const s = obj(results.synth);
  if (s.resources === undefined) return undefined;
  return `It takes about ${show(s.cpuSeconds)} s of CPU (${show(s.bundles)} bundles; ${show(s.wallSeconds)} s on a shared machine) and yields ${show(s.resources)} resources (CloudFormation allows ${show(s.resourceLimit)}).`;
};

/** The idle-cost table: the priced lines counted in the synthesized template, then what costs nothing idle. */
const idleCost = (results: Json) => {
  const cost = obj(obj(results.synth).idleCost);
  if (!Array.isArray(cost.lines)) return undefined;
  const priced = (cost.lines as { item: string; count: number; usdPerMonth: number }[]).map((l) => [
    `${l.item}: ${l.count}`,
    usd(l.usdPerMonth),
  ]);
  return table(
    ['Item', 'Idle cost per month'],
    [
      ...priced,
      [
        'KMS',
        '$0 — no customer-managed key: DynamoDB uses the AWS-owned key, S3 SSE-S3, SQS SSE-SQS, Secrets Manager its AWS-managed key',
      ],
      ['DynamoDB on-demand, PITR', 'storage only: $0.25 + $0.20 per GB-month'],
      [
        'Lambda, API Gateway HTTP API, Step Functions, EventBridge bus and archive, SQS, SNS, Scheduler, X-Ray',
        '$0 without requests (archive storage $0.10 per GB-month once events arrive)',
      ],
      ['CloudFront', '$0 without requests (no monthly fee)'],
      ['Cognito (Essentials plan)', '$0 up to 10,000 monthly active users'],
      ['S3 and CloudWatch Logs storage', 'cents'],
      ['**Total**', `**about ${usd(cost.usdPerMonth)} a month**`],
    ],
  );
};

type Phase = { perSecond?: number; p50?: number; p99?: number; errors?: number; requests?: number; cpuPerOp?: Json };

/** Capture over HTTP beside raw `PutItem` at each concurrency, from `results.capture`. */
const capture = (results: Json) => {
  const levels = Array.isArray(results.capture) ? (results.capture as Json[]) : [];
  if (levels.length === 0) return undefined;
  return table(
    [
      'concurrency',
      'capture leads/s',
      'p50 ms',
      'p99 ms',
      'failed',
      'CPU ms/lead',
      'PutItem/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/item',
      'throughput ratio',
      'p50 ratio',
      'CPU ratio',
    ],
    levels.map((level) => {
      const c = obj(level.capture) as Phase;
      const p = obj(level.putItem) as Phase;
      return [
        level.concurrency,
        c.perSecond,
        c.p50,
        c.p99,
        `${show(c.errors)} of ${show(c.requests)}`,
        obj(c.cpuPerOp).totalMs,
        p.perSecond,
        p.p50,
        p.p99,
        obj(p.cpuPerOp).totalMs,
        level.throughputRatio,
        level.p50Ratio,
        level.cpuRatio,
      ];
    }),
  );
};

export const RENDERERS: Record<string, (results: Json) => string | undefined> = {
  capture,
  workflowCost,
  functions,
  synth,
  idleCost,
};

/**
 * Replaces each `<!-- bench:NAME -->…<!-- /bench:NAME -->` region of `readme` with what NAME's renderer
 * makes of `results`; a region whose section the results lack is kept as it is (and listed).
 */
export const renderReadme = (readme: string, results: Json) => {
  const rendered: string[] = [];
  const kept: string[] = [];
  const text = readme.replace(
    /<!-- bench:([A-Za-z]+) -->([\s\S]*?)<!-- \/bench:\1 -->/g,
    (whole, name: string, _old: string) => {
      const make = RENDERERS[name];
      const body = make?.(results);
      if (body === undefined) {
        kept.push(name);
        return whole;
      }
      rendered.push(name);
      // A block region (it starts on its own line) stays a block; an inline one stays inline.
      const block = _old.startsWith('\n');
      return `<!-- bench:${name} -->${block ? `\n${body}\n` : body}<!-- /bench:${name} -->`;
    },
  );
  return { text, rendered, kept };
};
