import { describe, expect, it } from '@jest/globals';
import { staysQuiet } from '../../functions/core/lifecycle/quiet-action';
import { DEFAULT_STAGES, type StagesConfig, stagesConfigSchema } from '../../functions/core/lifecycle/stages-config';

const WAIT_UNTIL = '2026-03-02T14:00:00.000Z';
type Quiet = Parameters<typeof staysQuiet>[0];

/** A lead just qualified by a rep: MarketQualified, deadline two days out, the Assigned wait's token still held. */
const qualified: Quiet = {
  stage: 'MarketQualified',
  taskToken: 'tok-1',
  stageDeadline: '2026-03-04T10:00:00.000Z',
  execution: { name: 'L1', generation: 0, loops: 1, waitUntil: WAIT_UNTIL },
};
/** The default stages with quiet actions turned on (they are off by default). */
const QUIET: StagesConfig = { ...DEFAULT_STAGES, quietActions: true };
const withSteps: StagesConfig = {
  ...QUIET,
  MarketQualified: {
    ...DEFAULT_STAGES.MarketQualified,
    steps: [{ name: 'discovery call', kind: 'call', due: 'P1D' }] as StagesConfig['MarketQualified']['steps'],
  },
};

describe('the quietActions setting of the stages configuration', () => {
  it('is off by default: the same action on the same lead wakes the execution', () => {
    expect(DEFAULT_STAGES.quietActions).toBe(false);
    expect(staysQuiet(qualified, 'wait', DEFAULT_STAGES)).toBe(false);
    const { quietActions: _, ...without } = DEFAULT_STAGES;
    expect(staysQuiet(qualified, 'wait', without)).toBe(false);
    expect(staysQuiet(qualified, 'wait', QUIET)).toBe(true);
  });

  it('is accepted as a boolean, may be left out, and anything else is refused naming the field', () => {
    const { quietActions: _, ...without } = DEFAULT_STAGES;
    expect(stagesConfigSchema.safeParse(without).success).toBe(true);
    expect(stagesConfigSchema.parse({ ...DEFAULT_STAGES, quietActions: true }).quietActions).toBe(true);
    const wrong = stagesConfigSchema.safeParse({ ...DEFAULT_STAGES, quietActions: 'yes' });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues.map((i) => i.path.join('.'))).toEqual(['quietActions']);
  });
});

describe('staysQuiet: a rep action that need not wake the waiting execution', () => {
  it('a later deadline in a stage without steps leaves the execution asleep', () => {
    expect(staysQuiet(qualified, 'wait', QUIET)).toBe(true);
    // Exactly at the running wait's bound: the timer fires at or before the deadline, Aging waits again.
    expect(staysQuiet({ ...qualified, stageDeadline: WAIT_UNTIL }, 'wait', QUIET)).toBe(true);
  });

  it('a deadline earlier than the running wait wakes it, or the lead would age late', () => {
    expect(staysQuiet({ ...qualified, stageDeadline: '2026-03-02T13:59:59.000Z' }, 'wait', QUIET)).toBe(false);
  });

  it('anything the workflow does itself wakes it: approval, conversion, an end, a hand-over', () => {
    for (const next of ['approve', 'convert', 'to-contact', 'end', 'outcome'] as const)
      expect(staysQuiet(qualified, next, QUIET)).toBe(false);
    expect(
      staysQuiet({ ...qualified, approval: { run: 1, chainIndex: 0, stepIndex: 0 } } as Quiet, 'wait', QUIET),
    ).toBe(false);
  });

  it('a wait without a known bound, without a token or on an ended execution is woken as before', () => {
    expect(staysQuiet({ ...qualified, execution: { name: 'L1', generation: 0, loops: 1 } }, 'wait', QUIET)).toBe(false);
    expect(staysQuiet({ ...qualified, taskToken: undefined }, 'wait', QUIET)).toBe(false);
    const ended = { ...qualified, execution: { ...qualified.execution, endedAt: WAIT_UNTIL } } as Quiet;
    expect(staysQuiet(ended, 'wait', QUIET)).toBe(false);
  });

  it('nothing to time (parked, or no deadline) goes through the arming step, which ends the execution', () => {
    expect(staysQuiet({ ...qualified, parked: true }, 'wait', QUIET)).toBe(false);
    expect(staysQuiet({ ...qualified, stageDeadline: undefined }, 'wait', QUIET)).toBe(false);
  });

  it('a stage whose steps the arming step would open wakes it; steps already open for the stage do not', () => {
    expect(staysQuiet(qualified, 'wait', withSteps)).toBe(false);
    // Leaving a stage with open steps: the arming step cancels them.
    const leaving = { ...qualified, steps: { stage: 'Assigned', items: [] } } as Quiet;
    expect(staysQuiet(leaving, 'wait', QUIET)).toBe(false);
    const opened = { ...qualified, steps: { stage: 'MarketQualified', items: [] } } as Quiet;
    expect(staysQuiet(opened, 'wait', withSteps)).toBe(true);
  });
});
