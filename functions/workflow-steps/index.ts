import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeWorkflowSteps } from '../core/lifecycle/workflow-steps';
import { DEFAULT_EXECUTION_LIMITS } from '../core/lifecycle/execution-budget';
import { makeEmfMetrics } from '../adapters/emf-metrics';
import { makeExecutionStarter, makeSfnClient } from '../adapters/workflow-client';
import { eventHandler } from '../http/middleware';
import { metrics } from '../http/observability';
import { makeWorkflowStepsHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('workflowSteps');
const budget = env.settings('workflowSteps');

export const handler = eventHandler(
  makeWorkflowStepsHandler(
    makeWorkflowSteps({
      ...lifecyclePortsFromEnv(env),
      // Hand-over: an execution near its budget starts its successor.
      executions: makeExecutionStarter(makeSfnClient(), env.need('workflow:start').STATE_MACHINE_ARN),
      limits: {
        ...DEFAULT_EXECUTION_LIMITS,
        maxHistoryEvents: budget.LIFECYCLE_MAX_HISTORY_EVENTS,
        maxAgeSeconds: budget.LIFECYCLE_MAX_AGE_SECONDS,
      },
    }),
    makeEmfMetrics(metrics),
  ),
);
