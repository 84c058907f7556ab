import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeWorkflowSteps } from '../core/lifecycle/workflow-steps';
import { makeWorkflowStepsHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('workflowSteps');

export const handler = makeWorkflowStepsHandler(makeWorkflowSteps(lifecyclePortsFromEnv(env)));
