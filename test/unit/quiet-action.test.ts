import { describe, expect, it } from '@jest/globals';
import { staysQuiet } from '../../functions/core/lifecycle/quiet-action';
import { DEFAULT_STAGES, type StagesConfig } from '../../functions/core/lifecycle/stages-config';

const WAIT_UNTIL = '2026-03-02T14:00:00.000Z';
type Quiet = Parameters<typeof staysQuiet>[0];

/** A lead just qualified by a rep: MarketQualified, deadline two days out, the Assigned wait's token still held. */
const qualified: Quiet = {
  stage: 'MarketQualified',
  taskToken: 'tok-1',
  stageDeadline: '2026-03-04T10:00:00.000Z',
  execution: { name: 'L1', generation: 0, loops: 1, waitUntil: WAIT_UNTIL },
};
const withSteps: StagesConfig = {
  ...DEFAULT_STAGES,
  MarketQualified: {
    ...DEFAULT_STAGES.MarketQualified,
    steps: [{ name: 'discovery call', kind: 'call', due: 'P1D' }] as StagesConfig['MarketQualified']['steps'],
  },
};

describe('staysQuiet: a rep action that need not wake the waiting execution', () => {
  it('a later deadline in a stage without steps leaves the execution asleep', () => {
    expect(staysQuiet(qualified, 'wait', DEFAULT_STAGES)).toBe(true);
    // Exactly at the running wait's bound: the timer fires at or before the deadline, Aging waits again.
    expect(staysQuiet({ ...qualified, stageDeadline: WAIT_UNTIL }, 'wait', DEFAULT_STAGES)).toBe(true);
  });

  it('a deadline earlier than the running wait wakes it, or the lead would age late', () => {
    expect(staysQuiet({ ...qualified, stageDeadline: '2026-03-02T13:59:59.000Z' }, 'wait', DEFAULT_STAGES)).toBe(false);
  });

  it('anything the workflow does itself wakes it: approval, conversion, an end, a hand-over', () => {
    for (const next of ['approve', 'convert', 'to-contact', 'end', 'outcome'] as const)
      expect(staysQuiet(qualified, next, DEFAULT_STAGES)).toBe(false);
    expect(
      staysQuiet({ ...qualified, approval: { run: 1, chainIndex: 0, stepIndex: 0 } } as Quiet, 'wait', DEFAULT_STAGES),
    ).toBe(false);
  });

  it('a wait without a known bound, without a token or on an ended execution is woken as before', () => {
    expect(
      staysQuiet({ ...qualified, execution: { name: 'L1', generation: 0, loops: 1 } }, 'wait', DEFAULT_STAGES),
    ).toBe(false);
    expect(staysQuiet({ ...qualified, taskToken: undefined }, 'wait', DEFAULT_STAGES)).toBe(false);
    const ended = { ...qualified, execution: { ...qualified.execution, endedAt: WAIT_UNTIL } } as Quiet;
    expect(staysQuiet(ended, 'wait', DEFAULT_STAGES)).toBe(false);
  });

  it('nothing to time (parked, or no deadline) goes through the arming step, which ends the execution', () => {
    expect(staysQuiet({ ...qualified, parked: true }, 'wait', DEFAULT_STAGES)).toBe(false);
    expect(staysQuiet({ ...qualified, stageDeadline: undefined }, 'wait', DEFAULT_STAGES)).toBe(false);
  });

  it('a stage whose steps the arming step would open wakes it; steps already open for the stage do not', () => {
    expect(staysQuiet(qualified, 'wait', withSteps)).toBe(false);
    // Leaving a stage with open steps: the arming step cancels them.
    const leaving = { ...qualified, steps: { stage: 'Assigned', items: [] } } as Quiet;
    expect(staysQuiet(leaving, 'wait', DEFAULT_STAGES)).toBe(false);
    const opened = { ...qualified, steps: { stage: 'MarketQualified', items: [] } } as Quiet;
    expect(staysQuiet(opened, 'wait', withSteps)).toBe(true);
  });
});
