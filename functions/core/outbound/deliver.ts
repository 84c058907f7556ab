import { Webhook } from 'standardwebhooks';
import type { DeliveryRecord, StoredSubscription } from './subscriptions';
import { consentAllows, wants } from './subscriptions';

export type OutboundStore = {
  subscriptions(): Promise<StoredSubscription[]>;
  /** Which of these subscriptions already got this event (one batched read). */
  delivered(subscriptionIds: string[], eventId: string): Promise<Set<string>>;
  /** Records the attempt for the console; a delivered one also marks (subscription, event) done. */
  record(delivery: DeliveryRecord): Promise<void>;
};

export type HttpPost = (
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
) => Promise<{ status: number }>;

export type OutboundDeps = {
  store: OutboundStore;
  post: HttpPost;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Tries inside one invocation before handing the rest to the bus's retry policy. */
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
};

export type BusEnvelope = { 'detail-type': string; detail: Record<string, unknown> };

/** The Standard Webhooks payload: `{ type, timestamp, data }`. */
export const webhookPayload = (event: BusEnvelope) =>
  JSON.stringify({ type: event['detail-type'], timestamp: String(event.detail.occurredAt ?? ''), data: event.detail });

/** The signed request for one subscription; the message id is the event id, the same on every retry. */
export const signedRequest = (secret: string, eventId: string, body: string, at: Date) => ({
  'content-type': 'application/json',
  'webhook-id': eventId,
  'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  'webhook-signature': new Webhook(secret).sign(eventId, at, body),
  'user-agent': 'leadflow-webhooks/1',
});

export class DeliveryFailed extends Error {
  constructor(
    readonly failures: { subscriptionId: string; url: string; reason: string }[],
    eventId: string,
  ) {
    super(
      `event ${eventId}: ${failures.length} subscription(s) not delivered — ${failures.map((f) => `${f.subscriptionId} (${f.url}): ${f.reason}`).join('; ')}`,
    );
    this.name = 'DeliveryFailed';
  }
}

/**
 * Delivers one bus event to every subscription that wants it, concurrently, one POST each. Each
 * (subscription, event) that succeeds is marked so a retry of the invocation skips it; if any
 * failed, the invocation throws naming them, so the bus retries with backoff and finally parks the
 * event in the DLQ with that reason. A slow or failing subscriber never delays or blocks the others.
 */
export const deliverEvent = async (deps: OutboundDeps, event: BusEnvelope) => {
  const eventId = String(event.detail.eventId ?? '');
  const type = event['detail-type'];
  const attempts = deps.attempts ?? 2;
  const backoff = deps.backoffMs ?? 250;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const body = webhookPayload(event);
  const matching = (await deps.store.subscriptions()).filter((s) => wants(s, type) && consentAllows(s, event.detail));
  const done =
    matching.length > 0
      ? await deps.store.delivered(
          matching.map((s) => s.id),
          eventId,
        )
      : new Set<string>();
  const targets = matching.filter((s) => !done.has(s.id));
  const failures: DeliveryFailed['failures'] = [];
  const delivered: string[] = [];

  await Promise.all(
    targets.map(async (subscription) => {
      const started = deps.now();
      let reason = '';
      let status: number | undefined;
      let attempt = 0;
      for (attempt = 1; attempt <= attempts; attempt++) {
        try {
          const answer = await deps.post(
            subscription.url,
            signedRequest(subscription.secret, eventId, body, deps.now()),
            body,
            deps.timeoutMs ?? 5000,
          );
          status = answer.status;
          if (status >= 200 && status < 300) break;
          reason = `answered ${status}`;
        } catch (error) {
          status = undefined;
          reason = (error as Error).message;
        }
        if (attempt < attempts) await sleep(backoff * 2 ** (attempt - 1));
      }
      const ok = status !== undefined && status >= 200 && status < 300;
      await deps.store.record({
        subscriptionId: subscription.id,
        eventId,
        detailType: type,
        at: started.toISOString(),
        outcome: ok ? 'delivered' : 'failed',
        attempts: Math.min(attempt, attempts),
        status,
        error: ok ? undefined : reason,
        durationMs: deps.now().getTime() - started.getTime(),
      });
      if (ok) delivered.push(subscription.id);
      else failures.push({ subscriptionId: subscription.id, url: subscription.url, reason });
    }),
  );
  if (failures.length > 0) throw new DeliveryFailed(failures, eventId);
  return { eventId, delivered };
};
