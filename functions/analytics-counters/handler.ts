import * as z from 'zod';
import { type CountableEvent, countablePartsOf } from '../core/reports/counters';
import type { CountersWriter } from '../core/reports/ports';

export type AnalyticsCountersDeps = { counters: CountersWriter };

/** The EventBridge envelope as a rule target receives it; only what counting needs is required. */
const envelopeSchema = z.object({
  id: z.string().optional(),
  source: z.string(),
  'detail-type': z.string(),
  time: z.string().optional(),
  detail: z
    .object({
      eventId: z.string().min(1).optional(),
      occurredAt: z.string().min(1).optional(),
      leadId: z.string().optional(),
      lead: z
        .object({
          id: z.string(),
          stage: z.string(),
          sourceId: z.string(),
          createdAt: z.string(),
          stageEnteredAt: z.string(),
        })
        .passthrough()
        .optional(),
    })
    .passthrough(),
});

export type BusEventEnvelope = z.input<typeof envelopeSchema>;

/** Turns a delivered envelope into the event the counters fold (the detail's own id and time first). */
export const countableOf = (raw: unknown): CountableEvent => {
  const envelope = envelopeSchema.parse(raw);
  const { detail } = envelope;
  return {
    detailType: envelope['detail-type'],
    source: envelope.source,
    detail: {
      ...detail,
      eventId: detail.eventId ?? envelope.id ?? '',
      occurredAt: detail.occurredAt ?? envelope.time ?? new Date(0).toISOString(),
    } as CountableEvent['detail'],
  };
};

/**
 * The `analyticsCounters` bus consumer: counts each event once. A throw makes the bus retry (and
 * finally park the event in the DLQ); a redelivery of a counted event is answered as a duplicate.
 */
export const makeAnalyticsCountersHandler = (deps: AnalyticsCountersDeps) => async (event: unknown) => {
  const countable = countableOf(event);
  if (!countable.detail.eventId) return { outcome: 'ignored' as const };
  // A merge counts once per lead it touched; a redelivery finds the parts already counted and goes on.
  const [first, ...parts] = countablePartsOf(countable);
  const outcome = await deps.counters.apply(first as CountableEvent);
  for (const part of parts) await deps.counters.apply(part);
  return { outcome };
};
