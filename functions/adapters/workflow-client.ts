import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { MergeWorkflow } from '../core/merge/ports';
import { type ExecutionStarter, isExecutionLimitExceeded } from '../core/lifecycle/execution-budget';
import type { WorkflowCallback, WorkflowStarter } from '../core/ports';
import type { ExecutionStopper } from '../core/privacy/erasure';
import { localOverrides } from '../env/function-env';
import { inProcessConfig } from './in-process-endpoint';
import { localEndpointConfig } from './local-signer';
import { withoutSdkLogger } from './sdk-logging';

/** Locally `SFN_ENDPOINT` points at the local runtime, which speaks the same protocol (in its own process, without a socket). */
export const makeSfnClient = (endpoint = localOverrides().SFN_ENDPOINT): SFNClient =>
  withoutSdkLogger(new SFNClient({ ...localEndpointConfig(endpoint), ...inProcessConfig(endpoint) }));

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

/**
 * Ends a lead's live execution; an execution that is gone or already ended is fine. A lead names its
 * live execution once it has been handed over, recycled or restored (`execution.name`: `<id>-g<n>`,
 * `<id>-r<n>`); `liveName` reads it, and the lead's own id is the first execution's name.
 */
export const makeExecutionStopper = (
  client: SFNClient,
  stateMachineArn: string,
  liveName: (leadId: string) => Promise<string | undefined> = async () => undefined,
): ExecutionStopper => ({
  async stop(leadId) {
    const name = (await liveName(leadId)) ?? leadId;
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    try {
      const out = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (out.status !== 'RUNNING') return false;
      await client.send(new StopExecutionCommand({ executionArn, error: 'PersonalDataErased' }));
      return true;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ExecutionDoesNotExist') return false;
      throw error;
    }
  },
});

/** Task tokens that no longer wait (a timer fired, the execution ended): nothing left to end. */
const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * A merged lead's execution is handed `next: end` through the wait it holds and finishes (Succeeded):
 * its token is on the lead, whereas StopExecution would need the execution's name, which a resumed
 * or restarted lifecycle changes. A restored lead's lifecycle starts again under a fresh name.
 */
export const makeMergeWorkflow = (client: SFNClient, stateMachineArn: string): MergeWorkflow => ({
  async end(taskToken, leadId) {
    try {
      await client.send(
        new SendTaskSuccessCommand({
          taskToken,
          output: JSON.stringify({ Payload: { leadId, next: 'end', timeoutSeconds: 1, events: [] } }),
        }),
      );
    } catch (error) {
      if (!GONE.has((error as Error).name)) throw error;
    }
  },
  async restart(leadId, executionName) {
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: executionName,
          input: JSON.stringify({ leadId, resume: true }),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') return;
      throw error;
    }
  },
});
