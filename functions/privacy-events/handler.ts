import type { DedupeKey } from '../core/dedupe';
import type { Actor } from '../core/lead';
import type { Clock, EventPublisher } from '../core/ports';
import {
  continueErasure,
  emptyCounts,
  type ExecutionStopper,
  type PrivacyStore,
  type RejectedRowRef,
} from '../core/privacy/erasure';
import type { PrivacyPolicy } from '../core/privacy/privacy-config';

export type PrivacyEventsDeps = {
  store: PrivacyStore;
  executions: ExecutionStopper;
  events: EventPublisher;
  clock: Clock;
  policy: () => Promise<PrivacyPolicy>;
  /** The person keys (e-mail, phone) of a lead, or undefined when it is gone. */
  personKeysOf: (leadId: string) => Promise<DedupeKey[] | undefined>;
  isSuppressed: (key: DedupeKey) => Promise<boolean>;
  /** Marks a lead as a re-capture of an erased person (and audits it); idempotent. */
  flagPreviouslyErased: (leadId: string, at: string) => Promise<void>;
  /** The id a replayed erasure batch runs under (one per original event and replay). */
  replayIdOf: (eventId: string, replayName: string) => string;
};

type Envelope = {
  'detail-type'?: string;
  'replay-name'?: string;
  detail?: {
    eventId?: string;
    leadId?: string;
    erasureId?: string;
    leadIds?: string[];
    contactIds?: string[];
    importRows?: RejectedRowRef[];
  };
};

const SYSTEM: Actor = { kind: 'system', id: 'privacy', source: 'WORKFLOW' };

/**
 * Bus consumer for privacy:
 * - `LeadCreated`: with the policy's `recapture: flag`, a lead whose e-mail or phone is on the
 *   suppression list (an erased person captured again) is marked `previouslyErased`;
 * - `PersonalDataErased` delivered by an archive replay (EventBridge sets `replay-name`): the erasure is
 *   applied again to the same leads and contacts, so a table restored to before an erasure loses the
 *   person again. Live deliveries of it are ignored (the API did the work).
 */
export const makePrivacyEventsHandler = (deps: PrivacyEventsDeps) => async (event: Envelope) => {
  const type = event['detail-type'];
  const at = deps.clock.now().toISOString();
  if (type === 'LeadCreated' && event.detail?.leadId) {
    const policy = await deps.policy();
    if (policy.recapture !== 'flag') return { flagged: false };
    const keys = await deps.personKeysOf(event.detail.leadId);
    for (const key of keys ?? [])
      if (await deps.isSuppressed(key)) {
        await deps.flagPreviouslyErased(event.detail.leadId, at);
        return { flagged: true };
      }
    return { flagged: false };
  }
  if (type === 'PersonalDataErased' && event['replay-name'] && event.detail?.erasureId) {
    // One run per replayed event (each carries one batch of the original erasure).
    const id = deps.replayIdOf(event.detail.eventId ?? event.detail.erasureId, event['replay-name']);
    const existing = await deps.store.erasure(id);
    const job =
      existing ??
      (await deps.store.createErasure({
        id,
        status: 'running',
        reason: 'restore-replay',
        requestedBy: SYSTEM.id,
        requestId: `${event['replay-name']}:${event.detail.erasureId}`,
        createdAt: at,
        updatedAt: at,
        targets: [],
        leadIds: event.detail.leadIds ?? [],
        contactIds: event.detail.contactIds ?? [],
        ...(event.detail.importRows?.length ? { rejectedRows: event.detail.importRows } : {}),
        erasedLeadIds: [],
        counts: emptyCounts(),
      }));
    // One replayed event is one batch (or the closing one with the contacts): it fits a consumer's time.
    const done = await continueErasure(
      {
        store: deps.store,
        executions: deps.executions,
        events: deps.events,
        clock: deps.clock,
        timeLeftMs: () => 60_000,
      },
      job,
      SYSTEM,
    );
    return { replayed: done.id, status: done.status };
  }
  return {};
};
