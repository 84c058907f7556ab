import type { DedupeKey, KeyHolders } from './dedupe';
import type { AuditEntry, Lead } from './lead';
import type { BusEvent } from './events';

export type Clock = { now(): Date };
export type IdGenerator = { next(): string };

/** The answer a capture gives; stored with the delivery so a redelivery gets it again. */
export type CaptureAnswer = {
  leadId: string;
  status: 'created' | 'duplicate';
  duplicates: { kind: string; id: string; matchedOn: string; value: string }[];
};

export type CaptureLookup = { priorAnswer?: CaptureAnswer; holders: KeyHolders[] };

export type NewLeadWrite = {
  lead: Lead;
  keys: DedupeKey[];
  audit: AuditEntry;
  delivery: { sourceId: string; deliveryId: string; answer: CaptureAnswer; expiresAt: number };
  /** What the lookup saw for each key; a store may refuse the write if a key gained a lead since. */
  seen?: KeyHolders[];
};

export type CaptureWriteResult =
  | { written: true }
  | { written: false; priorAnswer: CaptureAnswer }
  | { written: false; raced: true; holders?: KeyHolders[] };

export type CaptureStore = {
  /** One batched read: the delivery record and every dedupe key. */
  lookup(sourceId: string, deliveryId: string, keys: DedupeKey[]): Promise<CaptureLookup>;
  /**
   * One transaction; resolves `{ written: false, priorAnswer }` when the delivery was already taken,
   * `{ written: false, raced: true }` when another capture added a lead to one of the keys since the lookup,
   * with `holders` (what every key holds now) when the store could tell, so the capture decides again
   * without another lookup; without them (a transaction conflict, a busy store) it looks again.
   */
  createLead(write: NewLeadWrite): Promise<CaptureWriteResult>;
};

export type WorkflowStarter = {
  /** Named by the lead id: starting twice is a no-op. */
  startLifecycle(leadId: string, input: Record<string, unknown>): Promise<void>;
};

export type EventPublisher = { publish(events: BusEvent[]): Promise<void> };
