import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { BusEvent } from '../events';
import type { EventPublisher } from '../ports';
import type { Actor, AuditEntry, Lead } from '../lead';
import { canSee, isManager } from '../lead-access';
import { type ApprovalsConfig, chainFor, mayDecide } from './approvals-config';
import { selfDecisionRefusal } from './segregation-of-duties';
import { staysQuiet } from './quiet-action';
import { openApprovalStep } from './approval-step';
import { type Assignment, assignLead } from './assign';
import { describePendingApproval, pendingApprovalOf } from './pending-approval';
import type { LifecyclePorts, StoredLead } from './ports';
import { isDormant, startWoken, wakeDormant } from './dormant';
import { assertCriteria, type StepMove, stepMovesAudit, stepsFollowingOwner } from './stage-steps';
import { calendarOf, type TeamsConfig, teamOf } from './teams-config';
import { addNurture } from './nurture';
import { ACTIONS, type RepAction } from './stages-config';
import {
  type ActionInput,
  allowedActions,
  enterStage,
  leadEvent,
  type LeadChange,
  type Next,
  planAction,
  waitFor,
} from './transitions';

export type Caller = { userId: string; groups: readonly string[] };
export type CallbackPort = { succeed(taskToken: string, output: unknown): Promise<void> };
export type ActionPorts = LifecyclePorts & { callback: CallbackPort; publisher: EventPublisher };

const actorOf = (caller: Caller): Actor => ({ kind: 'user', id: caller.userId, source: 'API' });

/** A timer that fires after our write but before the callback finds the token gone: not an error. */
export const resumeExecution = async (ports: ActionPorts, token: string, output: unknown) => {
  try {
    await ports.callback.succeed(token, output);
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'TaskTimedOut' && name !== 'TaskDoesNotExist' && name !== 'InvalidToken') throw error;
  }
};

/**
 * The execution stores its wait token a moment after a stage change. A request arriving in that
 * moment waits for it (up to `withinMs`) instead of bouncing a 409 the caller would have to retry.
 */
export const whenSettled = async <T>(attempt: () => Promise<T>, withinMs = 5000, everyMs = 100): Promise<T> => {
  const started = Date.now();
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof ConflictError && error.details.retryable === true;
      if (!retryable || Date.now() - started > withinMs) throw error;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
};

/**
 * A named assignment (the console's "Assign to…"): a manager may give the lead to any member of a
 * team, a rep may only take it themselves; the lead joins the new owner's team.
 */
const assignTo = (
  lead: Lead,
  owner: string,
  caller: Caller,
  teams: TeamsConfig,
  ruleVersion: number,
  at: string,
): Assignment => {
  if (owner !== caller.userId && !isManager(caller))
    throw new ForbiddenError('only a manager may assign a lead to someone else');
  const team = teamOf(teams, owner);
  if (!team)
    throw new ValidationError([
      { field: 'owner', reason: `'${owner}' is not a member of a team in the teams configuration` },
    ]);
  if (lead.owner === owner) throw new ConflictError(`lead ${lead.id} already belongs to ${owner}`, { owner });
  return {
    owner,
    team: team.id,
    assignment: { ruleVersion, ruleIndex: null, explanation: `assigned to ${owner} by ${caller.userId}`, at },
  };
};

export const isRepAction = (value: string): value is RepAction => (ACTIONS as readonly string[]).includes(value);

/**
 * A rep's action on a lead: checked against the stage's allowed actions, written conditionally on the
 * lead's version and its current wait token (two racing actions: one wins, the other gets 409), then
 * published and handed to the waiting execution.
 */
export const actOnLead = async (
  ports: ActionPorts,
  request: { leadId: string; action: RepAction; input: ActionInput; caller: Caller },
) => {
  const { leadId, action, input, caller } = request;
  const lead: StoredLead | undefined = await ports.leads.get(leadId);
  if (!lead || !canSee(caller, lead)) throw new NotFoundError('lead', leadId);
  if (lead.owner && lead.owner !== caller.userId && !isManager(caller))
    throw new ForbiddenError(`only the owner (${lead.owner}) or a manager may act on this lead`);
  if (lead.stage === 'Creation')
    throw new ConflictError(`lead ${leadId} is moving right now (being scored and routed); try again in a moment`, {
      stage: lead.stage,
      allowed: [],
      retryable: true,
    });
  const pending = pendingApprovalOf(
    lead,
    await ports.config.approvals(),
    lead.approval?.taskId ? await ports.tasks.get(lead.approval.taskId) : undefined,
  );
  // Not retryable: the lead will not move until an approver decides, so waiting here helps nobody.
  if (pending)
    throw new ConflictError(`lead ${leadId} is waiting on approval: ${describePendingApproval(pending)}`, {
      stage: lead.stage,
      allowed: [],
      pendingApproval: pending,
    });
  const stages = await ports.config.stages();
  const allowed = allowedActions(lead, stages);
  if (!allowed.includes(action)) {
    throw new ConflictError(
      `'${action}' is not allowed in stage ${lead.stage}; allowed: ${allowed.join(', ') || 'none'}`,
      { stage: lead.stage, allowed },
    );
  }
  // Qualification criteria of the transition: 422 naming each unmet one, nothing written.
  assertCriteria(lead, stages, action);
  const token = lead.taskToken;
  // A lead parked with no execution (nothing to time): the action writes it and starts a fresh one.
  const dormant = !token && ports.executions !== undefined && isDormant(lead);
  if (!token && !dormant)
    throw new ConflictError(`lead ${leadId} is moving right now; reload it and try again`, {
      stage: lead.stage,
      allowed,
      retryable: true,
    });
  const now = ports.clock.now();
  const at = now.toISOString();
  const actor = actorOf(caller);
  let change: LeadChange & { next: Next };
  let stepMoves: StepMove[] = [];
  if (action === 'distribute') {
    const [routing, teams] = await Promise.all([ports.config.routing(), ports.config.teams()]);
    const next = input.owner
      ? assignTo(lead, input.owner, caller, teams, routing.version, at)
      : await assignLead(lead, routing, teams, ports.counters, at, lead.owner ? [lead.owner] : []);
    const followed = stepsFollowingOwner(lead, stages, next);
    stepMoves = followed.moves;
    const patch: Partial<Lead> = {
      owner: next.owner,
      team: next.team,
      assignment: next.assignment,
      ...enterStage(lead.stage, now, stages, calendarOf(teams, next.team)),
      ...(followed.moves.length ? { steps: followed.steps } : {}),
    };
    const after = { ...lead, ...patch, version: lead.version + 1 };
    change = {
      patch,
      next: 'wait',
      audit: [
        {
          at,
          actor,
          action: 'distribute',
          from: lead.stage,
          to: lead.stage,
          why: `${input.comment ? `${input.comment}; ` : ''}${next.assignment.explanation}`,
        },
        ...stepMovesAudit(followed.moves, at, actor),
      ],
      events: [
        leadEvent('LeadAssigned', after, at, {
          owner: next.owner ?? null,
          previousOwner: lead.owner ?? null,
          team: next.team ?? null,
          why: next.assignment.explanation,
        }),
      ],
    };
  } else {
    change = planAction(lead, action, input, actor, now, stages, calendarOf(await ports.config.teams(), lead.team));
    if (action === 'disqualify')
      addNurture(change, lead, Boolean(input.convertToContact), actor, now, await ports.config.nurture?.());
    if (action === 'convert') requestConversion(change, lead, await ports.config.approvals(), caller.userId, at);
  }
  const timeoutSeconds = change.next === 'wait' ? waitFor({ ...lead, ...change.patch }, now) : 1;
  // An action that ends the lead (a plain disqualification) needs no execution at all.
  const wake = dormant && change.next !== 'end' ? wakeDormant(lead, change.next, now) : undefined;
  // Waking the execution would only arm the same wait again: the action keeps the token and lets it sleep.
  const quiet = Boolean(token) && staysQuiet({ ...lead, ...change.patch }, change.next, stages);
  const after = await ports.leads.write(
    lead,
    {
      ...change.patch,
      pendingNext: quiet ? null : { next: change.next, timeoutSeconds },
      ...wake?.patch,
      // A nurture's recycle (disqualify, keep as contact) stays what is due; the start is made right below.
      ...(change.patch.due ? { due: change.patch.due } : {}),
    },
    wake ? [...change.audit, wake.audit] : change.audit,
    // Quiet: still conditional on the token (a change beside the workflow is retried as usual), which stays.
    token ? { consumeToken: token, ...(quiet ? { keepToken: true } : {}) } : {},
  );
  // The open steps' task items follow the new owner (the lead already lists them so).
  if (stepMoves.length) await ports.steps?.reassign?.(stepMoves);
  // A conversion that needs approval: its first task is opened here, and the execution resumes straight into the approval wait.
  const opened = token && change.next === 'approve' ? await openApprovalHere(ports, after) : undefined;
  await ports.publisher.publish([...change.events, ...(opened?.events ?? [])]);
  if (token && !quiet)
    await resumeExecution(ports, token, {
      Payload: {
        leadId,
        next: opened?.next ?? change.next,
        timeoutSeconds: opened?.timeoutSeconds ?? timeoutSeconds,
        stage: after.stage,
        events: [],
      },
    });
  else if (wake && ports.executions) await startWoken(ports.executions, ports.leads, after, wake.execution, now);
  return { lead: opened?.lead ?? after, next: change.next };
};

/**
 * Opens the approval step an action asked for (`next: 'approve'`), sparing the execution its
 * `PrepareApproval` step and a `Dispatch`. The action's write already recorded `pendingNext: approve`,
 * so if this fails the execution is resumed with `approve` and the step opens it (idempotently) instead.
 */
const openApprovalHere = async (ports: ActionPorts, lead: StoredLead) => {
  try {
    return await openApprovalStep(ports, lead);
  } catch {
    return undefined;
  }
};

/** A conversion request (a rep's, or a step outcome's): the approval chain of the lead's segment, or straight to convert. */
export const requestConversion = (
  change: LeadChange & { next: Next },
  lead: Lead,
  approvals: ApprovalsConfig,
  requestedBy: string,
  at: string,
) => {
  const chain = chainFor(lead, approvals);
  change.next = chain ? 'approve' : 'convert';
  // Each conversion request is a new run of the chain, so its tasks never collide with a rejected run's.
  const run = (lead.approvalRuns ?? 0) + 1;
  change.patch.approvalRuns = run;
  change.patch.approval = chain
    ? { run, chainIndex: chain.index, chainName: chain.chain.name, stepIndex: 0, requestedBy, requestedAt: at }
    : null;
};

/** An approver's decision on a task. Only the named approver, the group, or the escalation target. */
export const decideTask = async (
  ports: ActionPorts,
  request: { taskId: string; decision: 'approve' | 'reject'; comment?: string; caller: Caller },
) => {
  const { taskId, decision, comment, caller } = request;
  const task = await ports.tasks.get(taskId);
  if (!task) throw new NotFoundError('task', taskId);
  if (!mayDecide(task, caller)) {
    // Someone who cannot see the lead learns nothing, not even that the task exists (ids cannot be probed).
    const subject = await ports.leads.get(task.leadId);
    if (!subject || !canSee(caller, subject)) throw new NotFoundError('task', taskId);
    throw new ForbiddenError(
      `only ${task.approver ?? `group ${task.group}`}${task.escalatedTo ? ` or ${task.escalatedTo}` : ''} may decide this task`,
    );
  }
  if (task.status !== 'open')
    throw new ConflictError(`task ${taskId} has already been decided (${task.decision} by ${task.decidedBy})`, {
      taskId,
    });
  const refusal = selfDecisionRefusal(task, caller.userId);
  if (refusal) throw new ForbiddenError(refusal);
  if (!task.taskToken)
    throw new ConflictError(`task ${taskId} is being opened; try again in a moment`, { taskId, retryable: true });
  if (decision === 'reject' && !comment?.trim())
    throw new ValidationError([{ field: 'comment', reason: 'say why the conversion is rejected' }]);
  const now = ports.clock.now();
  const at = now.toISOString();
  const decided = await ports.tasks.decide(task, decision, caller.userId, comment, at);
  const lead = await ports.leads.get(task.leadId);
  if (!lead) throw new NotFoundError('lead', task.leadId);
  const stages = await ports.config.stages();
  const chain = (await ports.config.approvals()).chains[lead.approval?.chainIndex ?? 0];
  const actor = actorOf(caller);
  const audit: AuditEntry[] = [
    {
      at,
      actor,
      action: `approval-${decision}d`,
      why: `${task.chainName} / ${task.stepName}${comment ? `: ${comment}` : ''}`,
      data: { taskId },
    },
  ];
  let patch: Partial<Lead>;
  let next: Next;
  if (decision === 'approve') {
    const more = chain !== undefined && task.stepIndex + 1 < chain.steps.length;
    next = more ? 'approve' : 'convert';
    patch =
      more && lead.approval
        ? {
            approval: {
              ...lead.approval,
              stepIndex: task.stepIndex + 1,
              taskId: undefined,
              deciders: [...(lead.approval.deciders ?? []), caller.userId],
            },
          }
        : {};
  } else if (chain?.onReject === 'disqualify') {
    next = 'end';
    patch = {
      ...enterStage('Disqualified', now, stages),
      disqualifyReason: `conversion rejected: ${comment}`,
      approval: null,
    };
    audit.push({
      at,
      actor,
      action: 'disqualify',
      from: lead.stage,
      to: 'Disqualified',
      why: `conversion rejected: ${comment}`,
    });
  } else {
    next = 'wait';
    patch = {
      ...enterStage('SalesQualified', now, stages, calendarOf(await ports.config.teams(), lead.team)),
      approval: null,
    };
    audit.push({
      at,
      actor,
      action: 'returned',
      from: lead.stage,
      to: 'SalesQualified',
      why: `conversion rejected: ${comment}`,
    });
  }
  // A rejection that disqualifies goes to nurture when a rule names 'conversion rejected'.
  const nurtured: BusEvent[] = [];
  if (patch.stage === 'Disqualified') {
    const change = { patch, audit, events: nurtured };
    addNurture(change, lead, false, actor, now, await ports.config.nurture?.(), 'conversion rejected');
  }
  const timeoutSeconds = next === 'wait' ? waitFor({ ...lead, ...patch }, now) : 1;
  const written = await ports.leads.write(lead, { ...patch, pendingNext: { next, timeoutSeconds } }, audit);
  // The chain's next step: opened here, the execution resumes straight into its wait (as for a rep's convert).
  const opened = next === 'approve' ? await openApprovalHere(ports, written) : undefined;
  const after = opened?.lead ?? written;
  const events = [
    leadEvent('ApprovalDecided', after, at, {
      taskId,
      decision,
      comment: comment ?? null,
      by: caller.userId,
      step: task.stepName,
      chain: task.chainName,
    }),
  ];
  if (after.stage !== lead.stage)
    events.push(
      leadEvent('LeadStageChanged', after, at, { from: lead.stage, to: after.stage, action: `approval-${decision}d` }),
    );
  if (after.stage === 'Disqualified')
    events.push(leadEvent('LeadDisqualified', after, at, { reason: after.disqualifyReason, convertToContact: false }));
  events.push(...nurtured, ...(opened?.events ?? []));
  await ports.publisher.publish(events);
  await resumeExecution(ports, task.taskToken, {
    Payload: {
      leadId: lead.id,
      next: opened?.next ?? next,
      timeoutSeconds: opened?.timeoutSeconds ?? timeoutSeconds,
      stage: after.stage,
      events: [],
    },
  });
  return { task: { ...decided, taskToken: undefined }, lead: after, next };
};
