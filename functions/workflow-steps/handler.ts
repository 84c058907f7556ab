import * as z from 'zod';
import type { WorkflowSteps } from '../core/lifecycle/workflow-steps';
import { agingFacts, type MetricsPort } from '../core/metric-facts';

const payloadSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.enum([
      'begin',
      'resume',
      'aging',
      'prepare-approval',
      'approval-timeout',
      'convert',
      'to-contact',
      'outcome',
    ]),
    leadId: z.string().min(1),
  }),
  z.object({
    op: z.enum(['await-rep', 'await-approval']),
    leadId: z.string().min(1),
    token: z.string().min(1),
    timeoutSeconds: z.number().optional(),
  }),
  z.object({ op: z.literal('failed'), leadId: z.string().min(1), error: z.string(), cause: z.string() }),
  z.object({
    op: z.literal('checkpoint'),
    leadId: z.string().min(1),
    execution: z.string().min(1),
    startedAt: z.string().min(1),
    next: z.enum(['wait', 'await-approval']),
    timeoutSeconds: z.number(),
  }),
]);

/** Invoked by the lifecycle state machine (lambda:invoke); the payload names the step. */
export const makeWorkflowStepsHandler = (steps: WorkflowSteps, metrics?: MetricsPort) => async (event: unknown) => {
  const payload = payloadSchema.parse(event);
  switch (payload.op) {
    case 'begin':
      return steps.begin(payload.leadId);
    case 'resume':
      return steps.resume(payload.leadId);
    case 'aging': {
      const result = await steps.aging(payload.leadId);
      metrics?.record(agingFacts(result));
      return result;
    }
    case 'prepare-approval':
      return steps.prepareApproval(payload.leadId);
    case 'approval-timeout':
      return steps.approvalTimeout(payload.leadId);
    case 'convert':
      return steps.convert(payload.leadId);
    case 'to-contact':
      return steps.toContact(payload.leadId);
    case 'outcome':
      return steps.outcome(payload.leadId);
    case 'await-rep':
      return steps.awaitRep(payload.leadId, payload.token);
    case 'await-approval':
      return steps.awaitApproval(payload.leadId, payload.token);
    case 'checkpoint':
      return steps.checkpoint(
        payload.leadId,
        payload.execution,
        payload.startedAt,
        payload.next,
        payload.timeoutSeconds,
      );
    case 'failed':
      return steps.failed(payload.leadId, payload.error, payload.cause);
  }
};
