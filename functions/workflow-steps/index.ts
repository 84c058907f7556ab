import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeWorkflowSteps } from '../core/lifecycle/workflow-steps';
import { makeWorkflowStepsHandler } from './handler';

export const handler = makeWorkflowStepsHandler(makeWorkflowSteps(lifecyclePortsFromEnv()));
