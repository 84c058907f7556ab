/** Sizes for one bench run. `BENCH_SCALE=tiny` (the smoke test) runs every section on toy sizes. */
export type BenchScale = {
  name: 'full' | 'tiny';
  concurrency: number[];
  /** Requests per concurrency level for capture and for raw PutItem. */
  requestsPerLevel: (concurrency: number) => number;
  warmup: number;
  roundTripSamples: number;
  scaleSmall: number;
  scaleLarge: number;
  scaleSamples: number;
  coldRuns: number;
  importRows: number;
  workflowLeads: number;
  workflowScenarios: (
    | 'happyPath'
    | 'agingEscalation'
    | 'twoStepApproval'
    | 'happyPathQuiet'
    | 'slowRep'
    | 'slowRepQuiet'
  )[];
  /** Functions measured for cold start (all when undefined). */
  functions?: string[];
  /** Run `cdk synth` with bundling (bundles, CPU, resources, idle cost): minutes, so not at toy sizes. */
  synth: boolean;
};

const FULL: BenchScale = {
  name: 'full',
  concurrency: [1, 8, 32],
  requestsPerLevel: (c) => (c === 1 ? 300 : c === 8 ? 800 : 1600),
  warmup: 200,
  roundTripSamples: 50,
  scaleSmall: 1_000,
  scaleLarge: 50_000,
  scaleSamples: 300,
  coldRuns: 5,
  importRows: 1_000,
  workflowLeads: 3,
  // The first three with the default configuration; then the quiet-actions trade-off (stages `quietActions`).
  workflowScenarios: ['happyPath', 'agingEscalation', 'twoStepApproval', 'happyPathQuiet', 'slowRep', 'slowRepQuiet'],
  synth: true,
};

const TINY: BenchScale = {
  name: 'tiny',
  concurrency: [1, 8, 32],
  requestsPerLevel: (c) => Math.max(4, c),
  warmup: 5,
  roundTripSamples: 5,
  scaleSmall: 50,
  scaleLarge: 300,
  scaleSamples: 10,
  coldRuns: 1,
  importRows: 40,
  workflowLeads: 1,
  workflowScenarios: ['happyPath'],
  functions: ['captureWebhook', 'configApi'],
  synth: false,
};

export const benchScale = (raw = process.env.BENCH_SCALE): BenchScale => (raw === 'tiny' ? TINY : FULL);
