import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { makeEvent, snapshotOf } from '../events';
import type { Actor, AuditEntry, Lead } from '../lead';
import { canSee, isManager } from '../lead-access';
import type { RecordedActivity } from '../scoring/activities';
import { rescore } from '../scoring/score-events';
import { scoreLead, topFactors } from '../scoring/score-lead';
import { type ActionPorts, type Caller, resumeExecution } from './act-on-lead';
import { isDormant, startWoken, wakeDormant } from './dormant';
import type { StepTasksPort } from './ports';
import { mappedAction, type StepTaskRecord } from './stage-steps';
import type { TeamsConfig } from './teams-config';
import { waitFor } from './transitions';

export type StepPorts = ActionPorts & { steps: StepTasksPort };

const MAX_ATTEMPTS = 5;

/** A team step is any member's (and the manager's); a user step its user's; the owner and managers may do any. */
export const mayComplete = (
  step: Pick<StepTaskRecord, 'assignee'>,
  lead: Pick<Lead, 'owner'>,
  caller: Caller,
  teams: TeamsConfig,
) => {
  if (isManager(caller) || lead.owner === caller.userId || step.assignee === `user:${caller.userId}`) return true;
  if (!step.assignee.startsWith('team:')) return false;
  const team = teams.teams.find((t) => `team:${t.id}` === step.assignee);
  return team !== undefined && (team.manager === caller.userId || team.members.some((m) => m.user === caller.userId));
};

/** The open steps a caller sees in GET /tasks: theirs and their teams', of leads still in that stage. */
export const openStepsFor = async (ports: Pick<StepPorts, 'steps' | 'leads' | 'config'>, caller: Caller) => {
  const teams = await ports.config.teams();
  const mine = teams.teams
    .filter((t) => t.manager === caller.userId || t.members.some((m) => m.user === caller.userId))
    .map((t) => `team:${t.id}`);
  const open = await ports.steps.openFor([`user:${caller.userId}`, ...mine]);
  const leads = new Map(
    await Promise.all(
      [...new Set(open.map((s) => s.leadId))].map(async (id) => [id, await ports.leads.get(id)] as const),
    ),
  );
  // A lead that ended (or moved on) by a rep's action leaves its steps behind: they are no one's work any more.
  return open.filter((s) => {
    const lead = leads.get(s.leadId);
    return lead !== undefined && lead.stage === s.stage && lead.steps?.stage === s.stage;
  });
};

/**
 * A rep completes a step with one of its outcomes: recorded once (the step must be open), audited on
 * the lead's feed, counted as an activity of the step's kind (the lead is rescored), announced with
 * `LeadActivityRecorded`. When the outcome maps to an action, the write consumes the execution's wait
 * token — the same conditional path as a rep's action, so of the two exactly one wins — and wakes the
 * execution, which takes the action itself if the criteria allow.
 */
export const completeStep = async (
  ports: StepPorts,
  request: { stepId: string; outcome: string; comment?: string; caller: Caller },
): Promise<{ step: StepTaskRecord; lead: Lead; duplicate: boolean; wakes: boolean }> => {
  const { stepId, outcome, comment, caller } = request;
  for (let attempt = 1; ; attempt++) {
    const step = await ports.steps.get(stepId);
    const lead = step ? await ports.leads.get(step.leadId) : undefined;
    if (!step || !lead) throw new NotFoundError('task', stepId);
    // A team step is any member's, even one who may not open the lead; anyone else who cannot see the lead learns nothing.
    if (!mayComplete(step, lead, caller, await ports.config.teams())) {
      if (!canSee(caller, lead)) throw new NotFoundError('task', stepId);
      throw new ForbiddenError(
        `only ${step.assignee.replace(':', ' ')}, the owner or a manager may complete this step`,
      );
    }
    if (step.status === 'done') {
      // A retry of the same completion answers the first result; another outcome is a conflict.
      if (step.outcome === outcome && step.completedBy === caller.userId)
        return { step, lead, duplicate: true, wakes: false };
      throw new ConflictError(`step '${step.name}' was already completed (${step.outcome} by ${step.completedBy})`, {
        taskId: stepId,
      });
    }
    if (step.status === 'cancelled' || lead.steps?.stage !== step.stage || lead.stage !== step.stage)
      throw new ConflictError(`lead ${lead.id} has left stage ${step.stage}; this step is closed`, { taskId: stepId });
    if (!step.outcomes.includes(outcome))
      throw new ValidationError([{ field: 'outcome', reason: `must be one of: ${step.outcomes.join(', ')}` }]);
    const stages = await ports.config.stages();
    const wakes = mappedAction(stages, step.stage, step.name, outcome) !== undefined;
    // A parked lead holds no execution: the outcome starts a fresh one, which takes the action.
    const dormant = wakes && !lead.taskToken && ports.executions !== undefined && isDormant(lead);
    if (wakes && !lead.taskToken && !dormant)
      throw new ConflictError(`lead ${lead.id} is moving right now; try again in a moment`, { retryable: true });

    const now = ports.clock.now();
    const at = now.toISOString();
    const wake = dormant ? wakeDormant(lead, 'outcome', now) : undefined;
    const actor: Actor = { kind: 'user', id: caller.userId, source: 'API' };
    const count = (lead.behaviour?.[step.kind] ?? 0) + 1;
    const behaviour = { ...(lead.behaviour ?? {}), [step.kind]: count };
    const scoring = await ports.config.scoring();
    const score = scoreLead({ ...lead, behaviour }, scoring.config.value, scoring.model, scoring.config.version);
    const rescored = rescore(lead, score, at);
    const done: StepTaskRecord = { ...step, status: 'done', outcome, completedAt: at, completedBy: caller.userId };
    const patch: Partial<Lead> = {
      behaviour,
      ...rescored.patch,
      steps: {
        stage: step.stage,
        items: lead.steps.items.map((s) =>
          s.id === stepId ? { ...s, status: 'done', outcome, completedAt: at, completedBy: caller.userId } : s,
        ),
      },
      stepOutcomes: [...(lead.stepOutcomes ?? []), { stepId, stage: step.stage, step: step.name, outcome, at }],
      ...(wakes ? { pendingNext: { next: 'outcome' as const, timeoutSeconds: waitFor(lead, now) } } : {}),
      ...wake?.patch,
    };
    const audit: AuditEntry[] = [
      {
        at,
        actor,
        action: 'step-completed',
        from: lead.stage,
        to: lead.stage,
        why: `${step.name}: ${outcome}${comment ? `; ${comment}` : ''}`,
        data: { stepId, kind: step.kind, outcome },
      },
      ...(rescored.moved ? [rescored.audit] : []),
      ...(wake ? [wake.audit] : []),
    ];
    const after = { ...lead, ...patch, version: lead.version + 1 };
    const activityId = `step:${stepId}`;
    const events = [
      makeEvent('LeadActivityRecorded', `activity:${lead.id}:${activityId}`, at, {
        leadId: lead.id,
        activityId,
        type: step.kind,
        activityAt: at,
        count,
        by: caller.userId,
        actor,
        stepId,
        step: step.name,
        outcome,
        lead: snapshotOf(after),
      }),
      ...rescored.events,
    ];
    const record: RecordedActivity = {
      leadId: lead.id,
      activityId,
      type: step.kind,
      activityAt: at,
      recordedAt: at,
      by: actor,
      count,
      score: score.score,
      scoreBand: score.band,
      scoreModel: score.model,
      topFactors: topFactors(score),
      events,
    };
    let written: Lead;
    try {
      written = await ports.steps.complete(lead, patch, audit, wakes ? lead.taskToken : undefined, done, record);
    } catch (error) {
      // The lead moved (an action, an activity, the workflow entering a wait) or the step was just completed: read again.
      if (error instanceof ConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    await ports.publisher.publish(events);
    if (wakes && lead.taskToken)
      await resumeExecution(ports, lead.taskToken, {
        Payload: { leadId: lead.id, next: 'outcome', timeoutSeconds: 1, stage: written.stage, events: [] },
      });
    else if (wake && ports.executions) await startWoken(ports.executions, ports.leads, written, wake.execution, now);
    return { step: done, lead: written, duplicate: false, wakes };
  }
};
