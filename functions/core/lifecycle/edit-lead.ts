import { prepareLead } from '../capture-lead';
import { blockMovesOf, type DedupeKey, dedupeKeysOf } from '../dedupe';
import type { Fingerprint } from '../similarity';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { type AuditEntry, type CanonicalLead, canonicalLeadSchema, type Lead } from '../lead';
import { canSee, isManager } from '../lead-access';
import { rescore } from '../scoring/score-events';
import { scoreLead } from '../scoring/score-lead';
import type { ActionPorts, Caller } from './act-on-lead';
import { isWorking } from './transitions';

/** Fields a rep may correct on a lead; provenance (source, channel, delivery) never changes. */
export const EDITABLE_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'jobTitle',
  'website',
  'country',
  'productInterest',
  'leadType',
  'expectedValue',
  'notes',
  'customFields',
  'consent',
] as const;
type Editable = (typeof EDITABLE_FIELDS)[number];

const keyId = (k: DedupeKey) => `${k.on}#${k.value}`;

export type EditPorts = ActionPorts & {
  /**
   * Moves the lead between dedupe key items in the same transaction as the lead write; blocking keys
   * (`on: 'block'`) among `added` are written with `fingerprint`.
   */
  writeWithKeys(
    before: Lead & { taskToken?: string },
    patch: Partial<Lead>,
    audit: AuditEntry[],
    added: DedupeKey[],
    removed: DedupeKey[],
    fingerprint?: Fingerprint,
  ): Promise<Lead>;
};

/**
 * Corrects a lead's fields: validated and normalised like a capture (null clears a field), dedupe
 * lookups moved to the new values, rescored, and `LeadScoreChanged` when the band moves. The lead keeps
 * waiting where it was; only open leads can be edited.
 */
export const editLead = async (
  ports: EditPorts,
  request: { leadId: string; changes: Record<string, unknown>; caller: Caller },
) => {
  const { leadId, changes, caller } = request;
  const lead = await ports.leads.get(leadId);
  if (!lead || !canSee(caller, lead)) throw new NotFoundError('lead', leadId);
  if (lead.owner && lead.owner !== caller.userId && !isManager(caller))
    throw new ForbiddenError(`only the owner (${lead.owner}) or a manager may edit this lead`);
  if (!isWorking(lead.stage) && lead.stage !== 'Creation')
    throw new ConflictError(`a ${lead.stage} lead can no longer be edited`, { stage: lead.stage });
  const unknown = Object.keys(changes).filter((k) => !(EDITABLE_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new ValidationError(
      unknown.map((field) => ({ field, reason: `not editable; editable fields: ${EDITABLE_FIELDS.join(', ')}` })),
    );
  const shape = canonicalLeadSchema.unwrap().shape;
  const current: Record<string, unknown> = Object.fromEntries(
    Object.keys(shape).flatMap((k) => (lead[k as keyof Lead] === undefined ? [] : [[k, lead[k as keyof Lead]]])),
  );
  const merged: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  // A stored consent time is not judged again; one the edit sends is.
  const normalised = prepareLead(merged, 'consent' in changes ? ports.clock.now() : undefined);
  const changed = EDITABLE_FIELDS.filter(
    (f: Editable) => JSON.stringify(normalised[f as keyof CanonicalLead]) !== JSON.stringify(lead[f as keyof Lead]),
  );
  if (changed.length === 0) return lead;
  const now = ports.clock.now();
  const at = now.toISOString();
  const patch: Partial<Lead> = {};
  for (const f of EDITABLE_FIELDS) (patch as Record<string, unknown>)[f] = normalised[f as keyof CanonicalLead];
  Object.assign(patch, {
    emailDomain: normalised.emailDomain,
    companyDomain: normalised.companyDomain,
    freeMail: normalised.freeMail,
    leadType: normalised.leadType ?? lead.leadType,
  });
  const oldKeys = dedupeKeysOf(lead);
  const newKeys = dedupeKeysOf(normalised);
  // The blocking keys follow too: the lead leaves those of its old name and company and is listed,
  // with its new fingerprint, on those of the new ones (fuzzy matches find it as it is now).
  const block = blockMovesOf(lead.id, lead, normalised);
  const added = [...newKeys.filter((k) => !oldKeys.some((o) => keyId(o) === keyId(k))), ...block.added];
  const removed = [...oldKeys.filter((k) => !newKeys.some((n) => keyId(n) === keyId(k))), ...block.removed];
  const scoring = await ports.config.scoring();
  const score = scoreLead({ ...lead, ...patch }, scoring.config.value, scoring.model, scoring.config.version);
  const rescored = rescore(lead, score, at);
  const audit = [
    {
      at,
      actor: { kind: 'user' as const, id: caller.userId, source: 'API' as const },
      action: 'edited',
      why: `changed ${changed.join(', ')}`,
      data: { fields: changed },
    },
    ...(rescored.moved ? [rescored.audit] : []),
  ];
  const after = await ports.writeWithKeys(
    lead,
    { ...patch, ...rescored.patch },
    audit,
    added,
    removed,
    block.fingerprint,
  );
  await ports.publisher.publish(rescored.events);
  return after;
};
