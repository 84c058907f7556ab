import type { Actor, AuditEntry, Due, ExecutionRecordOfLead, Lead } from '../lead';
import { addSeconds } from './duration';
import { type ExecutionStarter, isExecutionLimitExceeded, successorName } from './execution-budget';
import { parkedStart } from './nurture';
import type { LeadStorePort, StoredLead } from './ports';
import { isWorking, type Next } from './transitions';

/**
 * Leads with nothing to time hold no execution (Step Functions counts open executions per account):
 * a lead parked in the manager queue ends its execution when its next rep wait is armed and keeps its stage —
 * the resume point — with the ended execution recorded (`execution.endedAt`). The first action on it
 * (a manager assigning it, any rep action, a step outcome mapped to an action) writes the lead and
 * starts a fresh execution `<leadId>-g<n+1>` (the hand-over's naming: generations only grow), which
 * enters at `execution.entry` and waits on from the table.
 */

/** In a working stage with no clock running: parked in the manager queue, or no deadline at all. */
export const hasNothingToTime = (lead: Pick<Lead, 'stage' | 'parked' | 'stageDeadline' | 'approval'>): boolean =>
  isWorking(lead.stage) && !lead.approval && (lead.parked === true || !lead.stageDeadline);

/** The lead's execution ended while it waits in a working stage: an action must start a fresh one. */
export const isDormant = (lead: Pick<StoredLead, 'stage' | 'taskToken' | 'execution'>): boolean =>
  isWorking(lead.stage) && !lead.taskToken && Boolean(lead.execution?.endedAt);

/** How long a fresh execution's start may take before the due sweep starts it (a crash between write and start). */
export const WAKE_GUARD_SECONDS = 300;

const WORKFLOW: Actor = { kind: 'system', id: 'lifecycle', source: 'WORKFLOW' };

/** The record of the arming step as it ends the execution of a lead with nothing to time. */
export const endDormant = (
  lead: Pick<Lead, 'id' | 'stage' | 'owner'>,
  current: ExecutionRecordOfLead,
  at: string,
): { patch: Partial<Lead>; audit: AuditEntry } => ({
  patch: { execution: { ...current, endedAt: at, entry: undefined } },
  audit: {
    at,
    actor: WORKFLOW,
    action: 'execution-ended',
    from: lead.stage,
    to: lead.stage,
    why: `nothing to time in ${lead.stage} (parked with ${lead.owner ?? 'the queue'}): no execution until someone acts; the next one is ${successorName(lead.id, current.generation + 1)}`,
    data: { execution: current.name },
  },
});

/**
 * Fields that wake a dormant lead, written in the same conditional write as the action: the fresh
 * execution's record (where it enters) and a start due a few minutes from now, so that a crash between
 * this write and the start leaves the start to the due sweep (a second start of the name is a no-op).
 */
export const wakeDormant = (
  lead: Pick<Lead, 'id' | 'execution'>,
  entry: Next,
  now: Date,
): {
  patch: Partial<Lead>;
  audit: AuditEntry;
  name: string;
  execution: { name: string; input: Record<string, unknown> };
} => {
  const generation = (lead.execution?.generation ?? 0) + 1;
  const name = successorName(lead.id, generation);
  const due: Due = {
    at: addSeconds(now, WAKE_GUARD_SECONDS),
    kind: 'start',
    execution: { name, input: { leadId: lead.id, resume: true } },
  };
  return {
    name,
    execution: { name, input: { leadId: lead.id, resume: true } },
    patch: { execution: { name, generation, loops: 0, from: lead.execution?.name, entry }, due },
    audit: {
      at: now.toISOString(),
      actor: WORKFLOW,
      action: 'execution-started',
      why: `woken from the manager queue: continues in ${name}`,
      data: { from: lead.execution?.name ?? null, to: name, entry },
    },
  };
};

/** Starts a woken lead's execution; refused by the open-execution limit, the start waits on the lead for the sweep. */
export const startWoken = async (
  executions: ExecutionStarter,
  leads: Pick<LeadStorePort, 'get' | 'write'>,
  lead: StoredLead,
  execution: { name: string; input: Record<string, unknown> },
  now: Date,
): Promise<void> => {
  try {
    await executions.start(execution.name, execution.input);
  } catch (error) {
    if (!isExecutionLimitExceeded(error)) throw error;
    const fresh = (await leads.get(lead.id)) ?? lead;
    await leads.write(fresh, { due: parkedStart(fresh, execution, now) }, [
      {
        at: now.toISOString(),
        actor: WORKFLOW,
        action: 'execution-parked',
        why: `open-execution limit reached: ${execution.name} starts when the sweep finds room`,
      },
    ]);
  }
};

/**
 * Where a fresh execution of a woken lead enters: what the waking action decided, while the lead is
 * still where that action left it (the step arming the first wait clears it).
 */
export const entryOf = (
  lead: Pick<StoredLead, 'stage' | 'taskToken' | 'execution' | 'contactId'>,
): Next | undefined => {
  const entry = lead.execution?.entry;
  if (!entry || lead.taskToken || lead.execution?.endedAt) return undefined;
  if (isWorking(lead.stage)) return entry;
  return entry === 'to-contact' && !lead.contactId ? entry : undefined;
};
