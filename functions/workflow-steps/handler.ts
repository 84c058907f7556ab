import * as z from 'zod';
import type { WorkflowSteps } from '../core/lifecycle/workflow-steps';
import { agingFacts, type MetricsPort } from '../core/metric-facts';

/** PutEvents entries a step carries to the next one (what a step result's `events` holds). */
const entries = z
  .array(z.object({ Source: z.string(), DetailType: z.string(), Detail: z.string(), EventBusName: z.string() }))
  .optional();
/** `$$.Execution.Name` and `$$.Execution.StartTime`: the run a step keeps inside its budget. */
const run = { execution: z.string().min(1).optional(), startedAt: z.string().min(1).optional() };

const payloadSchema = z.discriminatedUnion('op', [
  z.object({ op: z.enum(['begin', 'resume', 'aging', 'outcome']), leadId: z.string().min(1), ...run }),
  z.object({ op: z.enum(['approval-timeout']), leadId: z.string().min(1) }),
  z.object({ op: z.enum(['prepare-approval', 'convert', 'to-contact']), leadId: z.string().min(1), events: entries }),
  z.object({
    op: z.enum(['await-rep', 'await-approval']),
    leadId: z.string().min(1),
    token: z.string().min(1),
    timeoutSeconds: z.number().optional(),
    ...run,
    events: entries,
  }),
  z.object({ op: z.literal('failed'), leadId: z.string().min(1), error: z.string(), cause: z.string() }),
]);

/** The run named in a payload, when the state passed it. */
const runOf = (p: { execution?: string; startedAt?: string }) =>
  p.execution && p.startedAt ? { execution: p.execution, startedAt: p.startedAt } : undefined;

/** Invoked by the lifecycle state machine (lambda:invoke); the payload names the step. */
export const makeWorkflowStepsHandler = (steps: WorkflowSteps, metrics?: MetricsPort) => async (event: unknown) => {
  const payload = payloadSchema.parse(event);
  switch (payload.op) {
    case 'begin':
      return steps.begin(payload.leadId, runOf(payload));
    case 'resume':
      return steps.resume(payload.leadId, runOf(payload));
    case 'aging': {
      const result = await steps.aging(payload.leadId, runOf(payload));
      metrics?.record(agingFacts(result));
      return result;
    }
    case 'prepare-approval':
      return steps.prepareApproval(payload.leadId, payload.events);
    case 'approval-timeout':
      return steps.approvalTimeout(payload.leadId);
    case 'convert':
      return steps.convert(payload.leadId, payload.events);
    case 'to-contact':
      return steps.toContact(payload.leadId, payload.events);
    case 'outcome':
      return steps.outcome(payload.leadId, runOf(payload));
    case 'await-rep':
    case 'await-approval': {
      const r = runOf(payload);
      const armed =
        r && payload.timeoutSeconds !== undefined
          ? { ...r, timeoutSeconds: payload.timeoutSeconds, events: payload.events }
          : undefined;
      return payload.op === 'await-rep'
        ? steps.awaitRep(payload.leadId, payload.token, armed)
        : steps.awaitApproval(payload.leadId, payload.token, armed);
    }
    case 'failed':
      return steps.failed(payload.leadId, payload.error, payload.cause);
  }
};
