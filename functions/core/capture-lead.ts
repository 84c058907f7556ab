import { decide, dedupeKeysOf, isDuplicate, matchesFrom } from './dedupe';
import { fieldIssuesOf, ValidationError } from './errors';
import { type Actor, type CanonicalLead, type Channel, canonicalLeadSchema, type Lead } from './lead';
import { type NormalisedLead, normaliseLead } from './normalise';
import type { MetricsPort } from './metric-facts';
import type { CaptureAnswer, CaptureStore, Clock, IdGenerator, WorkflowStarter } from './ports';
import type { SourceConfig } from './sources';

export type CaptureDeps = {
  store: CaptureStore;
  workflow: WorkflowStarter;
  clock: Clock;
  ids: IdGenerator;
  /** Where the capture handlers record what they captured and refused (none when absent). */
  metrics?: MetricsPort;
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
const MAX_CAPTURE_ATTEMPTS = 8;


/** Validates and normalises without touching storage: the import dry-run uses it too. */
export const prepareLead = (payload: unknown) => {
  const parsed = canonicalLeadSchema.safeParse(payload);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  const { lead, issues } = normaliseLead(parsed.data);
  if (issues.length > 0) throw new ValidationError(issues);
  return lead;
};

/** Stores a lead exactly once per delivery and starts its lifecycle. */
export const captureLead = async (deps: CaptureDeps, request: CaptureRequest): Promise<CaptureAnswer> => {
  const normalised = prepareLead(request.payload);
  // A capture that raced another for the same person or company looks again and decides again.
  for (let attempt = 1; attempt <= MAX_CAPTURE_ATTEMPTS; attempt++) {
    const outcome = await attemptCapture(deps, request, normalised);
    if (outcome !== 'raced') return outcome;
    // Jittered backoff so a burst of the same person does not collide again in lockstep.
    await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
  }
  throw new Error(`capture kept racing other captures on the same keys (${MAX_CAPTURE_ATTEMPTS} attempts)`);
};

const attemptCapture = async (deps: CaptureDeps, request: CaptureRequest, normalised: NormalisedLead): Promise<CaptureAnswer | 'raced'> => {
  const { source, deliveryId } = request;
  const keys = dedupeKeysOf(normalised);
  const found = await deps.store.lookup(source.id, deliveryId, keys);
  if (found.priorAnswer) return ensureStarted(deps, found.priorAnswer);

  const matches = matchesFrom(found.holders);
  const decision = decide(source.duplicatePolicy, matches);
  if (decision.action === 'reject') {
    const existing = matches.find((m) => m.kind === 'lead') ?? matches[0];
    return { leadId: existing?.id ?? '', status: 'duplicate', duplicates: matches };
  }

  const now = deps.clock.now().toISOString();
  const leadId = deps.ids.next();
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
      why: isDuplicate(matches) ? `captured from ${source.id}; ${matches.length} possible duplicate(s), policy ${source.duplicatePolicy}` : `captured from ${source.id}`,
      data: { channel: request.channel, deliveryId },
    },
    delivery: { sourceId: source.id, deliveryId, answer, expiresAt: Math.floor(Date.parse(now) / 1000) + DELIVERY_MEMORY_SECONDS },
    seen: found.holders,
  });
  if (result.written) {
    await deps.workflow.startLifecycle(leadId, { leadId });
    return answer;
  }
  return 'raced' in result ? 'raced' : ensureStarted(deps, result.priorAnswer);
};

/** A redelivery may arrive after the first attempt stored the lead but died before starting it. */
const ensureStarted = async (deps: CaptureDeps, answer: CaptureAnswer): Promise<CaptureAnswer> => {
  if (answer.status === 'created') await deps.workflow.startLifecycle(answer.leadId, { leadId: answer.leadId });
  return answer;
};
