import { ConflictError } from '../errors';
import type { Actor } from '../lead';
import type { Clock, EventPublisher } from '../ports';
import { type ExecutionStarter, isExecutionLimitExceeded } from './execution-budget';
import { isNurtured, parkedStart, planRecycle } from './nurture';
import type { LeadStorePort, StoredLead } from './ports';

/** Leads with something due at or before `until`, earliest first (the sparse byDue index). */
export type DueStore = { listDue(until: string, limit: number): Promise<{ leadId: string; at: string }[]> };

export type SweepPorts = {
  leads: Pick<LeadStorePort, 'get' | 'write'>;
  due: DueStore;
  executions: ExecutionStarter;
  publisher: EventPublisher;
  clock: Clock;
};

export type SweepReport = { recycled: string[]; started: string[]; parked: string[]; skipped: number };

const SWEEP: Actor = { kind: 'system', id: 'sweep', source: 'WORKFLOW' };

/**
 * The one timer for leads that hold no execution, run on a schedule (every minute on AWS, the same
 * function on an interval locally): recycles nurtured leads whose time came (or whose activity woke
 * them) and starts executions the open-execution limit refused earlier. Safe to run twice at once:
 * every write is conditional on the lead's version, and executions are started by name.
 */
export const sweepDue = async (ports: SweepPorts, options: { limit?: number } = {}): Promise<SweepReport> => {
  const now = ports.clock.now();
  const report: SweepReport = { recycled: [], started: [], parked: [], skipped: 0 };
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
  return report;
};

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
