import { keys } from '../functions/adapters/keys';
import { leadItem } from '../functions/adapters/lead-item';
import { prepareLead } from '../functions/core/capture-lead';
import { type DedupeKey, dedupeKeysOf } from '../functions/core/dedupe';
import type { Lead } from '../functions/core/lead';

const FIRST = ['Ann', 'Bob', 'Chen', 'Dana', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kofi', 'Lena'];
const LAST = ['Meyer', 'Smith', 'Okafor', 'Rossi', 'Novak', 'Tanaka', 'Silva', 'Dubois', 'Kowalski', 'Nguyen'];
const FREE_MAIL = ['gmail.com', 'outlook.com', 'yahoo.com'];
const COUNTRIES = ['DE', 'US', 'FR', 'GB', 'AT', 'CH', 'NL'];
/** Leads per company: several people from one company share its domain key, as in real lists. */
const PER_COMPANY = 8;

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

/**
 * A realistic canonical lead, deterministic in `(run, i)`: ~70 % business email with a company
 * domain shared by a few leads, ~30 % free-mail, a valid Berlin phone number, UTM and consent.
 */
export const benchPayload = (run: string, i: number) => {
  const company = Math.floor(i / PER_COMPANY);
  const free = i % 10 < 3;
  const domain = free ? pick(FREE_MAIL, i) : `${run}-co${company}.example`;
  const first = pick(FIRST, i);
  const last = pick(LAST, i * 7);
  return {
    firstName: first,
    lastName: last,
    email: `${first}.${last}.${run}.${i}@${domain}`.toLowerCase(),
    phone: `+49 30 ${String(20_000_000 + (hashOf(run) % 1_000_000) * 50 + i).slice(-8)}`,
    company: free ? undefined : `Company ${company} of ${run}`,
    jobTitle: pick(['Head of Sales', 'CTO', 'Buyer', 'Marketing Manager'], i),
    country: pick(COUNTRIES, i),
    campaign: 'bench-campaign',
    utm: { source: 'newsletter', medium: 'email', campaign: 'bench-campaign' },
    consent: { marketing: i % 2 === 0, capturedAt: '2026-11-01T09:00:00Z' },
    customFields: { segment: pick(['smb', 'mid', 'enterprise'], i) },
  };
};

function hashOf(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

/**
 * The items `captureLead` would have written for one lead (lead, audit entry, delivery record) plus
 * its dedupe keys, built through the repository's own key builders and item shape, so a seeded table
 * looks like one filled by real captures. Domain keys shared by several leads are merged by `seedItems`.
 */
export const seededLead = (run: string, i: number, at = new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString()) => {
  const normalised = prepareLead(benchPayload(run, i));
  const id = `${run.toUpperCase()}${String(i).padStart(8, '0')}`;
  const deliveryId = `seed-${run}-${i}`;
  const actor = { kind: 'source', id: 'campaign-demo', source: 'WEBHOOK' } as const;
  const lead: Lead = {
    ...normalised,
    id,
    version: 1,
    stage: 'Creation',
    leadType: normalised.leadType ?? 'B2C',
    channel: 'WEBHOOK',
    sourceId: 'campaign-demo',
    deliveryId,
    createdAt: at,
    updatedAt: at,
    createdBy: actor,
    duplicates: [],
    duplicatePolicy: 'create',
    stageEnteredAt: at,
    followers: [],
  };
  const answer = { leadId: id, status: 'created', duplicates: [] };
  return {
    lead,
    dedupeKeys: dedupeKeysOf(normalised),
    items: [
      leadItem(lead),
      {
        ...keys.audit(id, at, '0000'),
        type: 'audit',
        leadId: id,
        at,
        actor,
        action: 'created',
        to: 'Creation',
        why: 'captured from campaign-demo',
        data: { channel: 'WEBHOOK', deliveryId },
      },
      {
        ...keys.delivery('campaign-demo', deliveryId),
        type: 'delivery',
        answer,
        expiresAt: Math.floor(Date.parse(at) / 1000) + 7 * 24 * 3600,
      },
    ] as Record<string, unknown>[],
  };
};

/**
 * Every item for leads [from, to): the lead and one item per dedupe key holding all its lead ids —
 * what a duplicate check and a capture look up. Audit entries (another sort key under the lead) and
 * delivery records (gone after a week, TTL) are left out unless asked for, to keep seeding 50,000
 * leads on DynamoDB Local within the bench's time.
 */
export const seedItems = (
  run: string,
  from: number,
  to: number,
  { audit = false, deliveries = false, total = to, spanDays = 30 } = {},
) => {
  const items: Record<string, unknown>[] = [];
  const keyHolders = new Map<string, { key: DedupeKey; ids: string[] }>();
  const leads: Lead[] = [];
  for (let i = from; i < to; i++) {
    // Spread over the same days whatever the count, so a report over those days sees more leads, not more days.
    const seeded = seededLead(
      run,
      i,
      new Date(SEED_START + Math.floor((i * spanDays * 86_400_000) / total)).toISOString(),
    );
    leads.push(seeded.lead);
    const [lead, auditEntry, delivery] = seeded.items;
    items.push(
      ...[lead, audit ? auditEntry : undefined, deliveries ? delivery : undefined].filter(
        (i): i is Record<string, unknown> => i !== undefined,
      ),
    );
    for (const key of seeded.dedupeKeys) {
      const pk = keys.dedupe(key).pk;
      const holder = keyHolders.get(pk) ?? { key, ids: [] };
      holder.ids.push(seeded.lead.id);
      keyHolders.set(pk, holder);
    }
  }
  for (const { key, ids } of keyHolders.values()) {
    items.push({ ...keys.dedupe(key), type: 'dedupe-key', on: key.on, value: key.value, leadIds: new Set(ids) });
  }
  return { items, leads };
};

/** The first day seeded leads are spread from. */
export const SEED_START = Date.UTC(2026, 9, 1);
