import type { Lead } from '../lead';
import { type ApprovalStep, chainFor } from './approvals-config';
import { dueAfter } from './business-hours';
import { durationSeconds, waitSecondsUntil } from './duration';
import type { BusEvent } from '../events';
import type { ApprovalTaskRecord, LifecyclePorts, StoredLead } from './ports';
import { excludedDecidersOf, firstEligible } from './segregation-of-duties';
import { calendarOf, managerOf, type TeamsConfig } from './teams-config';
import { leadEvent } from './transitions';

export const taskIdFor = (leadId: string, run: number, stepIndex: number) => `${leadId}.${run}.${stepIndex}`;

/** Managers in the order a step moves to them: the approver's, the owner's, the lead's team's, then any team's. */
export const managersFor = (teams: TeamsConfig, lead: Lead, approver: string | undefined) => [
  managerOf(teams, approver),
  managerOf(teams, lead.owner),
  teams.teams.find((t) => t.id === lead.team)?.manager,
  ...teams.teams.map((t) => t.manager),
];

const WORKFLOW = { kind: 'system', id: 'lifecycle', source: 'WORKFLOW' } as const;

/**
 * Opens the approval task for the current step of the lead's chain (`lead.approval`), once: the task by
 * id, the lead's `approval.taskId` with an audit entry unless already there, and `ApprovalRequested`
 * (its id from the lead's version, so opening again answers the same event). Used by the
 * `PrepareApproval` step and, to save the execution that step and a `Dispatch`, by the action that asks
 * for it (a rep's convert, an approver's decision with a step to follow), which then resumes the
 * execution straight into the approval wait.
 */
export const openApprovalStep = async (
  ports: Pick<LifecyclePorts, 'leads' | 'config' | 'clock' | 'tasks'>,
  lead: StoredLead,
): Promise<{ lead: StoredLead; next: 'await-approval' | 'convert'; timeoutSeconds: number; events: BusEvent[] }> => {
  const { leads, config, clock } = ports;
  const now = clock.now();
  const at = now.toISOString();
  const [approvals, teams] = await Promise.all([config.approvals(), config.teams()]);
  const match = chainFor(lead, approvals);
  if (!match) return { lead, next: 'convert', timeoutSeconds: 1, events: [] };
  const run = lead.approval?.run ?? 1;
  const stepIndex = lead.approval?.stepIndex ?? 0;
  const step = match.chain.steps[stepIndex] as ApprovalStep;
  const taskId = taskIdFor(lead.id, run, stepIndex);
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ') || undefined;
  const excludedDeciders = excludedDecidersOf(match.chain, lead.approval);
  // A named approver who asked for this conversion (or decided an earlier step) cannot decide it: it moves to an eligible manager.
  const movedTo =
    step.approver && excludedDeciders.includes(step.approver)
      ? firstEligible(managersFor(await config.teams(), lead, step.approver), excludedDeciders)
      : undefined;
  const task: ApprovalTaskRecord = await ports.tasks.createOnce({
    taskId,
    leadId: lead.id,
    run,
    stepIndex,
    stepName: step.name,
    chainName: match.chain.name,
    approver: step.approver,
    group: step.group,
    ...(movedTo ? { escalatedTo: movedTo } : {}),
    requestedBy: lead.approval?.requestedBy,
    excludedDeciders,
    escalations: 0,
    status: 'open',
    createdAt: at,
    dueAt: dueAfter(now, durationSeconds(step.timeout), calendarOf(teams, lead.team)),
    leadSummary: {
      name,
      company: lead.company,
      email: lead.email,
      stage: lead.stage,
      owner: lead.owner,
      expectedValue: lead.expectedValue,
      leadType: lead.leadType,
    },
  });
  let current = lead;
  if (lead.approval?.taskId !== taskId) {
    current = await leads.write(
      lead,
      // Who asked and who decided earlier steps stay on the lead: the next step's four eyes read them.
      {
        approval: {
          run,
          chainIndex: match.index,
          chainName: match.chain.name,
          stepIndex,
          taskId,
          requestedBy: lead.approval?.requestedBy,
          deciders: lead.approval?.deciders,
        },
      },
      [
        {
          at,
          actor: WORKFLOW,
          action: 'approval-requested',
          why: `${match.chain.name}: step ${stepIndex + 1} of ${match.chain.steps.length} (${step.name}) → ${step.approver ?? `group ${step.group}`}`,
        },
      ],
    );
  }
  return {
    lead: current,
    next: 'await-approval',
    timeoutSeconds: waitSecondsUntil(task.dueAt, now),
    events: [
      leadEvent('ApprovalRequested', current, at, {
        taskId,
        chain: match.chain.name,
        step: step.name,
        stepIndex,
        approvers: movedTo ? [movedTo] : step.approver ? [step.approver] : [],
        group: step.group ?? null,
        dueAt: task.dueAt,
      }),
    ],
  };
};
