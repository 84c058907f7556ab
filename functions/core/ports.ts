import type { DedupeKey, KeyHolders } from './dedupe';
import type { Fingerprint } from './similarity';
import type { AuditEntry, Lead } from './lead';
import type { StoredLead } from './lifecycle/ports';
import type { BusEvent } from './events';

export type Clock = { now(): Date };
export type IdGenerator = { next(): string };

/** Where a page of a list stopped: a store's own position (DynamoDB's LastEvaluatedKey), opaque to the core. */
export type PageKey = Record<string, string | number>;

/** The answer a capture gives; stored with the delivery so a redelivery gets it again. */
export type CaptureAnswer = {
  leadId: string;
  status: 'created' | 'duplicate';
  duplicates: { kind: string; id: string; matchedOn: string; value: string; score?: number; fields?: string[] }[];
};

/** `sameBody`: the answer given to the same body from the same source, until `expiresAt` (epoch seconds). */
export type CaptureLookup = {
  priorAnswer?: CaptureAnswer;
  holders: KeyHolders[];
  sameBody?: { answer: CaptureAnswer; expiresAt: number };
};

export type NewLeadWrite = {
  lead: Lead;
  keys: DedupeKey[];
  audit: AuditEntry;
  delivery: { sourceId: string; deliveryId: string; answer: CaptureAnswer; expiresAt: number };
  /** What the lookup saw for each key; a store may refuse the write if a key gained a lead since. */
  seen?: KeyHolders[];
  /** What the lead's blocking keys carry for fuzzy matching. */
  fingerprint?: Fingerprint;
  /** The body's content key: taken only if absent or expired (`now`), remembered until `expiresAt`. */
  sameBody?: { hash: string; now: number; expiresAt: number };
};

export type CaptureWriteResult =
  | { written: true }
  | { written: false; priorAnswer: CaptureAnswer }
  | { written: false; raced: true; holders?: KeyHolders[] };

export type CaptureStore = {
  /** One batched read: the delivery record, every dedupe and blocking key, and the body's content key. */
  lookup(sourceId: string, deliveryId: string, keys: DedupeKey[], sameBody?: string): Promise<CaptureLookup>;
  /**
   * One transaction; resolves `{ written: false, priorAnswer }` when the delivery (or the same body) was already taken,
   * `{ written: false, raced: true }` when another capture added a lead to one of the keys since the lookup,
   * with `holders` (what every key holds now) when the store could tell, so the capture decides again
   * without another lookup; without them (a transaction conflict, a busy store) it looks again.
   */
  createLead(write: NewLeadWrite): Promise<CaptureWriteResult>;
  /**
   * After the write: the earlier leads this one matched as a person learn it (`matchedBy`), so lists
   * flag both leads of a pair. Idempotent; a lead gone or merged since is skipped.
   */
  linkBack?(leadId: string, earlierIds: readonly string[]): Promise<void>;
};

export type WorkflowStarter = {
  /** Named by the lead id: starting twice is a no-op. */
  startLifecycle(leadId: string, input: Record<string, unknown>): Promise<void>;
};

export type EventPublisher = { publish(events: BusEvent[]): Promise<void> };

/** Hands a waiting execution the outcome of a human step. */
export type WorkflowCallback = { succeed(taskToken: string, output: unknown): Promise<void> };

/** A page and where the next one starts (absent on the last page); the HTTP edge turns it into a cursor. */
export type Page<T> = { items: T[]; next?: PageKey };

/** Narrowing of a lead list: a stage, leads ageing at `agingAt`, leads a rep may see. */
export type ListFilter = { stage?: string; agingAt?: string; visibleTo?: string };

/** Reads of leads for the APIs: one lead, its audit trail, and pages through an index. */
export type LeadReader = {
  get(id: string): Promise<StoredLead | undefined>;
  /** The newest `limit` audit entries, oldest first. */
  audit(id: string, limit?: number): Promise<AuditEntry[]>;
  /** Newest first, by owner ("UNASSIGNED" for the queue) or by stage; a short page still says where the next starts unless it is the end. */
  list(
    by: { owner: string } | { stage: string },
    limit: number,
    from?: PageKey,
    filter?: ListFilter,
  ): Promise<Page<Lead>>;
};

/** Reads behind the duplicates views: the key items of a lead, the matched leads, the open duplicate sets. */
export type DuplicatesReader = {
  /** What these keys hold now, in one batched read (keys holding nothing are left out). */
  holders(keys: DedupeKey[]): Promise<KeyHolders[]>;
  /** The leads with these ids that exist, in one batched read. */
  leads(ids: string[]): Promise<Lead[]>;
  /** Leads with an open duplicate set, newest first. */
  openSets(limit: number, from?: PageKey): Promise<Page<Lead>>;
};
