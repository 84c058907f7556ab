import { ConflictError, NotFoundError } from '../errors';
import type { BusEvent } from '../events';
import type { Actor, AuditEntry, ExecutionRecordOfLead, Lead } from '../lead';
import { scoreLead } from '../scoring/score-lead';
import { assignLead } from './assign';
import { affinityOf } from './routing';
import { dueAfter } from './business-hours';
import { addSeconds, durationSeconds, MAX_WAIT_SECONDS, waitSecondsUntil } from './duration';
import { requestConversion } from './act-on-lead';
import { managersFor, openApprovalStep } from './approval-step';
import { endDormant, entryOf, hasNothingToTime } from './dormant';
import {
  beforeWait,
  checkpoint,
  DEFAULT_EXECUTION_LIMITS,
  isExecutionLimitExceeded,
  successorName,
} from './execution-budget';
import { addNurture, parkedStart } from './nurture';
import type { LifecyclePorts, StoredLead } from './ports';
import { firstEligible } from './segregation-of-duties';
import { outcomeMoveOf, planStageSteps, stepMovesAudit, stepsFollowingOwner, stepTaskRecord } from './stage-steps';
import { calendarOf, managerOf, type TeamsConfig } from './teams-config';
import {
  enterStage,
  isWorking,
  type LeadChange,
  leadEvent,
  type Next,
  planAction,
  type PutEventsEntry,
  type StepResult,
  toEntries,
  waitFor,
} from './transitions';

const WORKFLOW: Actor = { kind: 'system', id: 'lifecycle', source: 'WORKFLOW' };

/** Owner affinity reads at most this many matched leads (exact matches first, then the most similar). */
const MAX_AFFINITY_READS = 5;

export { taskIdFor } from './approval-step';

/** The execution a step runs in: its name and start (`$$.Execution`), to keep inside its budget. */
export type ExecutionRun = { execution: string; startedAt: string };

/** What the state that arms a wait hands its step: the run, the wait's timeout and the events the step before produced. */
export type WaitArming = ExecutionRun & { timeoutSeconds: number; events?: PutEventsEntry[] };

/**
 * The Lambda steps of statemachines/lead-lifecycle.asl.json. Each is idempotent: a retried step
 * finds its own write already there and answers the same, and event ids are deterministic.
 */
export const makeWorkflowSteps = (ports: LifecyclePorts) => {
  const { leads, config, clock } = ports;
  const load = async (leadId: string): Promise<StoredLead> => {
    const lead = await leads.get(leadId);
    if (!lead) throw new NotFoundError('lead', leadId);
    return lead;
  };
  const result = (lead: Lead, next: Next, timeoutSeconds: number, events: BusEvent[]): StepResult => ({
    leadId: lead.id,
    next,
    timeoutSeconds,
    stage: lead.stage,
    events: toEntries(events, ports.busName),
  });

  const limits = ports.limits ?? DEFAULT_EXECUTION_LIMITS;

  /**
   * The events the step before produced, carried in the state's input: published by the step that
   * takes them (at least once, like a putEvents state; event ids are deterministic).
   */
  const publishCarried = async (entries: PutEventsEntry[] | undefined) => {
    if (!entries?.length) return;
    if (!ports.entries) throw new Error('the workflow steps were handed events but have no publisher');
    await ports.entries.put(entries);
  };

  /** A rep wait produced inside the execution is cut to the age the execution has left (the successor waits on). */
  const sliced = (r: StepResult, run: ExecutionRun | undefined): StepResult => {
    if (r.next !== 'wait' || !run) return r;
    const decision = checkpoint(
      { loops: 0, startedAt: run.startedAt, now: clock.now(), timeoutSeconds: r.timeoutSeconds, sliceable: true },
      { ...limits, maxHistoryEvents: Number.POSITIVE_INFINITY },
    );
    return decision.handOver ? r : { ...r, timeoutSeconds: decision.timeoutSeconds };
  };

  /** Starts a successor; refused by the open-execution limit, the start is parked on the lead for the sweep. */
  const startSuccessor = async (lead: StoredLead, name: string, now: Date) => {
    const input = { leadId: lead.id, resume: true };
    try {
      await ports.executions?.start(name, input);
    } catch (error) {
      if (!isExecutionLimitExceeded(error)) throw error;
      const fresh = await load(lead.id);
      await leads.write(fresh, { due: parkedStart(fresh, { name, input }, now) }, [
        {
          at: now.toISOString(),
          actor: WORKFLOW,
          action: 'execution-parked',
          why: `open-execution limit reached: ${name} starts when the sweep finds room`,
        },
      ]);
    }
  };

  /** Where a lead stands now, for a resumed or re-driven execution. */
  const standing = async (lead: StoredLead): Promise<StepResult> => {
    const now = clock.now();
    // A merged lead is a tombstone: its execution ends (a restored one is started anew).
    if (lead.mergedInto) return result(lead, 'end', 1, []);
    if (lead.stage === 'Creation') return result(lead, 'begin', 1, []);
    if (!isWorking(lead.stage)) return result(lead, 'end', 1, []);
    if (lead.approval?.taskId) {
      const task = await ports.tasks.get(lead.approval.taskId);
      if (task?.status === 'open') return result(lead, 'await-approval', waitSecondsUntil(task.dueAt, now), []);
    }
    // A step outcome recorded while no execution ran (or before it could act) is taken now.
    if (ports.steps && lead.steps && outcomeMoveOf(lead, await config.stages())) return result(lead, 'outcome', 1, []);
    return result(lead, 'wait', waitFor(lead, now), []);
  };

  /** The leads this one duplicates (the best few), as they stand now, for owner affinity. */
  const affinityFor = async (lead: Lead, teams: TeamsConfig) => {
    const ids = [
      ...new Set(lead.duplicates.filter((m) => m.kind === 'lead' && m.matchedOn !== 'domain').map((m) => m.id)),
    ].slice(0, MAX_AFFINITY_READS);
    if (ids.length === 0) return undefined;
    const records = (await Promise.all(ids.map((id) => leads.get(id)))).filter((r) => r !== undefined);
    return affinityOf(lead.duplicates, records, teams);
  };

  const escalationTarget = async (lead: Lead): Promise<string | undefined> => {
    const teams = await config.teams();
    return managerOf(teams, lead.owner) ?? teams.teams.find((t) => t.id === lead.team)?.manager;
  };

  /**
   * Opens the steps of the stage the lead is in, once per stage: each step's task item (created once
   * by id), the previous stage's open steps cancelled, the list on the lead with an audit entry.
   */
  const openSteps = async (leadId: string, loaded?: StoredLead): Promise<void> => {
    const store = ports.steps;
    if (!store) return;
    for (let attempt = 1; ; attempt++) {
      // The arming step has just read the lead: its copy serves the first attempt; a conflict reads it again.
      const lead = attempt === 1 && loaded ? loaded : await load(leadId);
      if (!isWorking(lead.stage) || lead.approval || lead.steps?.stage === lead.stage) return;
      const settings = (await config.stages())[lead.stage].steps ?? [];
      if (settings.length === 0 && !lead.steps) return;
      const teams = await config.teams();
      const at = clock.now().toISOString();
      const items = planStageSteps(lead, lead.stage, settings, calendarOf(teams, lead.team));
      await Promise.all(items.map((item, i) => store.createOnce(stepTaskRecord(lead, lead.stage, i, item, at))));
      const left = (lead.steps?.items ?? []).filter((item) => item.status === 'open').map((item) => item.id);
      if (left.length > 0) await store.cancel(left);
      const audit: AuditEntry[] = items.length
        ? [
            {
              at,
              actor: WORKFLOW,
              action: 'steps-opened',
              from: lead.stage,
              to: lead.stage,
              why: items.map((item) => `${item.name} (${item.kind}, due ${item.dueAt})`).join('; '),
              data: { steps: items.map((item) => item.id) },
            },
          ]
        : [];
      try {
        await leads.write(lead, { steps: { stage: lead.stage, items } }, audit);
        return;
      } catch (error) {
        // Something beside the workflow (an activity, an edit) wrote the lead meanwhile: read it again.
        if (!(error instanceof ConflictError) || attempt >= 5) throw error;
      }
    }
  };

  /**
   * Arming a wait (its token is `token`): count the loop on the execution record, or, near the
   * execution's history or age budget, start the successor `<leadId>-g<n>` at the current stage and
   * complete the wait at once with `hand-over` (the execution then ends). The successor resumes from
   * the table and arms its own wait, so actions reach it.
   */
  const arm = async (
    lead: StoredLead,
    token: string,
    armed: WaitArming & { rep?: boolean },
  ): Promise<{ handedOver: true } | { handedOver: false; execution: ExecutionRecordOfLead }> => {
    const now = clock.now();
    const at = now.toISOString();
    const handOver = async (after: StoredLead, name: string) => {
      await startSuccessor(after, name, now);
      if (!ports.callback) throw new Error('a hand-over needs the workflow callback');
      await ports.callback.succeed(token, { Payload: result(after, 'hand-over', 1, []) });
      return { handedOver: true } as const;
    };
    const recorded = lead.execution ?? undefined;
    // A retried hand-over: the successor is already recorded; make sure it runs.
    if (recorded?.from === armed.execution && recorded.name !== armed.execution && ports.executions)
      return handOver(lead, recorded.name);
    const current: ExecutionRecordOfLead =
      recorded?.name === armed.execution
        ? { ...recorded, startedAt: recorded.startedAt ?? armed.startedAt }
        : { name: armed.execution, generation: recorded?.generation ?? 0, startedAt: armed.startedAt, loops: 0 };
    // Nothing to time (parked in the manager queue): the execution ends here and holds no slot; the
    // first action on the lead starts a fresh one where it stands (dormant.ts).
    if (armed.rep && hasNothingToTime(lead)) {
      const after =
        recorded?.name === armed.execution && recorded.endedAt
          ? lead
          : await (async () => {
              const ended = endDormant(lead, current, at);
              return leads.write(lead, ended.patch, [ended.audit]);
            })();
      if (!ports.callback) throw new Error('ending a dormant lead needs the workflow callback');
      await ports.callback.succeed(token, { Payload: result(after, 'end', 1, []) });
      return { handedOver: true } as const;
    }
    const decision = beforeWait(
      {
        loops: current.loops,
        startedAt: current.startedAt ?? armed.startedAt,
        now,
        timeoutSeconds: armed.timeoutSeconds,
      },
      limits,
    );
    if (decision.handOver && ports.executions) {
      const generation = current.generation + 1;
      const name = successorName(lead.id, generation);
      const after = await leads.write(lead, { execution: { name, generation, loops: 0, from: armed.execution } }, [
        {
          at,
          actor: WORKFLOW,
          action: 'execution-handed-over',
          why:
            decision.why === 'history'
              ? `about ${decision.estimatedEvents} history events after ${current.loops} waits: continues in ${name}`
              : `execution ${Math.floor(decision.ageSeconds / 86400)} days old: continues in ${name}`,
          data: { from: armed.execution, to: name, why: decision.why },
        },
      ]);
      return handOver(after, name);
    }
    return {
      handedOver: false,
      execution: {
        ...current,
        loops: current.loops + 1,
        entry: undefined,
        endedAt: undefined,
        // The wait's timer started before this step ran, so now + its timeout bounds it from above. Only
        // quiet actions read it (quiet-action.ts); without them it is not written, which keeps the lead's
        // write units where they were. Turned on later, a wait armed without it simply wakes as before.
        waitUntil:
          armed.rep && (await config.stages()).quietActions === true
            ? addSeconds(now, armed.timeoutSeconds)
            : undefined,
      },
    };
  };

  /**
   * Where an execution that did not start the lead picks it up: a lead woken from the manager queue
   * enters where the waking action said (`execution.entry`, dormant.ts); any other, where it stands.
   */
  const resumeAt = async (lead: StoredLead): Promise<StepResult> => {
    const entry = entryOf(lead);
    if (entry && !lead.mergedInto) return result(lead, entry, entry === 'wait' ? waitFor(lead, clock.now()) : 1, []);
    return standing(lead);
  };

  const steps = {
    /** Score, route, assign: Creation → Assigned. */
    async begin(leadId: string): Promise<StepResult> {
      const lead = await load(leadId);
      if (lead.stage !== 'Creation' || lead.mergedInto) return resumeAt(lead);
      const now = clock.now();
      const at = now.toISOString();
      const [scoring, routing, teams, stages] = await Promise.all([
        config.scoring(),
        config.routing(),
        config.teams(),
        config.stages(),
      ]);
      const score = scoreLead(lead, scoring.config.value, scoring.model, scoring.config.version);
      const scored: Lead = {
        ...lead,
        score: score.score,
        scoreBand: score.band,
        scoreFactors: score.factors,
        scoreModel: score.model,
      };
      const assigned = await assignLead(
        scored,
        routing,
        teams,
        ports.counters,
        at,
        [],
        routing.value.ownerAffinity === false ? undefined : await affinityFor(lead, teams),
      );
      const patch: Partial<Lead> = {
        score: score.score,
        scoreBand: score.band,
        scoreFactors: score.factors,
        scoreModel: score.model,
        owner: assigned.owner,
        team: assigned.team,
        assignment: assigned.assignment,
        ...enterStage('Assigned', now, stages, calendarOf(teams, assigned.team)),
      };
      const audit: AuditEntry[] = [
        {
          at,
          actor: WORKFLOW,
          action: 'scored',
          why: `${score.score} (${score.band}) by ${score.model}`,
          data: { factors: score.factors.slice(0, 5) },
        },
        {
          at,
          actor: WORKFLOW,
          action: 'assigned',
          from: 'Creation',
          to: 'Assigned',
          why: assigned.assignment.explanation,
          data: { owner: assigned.owner ?? null, team: assigned.team ?? null },
        },
      ];
      const after = await leads.write(lead, patch, audit);
      const created = { ...lead, version: 1 };
      // A lead back from nurture was created long ago: LeadRecycled said it came back.
      const recycled = (lead.recycles ?? 0) > 0;
      return result(after, 'wait', waitFor(after, now), [
        ...(recycled
          ? []
          : [
              leadEvent('LeadCreated', created, lead.createdAt, {
                sourceId: lead.sourceId,
                channel: lead.channel,
                duplicates: lead.duplicates.length,
              }),
            ]),
        leadEvent('LeadStageChanged', after, at, { from: 'Creation', to: 'Assigned' }),
        leadEvent('LeadAssigned', after, at, {
          owner: after.owner ?? null,
          previousOwner: recycled ? (lead.owner ?? null) : null,
          team: after.team ?? null,
          why: assigned.assignment.explanation,
        }),
      ]);
    },

    async resume(leadId: string): Promise<StepResult> {
      return resumeAt(await load(leadId));
    },

    /** The execution now waits on `token`: keep it on the lead so a rep's action can resume it. */
    async awaitRep(
      leadId: string,
      token: string,
      execution?: ExecutionRecordOfLead,
      loaded?: StoredLead,
    ): Promise<void> {
      await openSteps(leadId, loaded);
      await leads.setWaitToken(leadId, token, execution);
    },

    /**
     * A step outcome woke the execution: take the action it maps to when the stage allows it and its
     * criteria are met (conditional on the lead's version, like any lifecycle write), or wait again.
     */
    async outcome(leadId: string): Promise<StepResult> {
      const lead = await load(leadId);
      const now = clock.now();
      if (!isWorking(lead.stage) || lead.approval) return standing(lead);
      const stages = await config.stages();
      const move = outcomeMoveOf(lead, stages);
      if (!move) return result(lead, 'wait', waitFor(lead, now), []);
      const at = now.toISOString();
      const teams = await config.teams();
      const change = planAction(
        lead,
        move.action,
        { reason: move.reason, comment: `outcome '${move.outcome}' of step '${move.step}'` },
        WORKFLOW,
        now,
        stages,
        calendarOf(teams, lead.team),
      );
      if (move.action === 'convert')
        requestConversion(change, lead, await config.approvals(), move.by ?? WORKFLOW.id, at);
      if (move.action === 'disqualify') addNurture(change, lead, false, WORKFLOW, now, await config.nurture?.());
      const steps = lead.steps
        ? { ...lead.steps, items: lead.steps.items.map((s, i) => (i === move.index ? { ...s, applied: true } : s)) }
        : lead.steps;
      const after = await leads.write(lead, { ...change.patch, steps, pendingNext: null }, change.audit);
      return result(after, change.next, change.next === 'wait' ? waitFor(after, now) : 1, change.events);
    },

    /** The stage SLA ran out with no action: aging, escalation, and at the end the final act. */
    async aging(leadId: string): Promise<StepResult> {
      const lead = await load(leadId);
      if (lead.mergedInto) return standing(lead);
      const now = clock.now();
      const at = now.toISOString();
      // An action may have won the race with the timer; it recorded where the execution goes next.
      if (!lead.taskToken && lead.pendingNext) {
        const { next, timeoutSeconds } = lead.pendingNext;
        return result(lead, next, next === 'wait' ? waitFor(lead, now) : timeoutSeconds, []);
      }
      if (!isWorking(lead.stage)) return result(lead, 'end', 1, []);
      const stages = await config.stages();
      // Long SLAs are waited in slices; a slice ending early is not aging, nor is a wait that ran out after
      // a quiet action moved the deadline on (quiet-action.ts).
      if (lead.parked || (lead.stageDeadline && Date.parse(lead.stageDeadline) - now.getTime() > 1000)) {
        // The run-out wait's token goes first: an action racing this step then either consumed it already
        // (the retried step follows its pendingNext) or conflicts, instead of writing to a wait nobody resumes.
        if (lead.taskToken && leads.releaseToken && !(await leads.releaseToken(lead.id, lead.taskToken)))
          throw new ConflictError(`lead ${lead.id}: an action took the wait as it ran out; reading it again`);
        return result(lead, 'wait', waitFor(lead, now), []);
      }
      const policy = stages[lead.stage].escalation;
      const escalations = (lead.escalations ?? 0) + 1;
      const manager = await escalationTarget(lead);
      const sla = durationSeconds(stages[lead.stage].sla);
      const aging = { stage: lead.stage, escalations, overdueSince: lead.stageDeadline };
      if (escalations > policy.maxEscalations) {
        if (policy.finalAct === 'disqualify') {
          const change: LeadChange = {
            patch: { ...enterStage('Disqualified', now, stages), disqualifyReason: 'aged out', escalations },
            audit: [
              {
                at,
                actor: WORKFLOW,
                action: 'aged-out',
                from: lead.stage,
                to: 'Disqualified',
                why: `no action after ${policy.maxEscalations} escalation(s)`,
              },
            ],
            events: [],
          };
          // An 'aged out' recycle rule nurtures it (a lead nobody worked may be worth another try later).
          addNurture(change, lead, false, WORKFLOW, now, await config.nurture?.());
          const after = await leads.write(lead, change.patch, change.audit);
          return result(after, 'end', 1, [
            leadEvent('LeadAging', after, at, aging),
            leadEvent('LeadStageChanged', after, at, { from: lead.stage, to: 'Disqualified', action: 'aged-out' }),
            leadEvent('LeadDisqualified', after, at, { reason: 'aged out', convertToContact: false }),
            ...change.events,
          ]);
        }
        const followed = stepsFollowingOwner(lead, stages, { owner: manager ?? lead.owner, team: lead.team });
        const patch: Partial<Lead> = {
          owner: manager ?? lead.owner,
          parked: true,
          escalations,
          ...(followed.moves.length ? { steps: followed.steps } : {}),
        };
        const after = await leads.write(lead, patch, [
          {
            at,
            actor: WORKFLOW,
            action: 'parked',
            why: `no action after ${policy.maxEscalations} escalation(s): parked with ${manager ?? 'the owner'}`,
          },
          ...stepMovesAudit(followed.moves, at, WORKFLOW),
        ]);
        if (followed.moves.length) await ports.steps?.reassign?.(followed.moves);
        const events = [
          leadEvent('LeadAging', after, at, aging),
          leadEvent('LeadEscalated', after, at, {
            manager: manager ?? null,
            escalations,
            action: 'park-manager-queue',
          }),
        ];
        if (after.owner !== lead.owner)
          events.push(
            leadEvent('LeadAssigned', after, at, {
              owner: after.owner ?? null,
              previousOwner: lead.owner ?? null,
              why: 'parked in the manager queue',
            }),
          );
        return result(after, 'wait', waitSecondsUntil(addSeconds(now, MAX_WAIT_SECONDS), now), events);
      }
      const teams = await config.teams();
      const patch: Partial<Lead> = { escalations, stageDeadline: dueAfter(now, sla, calendarOf(teams, lead.team)) };
      let why = `SLA ${stages[lead.stage].sla} missed in ${lead.stage}; escalation ${escalations} of ${policy.maxEscalations}`;
      if (policy.action === 'reassign-next') {
        const routing = await config.routing();
        const next = await assignLead(lead, routing, teams, ports.counters, at, lead.owner ? [lead.owner] : []);
        Object.assign(patch, {
          owner: next.owner,
          team: next.team,
          assignment: next.assignment,
          stageDeadline: dueAfter(now, sla, calendarOf(teams, next.team)),
        });
        why += `; reassigned: ${next.assignment.explanation}`;
      } else if (policy.action === 'reassign-queue') {
        Object.assign(patch, {
          owner: undefined,
          assignment: {
            ruleVersion: lead.assignment?.ruleVersion ?? 0,
            ruleIndex: null,
            explanation: 'escalated to the unassigned queue',
            at,
          },
        });
        why += '; returned to the queue';
      }
      // Reassigned on escalation: the open steps of the owner follow the new one.
      const followed =
        'owner' in patch
          ? stepsFollowingOwner(lead, stages, { owner: patch.owner, team: patch.team ?? lead.team })
          : { steps: lead.steps, moves: [] };
      if (followed.moves.length) patch.steps = followed.steps;
      const after = await leads.write(lead, patch, [
        { at, actor: WORKFLOW, action: 'aging', from: lead.stage, to: lead.stage, why },
        ...stepMovesAudit(followed.moves, at, WORKFLOW),
      ]);
      if (followed.moves.length) await ports.steps?.reassign?.(followed.moves);
      const events = [
        leadEvent('LeadAging', after, at, aging),
        leadEvent('LeadEscalated', after, at, { manager: manager ?? null, escalations, action: policy.action }),
      ];
      if (after.owner !== lead.owner)
        events.push(
          leadEvent('LeadAssigned', after, at, { owner: after.owner ?? null, previousOwner: lead.owner ?? null, why }),
        );
      return result(after, 'wait', waitFor(after, now), events);
    },

    /** Opens the approval task for the current step of the lead's chain. */
    async prepareApproval(leadId: string): Promise<StepResult> {
      const opened = await openApprovalStep(ports, await load(leadId));
      return result(opened.lead, opened.next, opened.timeoutSeconds, opened.events);
    },

    async awaitApproval(leadId: string, token: string): Promise<void> {
      const lead = await load(leadId);
      if (!lead.approval?.taskId) throw new Error(`lead ${leadId} has no open approval`);
      await ports.tasks.attachToken(lead.approval.taskId, token);
    },

    /** An approver let the step's timeout pass: the task moves to their manager, and the clock restarts. */
    async approvalTimeout(leadId: string): Promise<StepResult> {
      const lead = await load(leadId);
      const now = clock.now();
      const at = now.toISOString();
      const task = lead.approval?.taskId ? await ports.tasks.get(lead.approval.taskId) : undefined;
      // A decision that won the race with the timer recorded where the execution goes next.
      if (task?.status !== 'open')
        return lead.pendingNext
          ? result(lead, lead.pendingNext.next, lead.pendingNext.timeoutSeconds, [])
          : standing(lead);
      // A task not yet due (the next step, opened by a decision while this wait's timer ran out): wait on it.
      if (Date.parse(task.dueAt) - now.getTime() > 1000)
        return result(lead, 'await-approval', waitSecondsUntil(task.dueAt, now), []);
      const teams = await config.teams();
      const approvals = await config.approvals();
      const step = approvals.chains[lead.approval?.chainIndex ?? 0]?.steps[task.stepIndex];
      const to =
        firstEligible(managersFor(teams, lead, task.escalatedTo ?? task.approver), task.excludedDeciders ?? []) ??
        'salesops';
      const escalated = await ports.tasks.escalate(
        task,
        to,
        dueAfter(now, durationSeconds(step?.timeout ?? 'PT24H'), calendarOf(teams, lead.team)),
      );
      const after = await leads.write(lead, {}, [
        {
          at,
          actor: WORKFLOW,
          action: 'approval-escalated',
          why: `task ${task.taskId} (${task.stepName}) not decided in time → ${to}`,
        },
      ]);
      return result(after, 'await-approval', waitSecondsUntil(escalated.dueAt, now), [
        leadEvent('LeadEscalated', after, at, {
          taskId: task.taskId,
          manager: to,
          escalations: escalated.escalations,
          action: 'approval-escalated',
        }),
        leadEvent('ApprovalRequested', after, at, {
          taskId: task.taskId,
          chain: task.chainName,
          step: task.stepName,
          stepIndex: task.stepIndex,
          approvers: [to],
          group: null,
          dueAt: escalated.dueAt,
          escalated: true,
        }),
      ]);
    },

    async convert(leadId: string): Promise<StepResult> {
      const before = await load(leadId);
      const at = clock.now().toISOString();
      const outcome = await ports.conversion.convert({ leadId, actor: WORKFLOW, at });
      const after = await load(leadId);
      return result(after, 'end', 1, [
        leadEvent('LeadStageChanged', after, at, {
          from: before.stage === 'Converted' ? 'SalesQualified' : before.stage,
          to: 'Converted',
        }),
        leadEvent('LeadConverted', after, at, {
          opportunityId: outcome.opportunityId,
          accountId: outcome.accountId ?? null,
          contactId: outcome.contactId,
        }),
      ]);
    },

    async toContact(leadId: string): Promise<StepResult> {
      const lead = await load(leadId);
      await ports.conversion.convertToContact({ leadId, actor: WORKFLOW, at: clock.now().toISOString() });
      return result(lead, 'end', 1, []);
    },

    /** A step failed past its retries: say so on the lead and park it where a human sees it. */
    async failed(leadId: string, error: string, cause: string): Promise<StepResult> {
      const lead = await load(leadId);
      // A step that lost its lead to a merge did not fail: the execution just ends.
      if (lead.mergedInto) return standing(lead);
      const at = clock.now().toISOString();
      const after = await leads.write(lead, { failure: { at, error, cause: cause.slice(0, 1000) } }, [
        { at, actor: WORKFLOW, action: 'workflow-failed', why: `${error}: ${cause.slice(0, 300)}` },
      ]);
      return result(after, 'end', 1, [
        leadEvent('LeadWorkflowFailed', after, at, { error, cause: cause.slice(0, 1000) }),
      ]);
    },
  };

  // What the state machine calls: the steps above, keeping the execution inside its budget and
  // publishing the events the step before produced (so neither costs a state of its own).
  return {
    ...steps,
    /** Also the first step of every execution: a resumed lead past Creation answers where it stands. */
    begin: async (leadId: string, run?: ExecutionRun) => sliced(await steps.begin(leadId), run),
    resume: async (leadId: string, run?: ExecutionRun) => sliced(await steps.resume(leadId), run),
    outcome: async (leadId: string, run?: ExecutionRun) => sliced(await steps.outcome(leadId), run),
    aging: async (leadId: string, run?: ExecutionRun) => sliced(await steps.aging(leadId), run),

    /** Arms the rep wait: the carried events out, the loop counted (or a hand-over), then the token on the lead. */
    async awaitRep(leadId: string, token: string, armed?: WaitArming): Promise<void> {
      await publishCarried(armed?.events);
      const lead = await load(leadId);
      const plan = armed ? await arm(lead, token, { ...armed, rep: true }) : undefined;
      if (plan?.handedOver) return;
      // Armed without its timeout (no run given): no bound to keep, so no action may stay quiet on this token.
      const unbounded = lead.execution?.waitUntil ? { ...lead.execution, waitUntil: undefined } : undefined;
      await steps.awaitRep(leadId, token, plan ? plan.execution : unbounded, lead);
    },

    /** Arms the approval wait: the carried events out, the loop counted (or a hand-over), then the token on the task. */
    async awaitApproval(leadId: string, token: string, armed?: WaitArming): Promise<void> {
      await publishCarried(armed?.events);
      if (armed) {
        const plan = await arm(await load(leadId), token, armed);
        if (plan.handedOver) return;
        await leads.recordExecution?.(leadId, plan.execution);
      }
      await steps.awaitApproval(leadId, token);
    },

    async prepareApproval(leadId: string, carried?: PutEventsEntry[]): Promise<StepResult> {
      await publishCarried(carried);
      return steps.prepareApproval(leadId);
    },

    /**
     * Converts and publishes LeadStageChanged and LeadConverted itself (the state ends the execution: no
     * putEvents state after it); a retried conversion finds its transaction done and publishes the same
     * events again, as a retried putEvents state would.
     */
    async convert(leadId: string, carried?: PutEventsEntry[]): Promise<StepResult> {
      await publishCarried(carried);
      const converted = await steps.convert(leadId);
      await publishCarried(converted.events);
      return { ...converted, events: [] };
    },

    async toContact(leadId: string, carried?: PutEventsEntry[]): Promise<StepResult> {
      await publishCarried(carried);
      return steps.toContact(leadId);
    },
  };
};
export type WorkflowSteps = ReturnType<typeof makeWorkflowSteps>;
