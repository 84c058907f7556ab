import { ConflictError } from '../errors';
import { makeEvent, snapshotOf } from '../events';
import type { Actor, Lead } from '../lead';
import type { Clock, EventPublisher } from '../ports';
import { type ExecutionStarter, isExecutionLimitExceeded } from './execution-budget';
import { isNurtured, parkedStart, planRecycle } from './nurture';
import type { LeadStorePort, StoredLead } from './ports';
import type { StepTaskRecord } from './stage-steps';

/** Leads with something due at or before `until`, earliest first (the sparse byDue index). */
export type DueStore = { listDue(until: string, limit: number): Promise<{ leadId: string; at: string }[]> };

/** Open steps past their due time not yet announced (sparse byDue), and the one-time mark. */
export type OverdueSteps = {
  listOverdue(until: string, limit: number): Promise<StepTaskRecord[]>;
  /** True for the one caller that marked it; false when it was marked already (or is gone). */
  markOverdue(stepId: string, at: string): Promise<boolean>;
  /** Undoes a mark whose announcement could not be published, so the next sweep tries again. */
  unmarkOverdue(step: StepTaskRecord): Promise<void>;
};

export type SweepPorts = {
  leads: Pick<LeadStorePort, 'get' | 'write'>;
  due: DueStore;
  /** Overdue steps; without it the sweep announces none. */
  steps?: OverdueSteps;
  executions: ExecutionStarter;
  publisher: EventPublisher;
  clock: Clock;
};

export type SweepReport = {
  recycled: string[];
  started: string[];
  parked: string[];
  skipped: number;
  /** Steps announced overdue (StepOverdue) by this run. */
  overdue: string[];
};

const SWEEP: Actor = { kind: 'system', id: 'sweep', source: 'WORKFLOW' };

/**
 * The one timer for leads that hold no execution, run on a schedule (every minute on AWS, the same
 * function on an interval locally): recycles nurtured leads whose time came (or whose activity woke
 * them) and starts executions the open-execution limit refused earlier. Safe to run twice at once:
 * every write is conditional on the lead's version, and executions are started by name.
 */
export const sweepDue = async (ports: SweepPorts, options: { limit?: number } = {}): Promise<SweepReport> => {
  const now = ports.clock.now();
  const report: SweepReport = { recycled: [], started: [], parked: [], skipped: 0, overdue: [] };
  const due = await ports.due.listDue(now.toISOString(), options.limit ?? 200);
  for (const { leadId } of due) {
    try {
      await sweepOne(ports, leadId, now, report);
    } catch (error) {
      // Another sweep (or an edit) moved the lead first: the next run sees it as it is now.
      if (error instanceof ConflictError) report.skipped++;
      else throw error;
    }
  }
  if (ports.steps) await sweepOverdueSteps(ports, ports.steps, now, report, options.limit ?? 200);
  return report;
};

/**
 * Steps past their due time, announced once each: `StepOverdue` (ids and enums, the lead snapshot),
 * which notifies the assignee, the owner and the team's manager. Two sweeps at once: the conditional
 * mark has one winner, which publishes (the event id is the step's, so a retried publish is dropped by
 * consumers). A step whose lead has left its stage is only taken off the index.
 */
const sweepOverdueSteps = async (
  ports: SweepPorts,
  steps: OverdueSteps,
  now: Date,
  report: SweepReport,
  limit: number,
) => {
  const at = now.toISOString();
  for (const step of await steps.listOverdue(at, limit)) {
    const lead = await ports.leads.get(step.leadId);
    const live =
      lead !== undefined &&
      step.status === 'open' &&
      lead.stage === step.stage &&
      lead.steps?.stage === step.stage &&
      lead.steps.items.some((s) => s.id === step.id && s.status === 'open');
    // One winner marks it; only the winner announces it.
    if (!(await steps.markOverdue(step.id, at)) || !live) continue;
    try {
      await ports.publisher.publish([stepOverdueEvent(lead, step, at)]);
    } catch (error) {
      await steps.unmarkOverdue(step);
      throw error;
    }
    report.overdue.push(step.id);
  }
};

export const stepOverdueEvent = (lead: Lead, step: StepTaskRecord, at: string) =>
  makeEvent('StepOverdue', `step-overdue:${step.id}`, at, {
    leadId: lead.id,
    stepId: step.id,
    step: step.name,
    kind: step.kind,
    stage: step.stage,
    assignee: step.assignee,
    required: step.required,
    dueAt: step.dueAt,
    lead: snapshotOf(lead),
  });

const sweepOne = async (ports: SweepPorts, leadId: string, now: Date, report: SweepReport) => {
  let lead: StoredLead | undefined = await ports.leads.get(leadId);
  if (!lead?.due || Date.parse(lead.due.at) > now.getTime()) {
    report.skipped++;
    return;
  }
  if (lead.due.kind === 'recycle') {
    if (!isNurtured(lead)) {
      lead = await ports.leads.write(lead, { due: null }, []);
      report.skipped++;
      return;
    }
    const plan = planRecycle(lead, now);
    lead = await ports.leads.write(lead, plan.patch, plan.audit);
    await ports.publisher.publish(plan.events);
    report.recycled.push(leadId);
  }
  const execution = lead.due?.kind === 'start' ? lead.due.execution : undefined;
  if (!execution) return;
  try {
    await ports.executions.start(execution.name, execution.input);
  } catch (error) {
    if (!isExecutionLimitExceeded(error)) throw error;
    const parked = parkedStart(lead, execution, now);
    await ports.leads.write(lead, { due: parked }, [
      {
        at: now.toISOString(),
        actor: SWEEP,
        action: 'execution-parked',
        why: `open-execution limit reached: ${execution.name} is tried again at ${parked.at}`,
      },
    ]);
    report.parked.push(leadId);
    return;
  }
  // Started (or started before): nothing is due any more. A crash before this write only means the
  // next sweep starts the same name again, which is a no-op.
  // The started execution may already wait on the lead (a woken lead's start guard): its token stays.
  await ports.leads.write(lead, { due: null }, [], { keepToken: true });
  report.started.push(leadId);
};
