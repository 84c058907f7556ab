import type { FunctionName } from '../functions/routes';
import type { LocalWorkflowEngine } from './workflow-engine';

/** The CLI's next batch (or a load's next request) follows within milliseconds: the gap between two is not idle time. */
const BATCH_GAP_MS = 250;

/**
 * Work the local engine yields to: imports, and captures (webhooks, forms, the chatbot). AWS runs executions
 * on its own fleet, so a burst of captures there never waits on the lifecycles it starts; here both share two
 * cores and one DynamoDB Local, and a lifecycle costs about three times a capture's CPU (most of it DynamoDB Local's).
 * While such requests are being served, queued executions start one per second (local/workflow-engine.ts) and
 * the rest follow once the burst ends, as after an import: the lifecycle's work is deferred, not skipped.
 * Reads (leadsApi, reportsApi…) do not hold the engine back, so a client polling for a routed lead does not delay it.
 */
export const FOREGROUND_FUNCTIONS: readonly FunctionName[] = [
  'importsApi',
  'captureWebhook',
  'captureForm',
  'captureChatbot',
];

/**
 * While an import or a capture is being served, the engine holds queued executions back: a 10,000-row file
 * starts 10,000 lifecycles, which follow the import instead of starving it; captures at concurrency 8 keep
 * their rate instead of sharing it with the executions they start. This policy exists only here.
 */
export const makeEngineAdmission = (
  engine: LocalWorkflowEngine,
  foreground: readonly FunctionName[] = FOREGROUND_FUNCTIONS,
) => {
  let serving = 0;
  let lastDone = 0;
  engine.yieldTo(() => serving > 0 || Date.now() - lastDone < BATCH_GAP_MS);
  return {
    /** Runs one request's work, holding the engine back while it is a foreground one. */
    async around<T>(fn: FunctionName, work: () => Promise<T>): Promise<T> {
      if (!foreground.includes(fn)) return work();
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
