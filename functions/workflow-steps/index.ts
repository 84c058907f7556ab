import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeWorkflowSteps } from '../core/lifecycle/workflow-steps';
import { makeEmfMetrics } from '../adapters/emf-metrics';
import { eventHandler } from '../http/middleware';
import { metrics } from '../http/observability';
import { makeWorkflowStepsHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('workflowSteps');

export const handler = eventHandler(
  makeWorkflowStepsHandler(makeWorkflowSteps(lifecyclePortsFromEnv(env)), makeEmfMetrics(metrics)),
);
