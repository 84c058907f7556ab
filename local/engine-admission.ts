import type { FunctionName } from '../functions/routes';
import type { LocalWorkflowEngine } from './workflow-engine';

/** The CLI's next batch follows within milliseconds: the gap between two is not idle time. */
const BATCH_GAP_MS = 250;

/**
 * While an import is being served, the engine holds queued executions back (local/workflow-engine.ts):
 * a 10,000-row file starts 10,000 lifecycles, which follow the import instead of starving it of the
 * two cores and DynamoDB Local. AWS runs executions on its own fleet; this policy exists only here.
 */
export const makeEngineAdmission = (engine: LocalWorkflowEngine, bulk: readonly FunctionName[] = ['importsApi']) => {
  let serving = 0;
  let lastDone = 0;
  engine.yieldTo(() => serving > 0 || Date.now() - lastDone < BATCH_GAP_MS);
  return {
    /** Runs one request's work, holding the engine back while it is a bulk one. */
    async around<T>(fn: FunctionName, work: () => Promise<T>): Promise<T> {
      if (!bulk.includes(fn)) return work();
      serving++;
      try {
        return await work();
      } finally {
        serving--;
        lastDone = Date.now();
      }
    },
  };
};
