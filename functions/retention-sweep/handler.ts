import type { Actor } from '../core/lead';
import type { Clock, EventPublisher } from '../core/ports';
import type { ExecutionStopper, PrivacyStore } from '../core/privacy/erasure';
import type { PrivacyPolicy } from '../core/privacy/privacy-config';
import { runRetention } from '../core/privacy/retention';

export type RetentionSweepDeps = {
  store: PrivacyStore;
  executions: ExecutionStopper;
  events: EventPublisher;
  clock: Clock;
  policy: () => Promise<{ version: number; value: PrivacyPolicy }>;
  newErasureId: () => string;
};

/** Who a scheduled retention run acts as, in the erasure log and the leads' tombstones. */
export const RETENTION_ACTOR: Actor = { kind: 'system', id: 'retention', source: 'WORKFLOW' };

/**
 * Invoked by the schedule (EventBridge Scheduler on AWS, an interval of the local runtime): applies the
 * privacy configuration's retention rules as they are now. Answers ids and counts only.
 */
export const makeRetentionSweepHandler =
  (deps: RetentionSweepDeps) => async (_event?: unknown, context?: { getRemainingTimeInMillis?: () => number }) => {
    const { run } = await runRetention(
      // A large erasure stops early when the invocation runs short; the next run finds the leads left.
      { ...deps, timeLeftMs: () => context?.getRemainingTimeInMillis?.() ?? 60_000 },
      {
        dryRun: false,
        actor: RETENTION_ACTOR,
        requestedBy: RETENTION_ACTOR.id,
        requestId: `retention-${deps.clock.now().toISOString()}`,
      },
    );
    return {
      policyVersion: run.policyVersion,
      leads: run.leads.length,
      erasure: run.erasure ? { id: run.erasure.id, status: run.erasure.status } : undefined,
      imports: run.importsRemoved,
    };
  };
