import { ExecutionAlreadyExists, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type ExecutionStarter, isExecutionLimitExceeded } from '../core/lifecycle/execution-budget';
import type { WorkflowCallback, WorkflowStarter } from '../core/ports';
import { localOverrides } from '../env/function-env';

/** Locally `SFN_ENDPOINT` points at the local runtime, which speaks the same protocol. */
export const makeSfnClient = (endpoint = localOverrides().SFN_ENDPOINT): SFNClient =>
  new SFNClient(
    endpoint ? { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {},
  );

/** Starts lifecycle executions by name; a second start of the same name is a no-op. */
export const makeExecutionStarter = (client: SFNClient, stateMachineArn: string): ExecutionStarter => ({
  async start(name, input) {
    try {
      await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      // Standard executions are unique by name for 90 days: a second start means the first one took.
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') return;
      throw error;
    }
  },
});

/**
 * Capture's starter: the execution named after the lead. `park` takes a start refused by the account's
 * open-execution limit (`ExecutionLimitExceeded`) instead of failing the capture: onto the lead, for
 * the due sweep to start later.
 */
export const makeWorkflowStarter = (
  executions: ExecutionStarter,
  park?: (leadId: string, execution: { name: string; input: Record<string, unknown> }) => Promise<void>,
): WorkflowStarter => ({
  async startLifecycle(leadId, input) {
    try {
      await executions.start(leadId, input);
    } catch (error) {
      if (!park || !isExecutionLimitExceeded(error)) throw error;
      await park(leadId, { name: leadId, input });
    }
  },
});

/** Hands a waiting execution the outcome of a human step. */
export const makeWorkflowCallback = (client: SFNClient): WorkflowCallback => ({
  async succeed(taskToken: string, output: unknown) {
    await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  },
});
