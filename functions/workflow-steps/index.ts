import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeWorkflowSteps } from '../core/lifecycle/workflow-steps';
import { DEFAULT_EXECUTION_LIMITS } from '../core/lifecycle/execution-budget';
import { makeEmfMetrics } from '../adapters/emf-metrics';
import { makeEventBridgeClient, makeEntryPublisher } from '../adapters/event-publisher';
import { makeExecutionStarter, makeSfnClient, makeWorkflowCallback } from '../adapters/workflow-client';
import { eventHandler } from '../http/middleware';
import { metrics } from '../http/observability';
import { makeWorkflowStepsHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('workflowSteps');
const budget = env.settings('workflowSteps');
const sfn = makeSfnClient();

export const handler = eventHandler(
  makeWorkflowStepsHandler(
    makeWorkflowSteps({
      ...lifecyclePortsFromEnv(env),
      // Hand-over: an execution near its budget starts its successor.
      executions: makeExecutionStarter(sfn, env.need('workflow:start').STATE_MACHINE_ARN),
      // ...and completes the wait it armed itself; the step that arms a wait publishes the events it is handed.
      callback: makeWorkflowCallback(sfn),
      entries: makeEntryPublisher(makeEventBridgeClient(), env.need('bus:put').EVENT_BUS_NAME),
      limits: {
        ...DEFAULT_EXECUTION_LIMITS,
        maxHistoryEvents: budget.LIFECYCLE_MAX_HISTORY_EVENTS,
        maxAgeSeconds: budget.LIFECYCLE_MAX_AGE_SECONDS,
      },
    }),
    makeEmfMetrics(metrics),
  ),
);
