import { describe, expect, it } from '@jest/globals';
import { renderReadme } from '../../bench/readme-tables';

const README = `# x

Intro. <!-- bench:synth -->It takes about 1 s of CPU.<!-- /bench:synth --> After.

<!-- bench:workflowCost -->
| old | table |
|---|---|
<!-- /bench:workflowCost -->

<!-- bench:functions -->
| kept |
<!-- /bench:functions -->
`;

const results = {
  takenAt: '2026-12-07T03:00:00.000Z',
  synth: { cpuSeconds: 31.5, bundles: 28, wallSeconds: 60.2, resources: 301, resourceLimit: 500 },
  workflowCost: {
    measured: true,
    scenarios: {
      happyPath: {
        path: ['Begin', 'Dispatch', 'WaitForRep'],
        usage: {
          stateTransitions: 9,
          lambdaInvocations: 31,
          httpRequests: 4,
          readUnits: 71,
          writeUnits: 210,
          events: 7,
        },
        cost: {
          usdPer1000Leads: 0.43,
          breakdown: [
            { item: 'DynamoDB write units', usdPer1000Leads: 0.13 },
            { item: 'Step Functions state transitions', usdPer1000Leads: 0.225 },
          ],
        },
      },
      agingEscalation: { error: 'lead did not get there' },
    },
  },
};

describe('README bench regions', () => {
  it('are rewritten from the results, the text around them untouched, inline regions kept inline', () => {
    const { text, rendered, kept } = renderReadme(README, results);
    expect(rendered).toEqual(['synth', 'workflowCost']);
    expect(kept).toEqual(['functions']);
    expect(text).toContain(
      'Intro. <!-- bench:synth -->It takes about 31.5 s of CPU (28 bundles; 60.2 s on a shared machine) and yields 301 resources (CloudFormation allows 500).<!-- /bench:synth --> After.',
    );
    expect(text).not.toContain('| old | table |');
    expect(text).toContain('| happy path | 9 | 31 | 4 | 71 | 210 | 7 | **0.43** |');
    expect(text).toContain('| one aging escalation | – | – | – | – | – | – | lead did not get there |');
    // The bill is listed largest first, and the states of the happy path follow.
    expect(text).toContain(
      'Happy path per 1,000 leads: Step Functions state transitions $0.225, DynamoDB write units $0.13.',
    );
    expect(text).toContain('Happy path states: Begin → Dispatch → WaitForRep.');
    expect(text).toContain('<!-- bench:functions -->\n| kept |\n<!-- /bench:functions -->');
    expect(text).not.toContain('Quiet actions');
    // Rendering twice changes nothing more.
    expect(renderReadme(text, results).text).toBe(text);
  });

  it('names the quiet-actions rows and sums up their trade-off, transitions off → on, from the runs', () => {
    const usage = (stateTransitions: number) => ({
      usage: { ...results.workflowCost.scenarios.happyPath.usage, stateTransitions },
    });
    const withQuiet = {
      ...results,
      workflowCost: {
        ...results.workflowCost,
        scenarios: {
          ...results.workflowCost.scenarios,
          happyPathQuiet: usage(5),
          slowRep: usage(9),
          slowRepQuiet: usage(11),
        },
      },
    };
    const { text } = renderReadme(README, withQuiet);
    expect(text).toContain('| happy path, quiet actions | 5 |');
    expect(text).toContain('| slow rep, quiet actions | 11 |');
    expect(text).toContain('transitions off → on: happy path 9 → 5; slow rep 9 → 11.');
  });
});

describe('README capture region', () => {
  it('lists each concurrency level of the capture run beside raw PutItem, failures out of requests', () => {
    const level = (concurrency: number, perSecond: number) => ({
      concurrency,
      capture: { requests: 300, perSecond, p50: 14.6, p99: 63.4, errors: 1, cpuPerOp: { totalMs: 20.5 } },
      putItem: { requests: 300, perSecond: 370.9, p50: 2.1, p99: 11.9, errors: 0, cpuPerOp: { totalMs: 3.1 } },
      throughputRatio: 0.15,
      p50Ratio: 6.93,
      cpuRatio: 6.58,
    });
    const readme = '<!-- bench:capture -->\nold\n<!-- /bench:capture -->\n';
    const { text, rendered } = renderReadme(readme, { capture: [level(1, 54.7), level(8, 77.2)] });
    expect(rendered).toEqual(['capture']);
    expect(text).toContain(
      '| 1 | 54.7 | 14.6 | 63.4 | 1 of 300 | 20.5 | 370.9 | 2.1 | 11.9 | 3.1 | 0.15 | 6.93 | 6.58 |',
    );
    expect(text).toContain('| 8 | 77.2 |');
    expect(text).not.toContain('old');
    expect(renderReadme(readme, {}).kept).toEqual(['capture']);
  });
});
