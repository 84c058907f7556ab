import { createHash } from 'node:crypto';
import { timestampIssue } from './dates';
import {
  DEFAULT_THRESHOLDS,
  type DedupeKey,
  decide,
  isDuplicate,
  type KeyHolders,
  MAX_LISTED_LEADS,
  matchesFrom,
  matchingKeysOf,
} from './dedupe';
import { fieldIssuesOf, RetryLaterError, ValidationError } from './errors';
import { type Actor, type CanonicalLead, type Channel, canonicalLeadSchema, type Lead } from './lead';
import type { MetricsPort } from './metric-facts';
import { type NormalisedLead, normaliseLead } from './normalise';
import type { CaptureAnswer, CaptureStore, Clock, IdGenerator, WorkflowStarter } from './ports';
import type { Fingerprint } from './similarity';
import type { SourceConfig } from './sources';

export type CaptureDeps = {
  store: CaptureStore;
  workflow: WorkflowStarter;
  clock: Clock;
  ids: IdGenerator;
  /** Where the capture handlers record what they captured and refused (none when absent). */
  metrics?: MetricsPort;
  /**
   * Wakes nurtured leads this capture hits exactly (email or phone): new activity on them, once per
   * delivery (see `wakeNurturedMatches`). Forms count a revisit instead; without it, nothing wakes.
   */
  wakeNurtured?: (request: {
    sourceId: string;
    deliveryId: string;
    channel: Channel;
    createdLeadId?: string;
    matches: readonly { kind: string; id: string; matchedOn: string }[];
  }) => Promise<unknown>;
};

export type CaptureRequest = {
  payload: unknown;
  channel: Channel;
  source: SourceConfig;
  /** The sender's id for this delivery (webhook-id, Idempotency-Key, import job + row). */
  deliveryId: string;
  actor: Actor;
};

/** How long a delivery id is remembered; senders retry for far less (Standard Webhooks: ~1 day). */
export const DELIVERY_MEMORY_SECONDS = 7 * 24 * 3600;
/** How long the same body from the same source counts as the same delivery, unless the source says otherwise. */
export const SAME_BODY_WINDOW_SECONDS = 600;

/** JSON with object keys sorted, so key order never makes two bodies differ. */
const stableJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );

/**
 * The content key of a body from a source: a hash, so the key item names no personal data. Imports
 * have none (each row is its own delivery; a file's identical rows meet on the exact keys instead).
 */
export const sameBodyOf = (request: Pick<CaptureRequest, 'payload' | 'source'>, now: Date) => {
  const window = request.source.sameBodyWindowSeconds ?? SAME_BODY_WINDOW_SECONDS;
  if (window === 0 || request.source.kind === 'import') return undefined;
  const hash = createHash('sha256')
    .update(`${request.source.id}\n${stableJson(request.payload)}`)
    .digest('base64url');
  const at = Math.floor(now.getTime() / 1000);
  return { hash, now: at, expiresAt: at + window };
};

/**
 * A lost round that says who won is progress (the person gained a lead and the next write is
 * conditioned on it), so it is tried again at once; this only bounds a burst of the same person.
 */
const MAX_CAPTURE_ROUNDS = 200;
/** Rounds lost without knowing to whom (a transaction conflict, a busy store): look again after a pause. */
const MAX_BLIND_ROUNDS = 8;
const MAX_PAUSE_MS = 200;

/**
 * Validates and normalises without touching storage: the import dry-run uses it too. Given `now`,
 * the client's own timestamps (consent.capturedAt) must also lie in the sane window around it.
 */
export const prepareLead = (payload: unknown, now?: Date) => {
  const parsed = canonicalLeadSchema.safeParse(payload);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  const capturedAt = parsed.data.consent?.capturedAt;
  const late = now && capturedAt !== undefined ? timestampIssue(capturedAt, now) : undefined;
  if (late) throw new ValidationError([{ field: 'consent.capturedAt', reason: late }]);
  const { lead, issues } = normaliseLead(parsed.data);
  if (issues.length > 0) throw new ValidationError(issues);
  return lead;
};

/** The keys that stop listing leads at MAX_LISTED_LEADS; an exact key lists every holder, since it decides duplicates. */
const saturates = (k: DedupeKey) => k.on === 'block' || k.on === 'domain';

const unsaturated = (keys: DedupeKey[], holders: KeyHolders[]) =>
  keys.filter(
    (k) =>
      !saturates(k) ||
      (holders.find((h) => h.key.on === k.on && h.key.value === k.value)?.leadIds.length ?? 0) < MAX_LISTED_LEADS,
  );

/** Earlier leads a new lead is written back to (`matchedBy`) at most. */
export const LINK_BACK_LEADS = 10;

/**
 * Stores a lead exactly once per delivery and starts its lifecycle; a nurtured lead the person already
 * is wakes (a redelivery wakes it again, which records nothing twice).
 */
export const captureLead = async (deps: CaptureDeps, request: CaptureRequest): Promise<CaptureAnswer> => {
  const answer = await storeOnce(deps, request);
  if (deps.wakeNurtured && request.channel !== 'FORM' && answer.duplicates.length > 0)
    await deps.wakeNurtured({
      sourceId: request.source.id,
      deliveryId: request.deliveryId,
      channel: request.channel,
      createdLeadId: answer.status === 'created' ? answer.leadId : undefined,
      matches: answer.duplicates,
    });
  return answer;
};

const storeOnce = async (deps: CaptureDeps, request: CaptureRequest): Promise<CaptureAnswer> => {
  const now = deps.clock.now();
  const normalised = prepareLead(request.payload, now);
  const leadId = deps.ids.next();
  const { keys, fingerprint } = matchingKeysOf(leadId, normalised);
  const plan: CapturePlan = { normalised, keys, fingerprint, leadId, sameBody: sameBodyOf(request, now) };
  let seen: KeyHolders[] | undefined;
  let blind = 0;
  for (let lost = 0; lost < MAX_CAPTURE_ROUNDS; lost++) {
    const outcome = await attemptCapture(deps, request, plan, seen);
    if (!('raced' in outcome)) return outcome;
    // Another capture of the same person or company stored first: decide again on what it left.
    // (A saturated blocking key was not written, so the store says nothing of it: keep what was seen.)
    seen = outcome.holders && [
      ...outcome.holders,
      ...(seen ?? []).filter(
        (h) => !outcome.holders?.some((o) => o.key.on === h.key.on && o.key.value === h.key.value),
      ),
    ];
    if (!seen && ++blind > MAX_BLIND_ROUNDS) break;
    await pauseAfterLoss(lost);
  }
  throw new RetryLaterError('Too many captures of the same person at once; send this delivery again shortly', 1);
};

/**
 * Full jitter, capped: the losers of a burst spread out instead of queueing on the same key item again
 * in lockstep (each queued write that is bound to lose still holds the item for its turn).
 */
const pauseAfterLoss = (lost: number) =>
  new Promise((r) => setTimeout(r, Math.random() * Math.min(MAX_PAUSE_MS, 10 * 2 ** lost)));

type CapturePlan = {
  normalised: NormalisedLead;
  keys: DedupeKey[];
  fingerprint: Fingerprint;
  leadId: string;
  sameBody?: { hash: string; now: number; expiresAt: number };
};
type Raced = { raced: true; holders?: KeyHolders[] };

/** One round: look up (unless a lost round already told what the keys hold), decide, write. */
const attemptCapture = async (
  deps: CaptureDeps,
  request: CaptureRequest,
  plan: CapturePlan,
  known?: KeyHolders[],
): Promise<CaptureAnswer | Raced> => {
  const { source, deliveryId } = request;
  let holders = known;
  if (!holders) {
    const found = await deps.store.lookup(source.id, deliveryId, plan.keys, plan.sameBody?.hash);
    if (found.priorAnswer) return ensureStarted(deps, found.priorAnswer);
    // The same body within the window: the same submission, whatever its delivery id.
    if (found.sameBody && plan.sameBody && found.sameBody.expiresAt > plan.sameBody.now)
      return ensureStarted(deps, found.sameBody.answer);
    holders = found.holders;
  }

  const thresholds = source.duplicateThresholds ?? DEFAULT_THRESHOLDS;
  const matches = matchesFrom(holders, plan.fingerprint, thresholds);
  const keys = unsaturated(plan.keys, holders);
  const decision = decide(source.duplicatePolicy, matches, thresholds);
  if (decision.action === 'reject') {
    const existing = matches.find((m) => m.kind === 'lead') ?? matches[0];
    return { leadId: existing?.id ?? '', status: 'duplicate', duplicates: matches };
  }

  const now = deps.clock.now().toISOString();
  const { normalised, leadId } = plan;
  const canonical: CanonicalLead = normalised;
  const lead: Lead = {
    ...canonical,
    emailDomain: normalised.emailDomain,
    companyDomain: normalised.companyDomain,
    freeMail: normalised.freeMail,
    id: leadId,
    version: 1,
    stage: 'Creation',
    leadType: normalised.leadType ?? 'B2C',
    channel: request.channel,
    sourceId: source.id,
    campaign: normalised.campaign ?? normalised.utm?.campaign ?? source.campaign,
    deliveryId,
    createdAt: now,
    updatedAt: now,
    createdBy: request.actor,
    duplicates: matches,
    duplicatePolicy: source.duplicatePolicy,
    associatedAccountId: decision.associate.accountId,
    associatedContactId: decision.associate.contactId,
    stageEnteredAt: now,
    followers: [],
  };
  const answer: CaptureAnswer = { leadId, status: 'created', duplicates: matches };
  const result = await deps.store.createLead({
    lead,
    keys,
    audit: {
      at: now,
      actor: request.actor,
      action: 'created',
      to: 'Creation',
      why: isDuplicate(matches)
        ? `captured from ${source.id}; ${matches.length} possible duplicate(s), policy ${source.duplicatePolicy}`
        : `captured from ${source.id}`,
      data: { channel: request.channel, deliveryId },
    },
    delivery: {
      sourceId: source.id,
      deliveryId,
      answer,
      expiresAt: Math.floor(Date.parse(now) / 1000) + DELIVERY_MEMORY_SECONDS,
    },
    seen: holders,
    fingerprint: plan.fingerprint,
    ...(plan.sameBody ? { sameBody: plan.sameBody } : {}),
  });
  if (result.written) {
    await deps.workflow.startLifecycle(leadId, { leadId });
    // The earlier lead of each pair learns this one (lists flag both); a failure here loses only that flag.
    // At most LINK_BACK_LEADS (exact matches first, oldest first): a burst of one person stays linear, and
    // a lead further down the chain is flagged by its own matches anyway.
    const earlier = matches
      .filter((m) => m.kind === 'lead' && m.matchedOn !== 'domain')
      .slice(0, LINK_BACK_LEADS)
      .map((m) => m.id);
    if (earlier.length && deps.store.linkBack) await deps.store.linkBack(leadId, earlier).catch(() => undefined);
    return answer;
  }
  return 'raced' in result ? { raced: true, holders: result.holders } : ensureStarted(deps, result.priorAnswer);
};

/** A redelivery may arrive after the first attempt stored the lead but died before starting it. */
const ensureStarted = async (deps: CaptureDeps, answer: CaptureAnswer): Promise<CaptureAnswer> => {
  if (answer.status === 'created') await deps.workflow.startLifecycle(answer.leadId, { leadId: answer.leadId });
  return answer;
};
