import type { StoredLead } from './ports';
import type { StagesConfig } from './stages-config';
import { isWorking, type Next } from './transitions';

/**
 * Whether a rep's action may leave the waiting execution asleep: the lead is written (conditional on
 * its version and on the wait's token, which stays on the lead) and the action publishes its events
 * itself, but the token is not completed, so the execution spends no state transition on it.
 *
 * Only when waking would change nothing the execution does: the action leads to another rep wait
 * (`next: 'wait'`: no approval, conversion or disqualification), the lead has a deadline (nothing to
 * time ends the execution instead), the arming step would open no steps, and the new deadline is not
 * earlier than the running wait's timeout (`execution.waitUntil`, recorded by the arming step as an
 * upper bound of the timer). The running wait then times out at or before the new deadline, and the
 * `Aging` step, which finds the deadline moved, waits again: nothing ages early, nothing ages late.
 *
 * Only when the stages configuration turns it on (`quietActions: true`): an action followed by the old
 * timer running out costs one transition more than waking (Aging, Dispatch, WaitForRep against Dispatch,
 * WaitForRep), so it pays off only where reps act before the running wait's timeout.
 */
export const staysQuiet = (
  after: Pick<StoredLead, 'stage' | 'taskToken' | 'approval' | 'parked' | 'stageDeadline' | 'steps' | 'execution'>,
  next: Next,
  stages: StagesConfig,
): boolean => {
  if (stages.quietActions !== true) return false;
  const waitUntil = after.execution?.waitUntil;
  if (next !== 'wait' || !after.taskToken || !waitUntil || after.execution?.endedAt) return false;
  if (!isWorking(after.stage) || after.approval || after.parked || !after.stageDeadline) return false;
  // The arming step opens a stage's steps once (workflow-steps.ts, openSteps): a wait that would open some must run.
  const opensNoSteps =
    after.steps?.stage === after.stage || ((stages[after.stage].steps ?? []).length === 0 && !after.steps);
  return opensNoSteps && Date.parse(after.stageDeadline) >= Date.parse(waitUntil);
};
