import { LeadflowError } from '../errors';
import type { Actor, AuditEntry, Lead, Stage, StepState } from '../lead';
import { BANDS } from '../scoring/points-config';
import { type BusinessCalendar, dueAfter } from './business-hours';
import { durationSeconds } from './duration';
import {
  type Criterion,
  type OutcomeAction,
  type RepAction,
  type StagesConfig,
  type StepSettings,
  WORKING_STAGES,
  type WorkingStage,
} from './stages-config';

/**
 * Steps per stage and qualification criteria per transition (issue 15 items 1–3), as pure rules:
 * which steps a lead gets as it enters a stage, which criteria an action needs and whether the lead
 * meets them, and which completed outcome the workflow may act on.
 */

/** One id per lead, stage and step position: a retried creation finds the step already there. */
export const stepIdFor = (leadId: string, stage: Stage, index: number) => `${leadId}.${stage}.${index}`;

/** The table's copy of a step, listed for its assignee beside approval tasks. */
export type StepTaskRecord = StepState & {
  leadId: string;
  stage: Stage;
  index: number;
  createdAt: string;
  leadSummary: { name?: string; company?: string; stage: string; owner?: string };
};

const isWorkingStage = (stage: Stage): stage is WorkingStage => (WORKING_STAGES as readonly string[]).includes(stage);

/** Who a step goes to: the owner (the team when there is none yet), the lead's team, or a named user. */
export const assigneeOf = (step: StepSettings, lead: Pick<Lead, 'owner' | 'team'>): string => {
  if (step.assignee === 'user' && step.user) return `user:${step.user}`;
  if (step.assignee === 'owner' && lead.owner) return `user:${lead.owner}`;
  return lead.team ? `team:${lead.team}` : 'team:unassigned';
};

/** The steps a lead gets in `stage`, each due its duration after the stage entry (business hours with a calendar). */
export const planStageSteps = (
  lead: Pick<Lead, 'id' | 'owner' | 'team' | 'stageEnteredAt'>,
  stage: Stage,
  steps: readonly StepSettings[],
  calendar?: BusinessCalendar,
): StepState[] => {
  const entered = new Date(lead.stageEnteredAt);
  return steps.map((step, index) => ({
    id: stepIdFor(lead.id, stage, index),
    name: step.name,
    kind: step.kind,
    required: step.required,
    assignee: assigneeOf(step, lead),
    dueAt: dueAfter(entered, durationSeconds(step.due), calendar),
    outcomes: [...step.outcomes],
    status: 'open',
  }));
};

export const stepTaskRecord = (
  lead: Lead,
  stage: Stage,
  index: number,
  step: StepState,
  at: string,
): StepTaskRecord => ({
  ...step,
  leadId: lead.id,
  stage,
  index,
  createdAt: at,
  leadSummary: {
    name: [lead.firstName, lead.lastName].filter(Boolean).join(' ') || undefined,
    company: lead.company,
    stage,
    owner: lead.owner,
  },
});

export type CriterionCheck = { criterion: string; field: string; met: boolean };

const valueAt = (lead: Lead, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], lead);

const present = (value: unknown) =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

export const checkCriterion = (lead: Lead, criterion: Criterion): CriterionCheck => {
  if ('present' in criterion)
    return {
      criterion: `${criterion.field} present`,
      field: criterion.field,
      met: present(valueAt(lead, criterion.field)),
    };
  if ('equals' in criterion)
    return {
      criterion: `${criterion.field} is ${criterion.equals}`,
      field: criterion.field,
      met: valueAt(lead, criterion.field) === criterion.equals,
    };
  if ('in' in criterion)
    return {
      criterion: `${criterion.field} is one of ${criterion.in.join(', ')}`,
      field: criterion.field,
      met: (criterion.in as readonly unknown[]).includes(valueAt(lead, criterion.field)),
    };
  if ('scoreBand' in criterion) {
    const band = lead.scoreBand;
    return {
      criterion: `score band ${criterion.scoreBand} or better (now ${band ?? 'unscored'})`,
      field: 'scoreBand',
      met: band !== undefined && BANDS.indexOf(band) <= BANDS.indexOf(criterion.scoreBand),
    };
  }
  if ('activity' in criterion) {
    const atLeast = criterion.atLeast ?? 1;
    const has = lead.behaviour?.[criterion.activity] ?? 0;
    return {
      criterion: `at least ${atLeast} ${criterion.activity} (has ${has})`,
      field: `behaviour.${criterion.activity}`,
      met: has >= atLeast,
    };
  }
  return {
    criterion: `outcome '${criterion.outcome}'${criterion.step ? ` of step '${criterion.step}'` : ''} recorded`,
    field: 'stepOutcomes',
    met: (lead.stepOutcomes ?? []).some(
      (o) => o.outcome === criterion.outcome && (criterion.step === undefined || o.step === criterion.step),
    ),
  };
};

/** Moving forward needs the stage's required steps done; leaving sideways (distribute, disqualify) does not. */
const FORWARD: readonly RepAction[] = ['qualify', 'handoff', 'convert'];

/** The checklist of an action out of the lead's stage: the configured criteria, then the required steps. */
export const checklistFor = (lead: Lead, stages: StagesConfig, action: RepAction): CriterionCheck[] => {
  if (!isWorkingStage(lead.stage)) return [];
  const settings = stages[lead.stage];
  const checks = (settings.criteria?.[action] ?? []).map((c) => checkCriterion(lead, c));
  if (FORWARD.includes(action) && lead.steps?.stage === lead.stage)
    for (const step of lead.steps.items.filter((s) => s.required))
      checks.push({ criterion: `step '${step.name}' done`, field: `steps.${step.id}`, met: step.status === 'done' });
  return checks;
};

/** For each action: its checklist and whether all of it is met (what GET /leads/{id} shows). */
export const checklists = (lead: Lead, stages: StagesConfig, actions: readonly RepAction[]) =>
  actions.map((action) => {
    const criteria = checklistFor(lead, stages, action);
    return { action, met: criteria.every((c) => c.met), criteria };
  });

/** 422 naming each unmet criterion; nothing changes. */
export class CriteriaUnmetError extends LeadflowError {
  constructor(action: RepAction, unmet: CriterionCheck[], checklist: CriterionCheck[]) {
    super('criteria-unmet', 422, `'${action}' needs: ${unmet.map((c) => c.criterion).join('; ')}`, {
      issues: unmet.map((c) => ({ field: c.field, reason: `not met: ${c.criterion}` })),
      action,
      checklist,
    });
  }
}

export const assertCriteria = (lead: Lead, stages: StagesConfig, action: RepAction) => {
  const checklist = checklistFor(lead, stages, action);
  const unmet = checklist.filter((c) => !c.met);
  if (unmet.length > 0) throw new CriteriaUnmetError(action, unmet, checklist);
};

export type OutcomeMove = {
  index: number;
  step: string;
  outcome: string;
  action: OutcomeAction;
  reason: string;
  by?: string;
};

/**
 * The completed outcome the workflow acts on now: the first (in completion order) of the current
 * stage's steps whose outcome maps to an action the stage allows and whose criteria are met, and
 * which the workflow has not acted on yet.
 */
export const outcomeMoveOf = (lead: Lead, stages: StagesConfig): OutcomeMove | undefined => {
  if (!isWorkingStage(lead.stage) || lead.steps?.stage !== lead.stage || lead.approval) return undefined;
  const settings = stages[lead.stage];
  const done = lead.steps.items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.status === 'done' && item.outcome && !item.applied)
    .sort((a, b) => (a.item.completedAt ?? '').localeCompare(b.item.completedAt ?? ''));
  for (const { item, index } of done) {
    const outcome = item.outcome as string;
    const mapped = settings.steps?.find((s) => s.name === item.name)?.actions?.[outcome];
    if (!mapped || !settings.allowedActions.includes(mapped.action)) continue;
    if (!checklistFor(lead, stages, mapped.action).every((c) => c.met)) continue;
    return {
      index,
      step: item.name,
      outcome,
      action: mapped.action,
      reason: mapped.reason ?? outcome,
      by: item.completedBy,
    };
  }
  return undefined;
};

/** Whether an outcome of a step maps to an action (so completing it wakes the workflow). */
export const mappedAction = (stages: StagesConfig, stage: Stage, stepName: string, outcome: string) =>
  isWorkingStage(stage) ? stages[stage].steps?.find((s) => s.name === stepName)?.actions?.[outcome] : undefined;

/** An open step moving from one assignee to another as its lead changes hands. */
export type StepMove = { id: string; from: string; to: string };

/**
 * A lead changing owner (a manager's assignment, routing on escalation, parking with the manager):
 * its open steps done by `owner` follow the new owner (the team, when the lead goes to the queue).
 * Team and named-user steps stay where they are. Answers the lead's new step list and the moves.
 */
export const stepsFollowingOwner = (
  lead: Pick<Lead, 'steps'>,
  stages: StagesConfig,
  next: Pick<Lead, 'owner' | 'team'>,
): { steps: Lead['steps']; moves: StepMove[] } => {
  const current = lead.steps;
  if (!current || !isWorkingStage(current.stage)) return { steps: current, moves: [] };
  const settings = stages[current.stage].steps ?? [];
  const moves: StepMove[] = [];
  const items = current.items.map((item) => {
    const setting = settings.find((s) => s.name === item.name);
    if (item.status !== 'open' || setting?.assignee !== 'owner') return item;
    const to = assigneeOf(setting, next);
    if (to === item.assignee) return item;
    moves.push({ id: item.id, from: item.assignee, to });
    return { ...item, assignee: to };
  });
  return { steps: moves.length ? { ...current, items } : current, moves };
};

/** The audit entry of steps that followed a new owner. */
export const stepMovesAudit = (moves: readonly StepMove[], at: string, actor: Actor): AuditEntry[] =>
  moves.length === 0
    ? []
    : [
        {
          at,
          actor,
          action: 'steps-reassigned',
          why: moves.map((m) => `${m.id}: ${m.from} → ${m.to}`).join('; '),
          data: { steps: moves.map((m) => m.id), to: moves[0]?.to ?? null },
        },
      ];
