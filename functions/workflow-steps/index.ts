import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeWorkflowSteps } from '../core/lifecycle/workflow-steps';
import { makeEmfMetrics } from '../adapters/emf-metrics';
import { eventHandler } from '../http/middleware';
import { metrics } from '../http/observability';
import { makeWorkflowStepsHandler } from './handler';

export const handler = eventHandler(makeWorkflowStepsHandler(makeWorkflowSteps(lifecyclePortsFromEnv()), makeEmfMetrics(metrics)));
