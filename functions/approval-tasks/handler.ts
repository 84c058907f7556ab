import * as z from 'zod';
import { type ActionPorts, decideTask, whenSettled } from '../core/lifecycle/act-on-lead';
import { completeStep, openStepsFor } from '../core/lifecycle/complete-step';
import { fieldIssuesOf, NotFoundError, ValidationError } from '../core/errors';
import type { ApprovalTasksStore } from '../core/lifecycle/ports';
import { selfDecisionRefusal } from '../core/lifecycle/segregation-of-duties';
import { decideQuoteTask, type QuoteDecisionDeps } from '../core/quotes/quote-service';
import { approvalWaitFacts, type MetricsPort } from '../core/metric-facts';
import { callerOf } from '../http/auth';
import { jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

const decisionSchema = z
  .object({ decision: z.enum(['approve', 'reject']), comment: z.string().trim().max(2000).optional() })
  .strict();

const completeSchema = z
  .object({ outcome: z.string().trim().min(1).max(60), comment: z.string().trim().max(2000).optional() })
  .strict();

export const makeApprovalTasksApi = (
  ports: ActionPorts,
  tasks: Pick<ApprovalTasksStore, 'openFor'>,
  metrics?: MetricsPort,
  /** Quote-discount tasks are decided on their quote (no workflow token behind them). */
  quotes?: QuoteDecisionDeps,
) =>
  routeBy({
    /** The caller's open approval tasks: their own, their groups', and those escalated to them, less those they may not decide (four eyes). */
    'GET /tasks': async (event) => {
      const caller = callerOf(event);
      const open = (await tasks.openFor(caller.userId, caller.groups)).filter(
        (task) => !selfDecisionRefusal(task, caller.userId),
      );
      const steps = ports.steps ? await openStepsFor({ ...ports, steps: ports.steps }, caller) : [];
      return json(200, {
        items: open.map(({ taskToken: _t, ...task }) => ({ ...task, escalated: Boolean(task.escalatedTo) })),
        /** The stage steps that are the caller's (or their team's) to do, soonest due first. */
        steps,
      });
    },
    /** Completes a stage step with one of its outcomes; an outcome mapped to an action lets the workflow take it. */
    'POST /tasks/{taskId}/complete': async (event) => {
      const caller = callerOf(event);
      const stepId = event.pathParameters?.taskId ?? '';
      if (!ports.steps) throw new NotFoundError('task', stepId);
      const parsed = completeSchema.safeParse(jsonBody(event));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      const stepPorts = { ...ports, steps: ports.steps };
      const done = await whenSettled(() => completeStep(stepPorts, { stepId, ...parsed.data, caller }));
      return json(done.duplicate ? 200 : 201, {
        step: done.step,
        stage: done.lead.stage,
        /** The outcome maps to an action: the workflow takes it if the criteria allow (GET /leads/{id} shows the result). */
        workflowWoken: done.wakes,
      });
    },
    'POST /tasks/{taskId}/decision': async (event) => {
      const caller = callerOf(event);
      const parsed = decisionSchema.safeParse(jsonBody(event));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      const task = quotes ? await ports.tasks.get(event.pathParameters?.taskId ?? '') : undefined;
      if (quotes && task?.quote) {
        const decided = await decideQuoteTask(quotes, { task, ...parsed.data, caller });
        metrics?.record(approvalWaitFacts(decided.task));
        return json(200, { task: decided.task, quote: decided.quote });
      }
      const outcome = await whenSettled(() =>
        decideTask(ports, { taskId: event.pathParameters?.taskId ?? '', ...parsed.data, caller }),
      );
      metrics?.record(approvalWaitFacts(outcome.task));
      return json(200, { task: outcome.task, stage: outcome.lead.stage, next: outcome.next });
    },
  });
