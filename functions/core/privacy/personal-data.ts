/**
 * Every kind of record that can hold a person's data, in one registry: where an erasure or an export
 * finds it, what an erasure does to it, and what an export shows of it. Pure: records are plain
 * objects (the stored item without its storage keys); the privacy adapter finds them by `locate` and
 * writes back what `erase` answers. A new kind of record plugs in with one entry here (and, if it is
 * found in a new way, one new `Locator` the adapter learns to follow).
 */

export type PersonalRecord = Record<string, unknown>;

/** The identifiers of the person being erased or exported, collected from the request and their records. */
export type PersonValues = {
  emails: string[];
  phones: string[];
  /** Names, companies, titles and other free values of the person, to scrub wherever they were copied. */
  texts: string[];
};

export type ErasureContext = { erasureId: string; at: string; person: PersonValues };

/** What an erasure does to one record: delete it, replace it with a pseudonymised copy, or leave it. */
export type Erasure = { action: 'delete' } | { action: 'replace'; record: PersonalRecord } | { action: 'keep' };

/**
 * How a kind of record is found from a person:
 * - `lead-partition`: on a found lead's own partition (the lead, its feed, attachments, activities, …);
 * - `person-key`: the dedupe lookup items of the person's e-mail and phone (and the company domain's, to unlink);
 * - `lead-delivery`: the capture delivery record the lead names (`sourceId`, `deliveryId`);
 * - `lead-link`: a record whose id the lead holds in `field` (contact, account, opportunity);
 * - `lead-field`: records in a shared partition that name the lead in `field` (outbox messages);
 * - `lead-tasks`: the lead's approval tasks (their ids follow from the lead's id and approval runs);
 * - `import-job`: rows of import jobs the person's leads came from or were refused as duplicates of
 *   (`import-ref` pointers on the lead), accepted and rejected;
 * - `lead-audit`: records a lead's audit entries point at (`data.<field>`), such as earlier exports;
 * - `lead-quotes`: every version of the quotes the lead's `QUOTE#<id>` links name (`QUOTE#<id>` partitions),
 *   and the approval tasks those versions opened;
 * - `lead-merges`: merge records (`MERGE#<id>`) the lead took part in (its `mergeId`, `mergedFrom`, and
 *   the merge ids its audit entries name).
 */
export type Locator =
  | { by: 'lead-partition' }
  | { by: 'person-key' }
  | { by: 'lead-delivery' }
  | {
      by: 'lead-link';
      field: 'contactId' | 'associatedContactId' | 'accountId' | 'associatedAccountId' | 'opportunityId';
    }
  | { by: 'lead-field'; partition: 'OUTBOX'; field: 'leadId' }
  | { by: 'lead-tasks' }
  | { by: 'import-job' }
  | { by: 'lead-audit'; action: string; field: string }
  | { by: 'lead-quotes' }
  | { by: 'lead-merges' };

export type PersonalRecordKind = {
  /** The stored item's `type`. */
  type: string;
  /** What a person reads in an export (and a DPO in the docs). */
  label: string;
  locate: Locator;
  erase: (record: PersonalRecord, ctx: ErasureContext) => Erasure;
  /** The record as an export shows it; undefined leaves it out of exports (it holds nothing of the person). */
  export?: (record: PersonalRecord) => PersonalRecord | undefined;
  /** Object keys (blobs) the record points at, removed with it. */
  blobs?: (record: PersonalRecord) => string[];
};

export const ERASED = '[erased]';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Values worth scrubbing: long enough that replacing them cannot mangle unrelated text. */
const needlesOf = (person: PersonValues) =>
  [...person.emails, ...person.phones, ...person.texts]
    .map((v) => v.trim())
    .filter((v) => v.length >= 3)
    .sort((a, b) => b.length - a.length);

/**
 * Fields that hold storage keys, ids, kinds and actions, never a person's words: a person called
 * "Lead" or "Rob" must not turn a key into another item's or a user id into `[erased]`.
 */
const STRUCTURAL_FIELDS = new Set([
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'type',
  'kind',
  'id',
  'leadId',
  'action',
  'actor',
  'stage',
  'from',
  'to',
  'source',
  'sourceId',
  'channel',
  'owner',
  'team',
]);

/**
 * Replaces every occurrence of the person's values in any string of a record, however deep, with
 * `[erased]` (case-insensitive). The safety net under every pseudonymised record: a name copied into an
 * opportunity's title or a message's subject goes too. Keys, ids and kinds (STRUCTURAL_FIELDS) are left as they are.
 */
export const scrub = <T>(value: T, person: PersonValues): T => {
  const needles = needlesOf(person);
  if (needles.length === 0) return value;
  const pattern = new RegExp(needles.map(escapeRegExp).join('|'), 'giu');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, ERASED);
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Set) return new Set([...v].map(walk));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, STRUCTURAL_FIELDS.has(k) ? x : walk(x)]));
    return v;
  };
  return walk(value) as T;
};

/** True when any string of the record still holds one of the person's values. */
export const mentions = (value: unknown, person: PersonValues): boolean =>
  JSON.stringify(scrub(value, person)) !== JSON.stringify(value);

const without = (record: PersonalRecord, fields: readonly string[]): PersonalRecord =>
  Object.fromEntries(Object.entries(record).filter(([k]) => !fields.includes(k)));

const replace = (record: PersonalRecord, ctx: ErasureContext): Erasure => ({
  action: 'replace',
  record: scrub(record, ctx.person),
});

/** The fields of a lead that describe the person; everything else (stage, owner, score, ids, times) stays for reports. */
export const LEAD_PERSONAL_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'jobTitle',
  'website',
  'notes',
  'customFields',
  'consent',
  'consents',
  'emailDomain',
  'companyDomain',
  'scoreFactors',
] as const;

const eraseLead = (lead: PersonalRecord, ctx: ErasureContext): Erasure => {
  const kept = without(lead, [...LEAD_PERSONAL_FIELDS, 'utm', 'taskToken', 'stageDeadline']);
  const utm = lead.utm as Record<string, unknown> | undefined;
  const assignment = lead.assignment as Record<string, unknown> | undefined;
  return replace(
    {
      ...kept,
      // The campaign a lead came from is counted by reports; its search term and content may be the person's words.
      ...(utm ? { utm: { source: utm.source, medium: utm.medium, campaign: utm.campaign } } : {}),
      duplicates: ((lead.duplicates as PersonalRecord[] | undefined) ?? []).map(({ value: _v, ...m }) => m),
      ...(assignment ? { assignment: { ...assignment, explanation: ERASED } } : {}),
      erased: { at: ctx.at, erasureId: ctx.erasureId },
    },
    ctx,
  );
};

/** An audit entry keeps its shape (when, who, what kind of change, from and to which stage), never its values. */
const eraseAudit = (entry: PersonalRecord, ctx: ErasureContext): Erasure => {
  if (entry.action === 'personal-data-erased') return { action: 'keep' };
  const { why: _why, data, ...rest } = entry;
  const ids = Object.fromEntries(
    Object.entries((data as PersonalRecord | undefined) ?? {}).filter(
      ([k, v]) => /Id$/.test(k) && typeof v === 'string',
    ),
  );
  return replace({ ...rest, ...(Object.keys(ids).length ? { data: ids } : {}), redacted: true }, ctx);
};

const stripTable = (r: PersonalRecord) => without(r, ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'taskToken']);

/**
 * A quote version's PDF: the key it records, and the key a send writes before recording it
 * (`leads/<leadId>/quotes/<id>-v<n>.pdf`, functions/core/quotes/quote-service.ts), so a PDF whose
 * save was lost goes too.
 */
export const quotePdfKeys = (r: PersonalRecord): string[] => {
  const keys = new Set<string>();
  const pdf = r.pdf as PersonalRecord | undefined;
  if (typeof pdf?.key === 'string') keys.add(pdf.key);
  if (typeof r.leadId === 'string' && typeof r.id === 'string' && typeof r.version === 'number')
    keys.add(`leads/${r.leadId}/quotes/${r.id}-v${r.version}.pdf`);
  return [...keys];
};

/** Audit actions this module writes (the tombstone says that an erasure happened, never what was erased). */
export const ERASURE_AUDIT_ACTION = 'personal-data-erased';
export const EXPORT_AUDIT_ACTION = 'personal-data-exported';

export const PERSONAL_RECORD_KINDS: readonly PersonalRecordKind[] = [
  { type: 'lead', label: 'leads', locate: { by: 'lead-partition' }, erase: eraseLead, export: stripTable },
  { type: 'audit', label: 'audit', locate: { by: 'lead-partition' }, erase: eraseAudit, export: stripTable },
  {
    type: 'note',
    label: 'notes',
    locate: { by: 'lead-partition' },
    // The feed keeps a note-shaped entry (who, when) so the lead's history reads the same; the words go.
    erase: (entry, ctx) => {
      const note = entry.note as PersonalRecord;
      return replace(
        {
          ...without(entry, ['data']),
          data: { noteId: note.id },
          note: { id: note.id, leadId: note.leadId, at: note.at, text: ERASED },
          redacted: true,
        },
        ctx,
      );
    },
    export: stripTable,
  },
  { type: 'note-request', label: 'notes', locate: { by: 'lead-partition' }, erase: () => ({ action: 'delete' }) },
  {
    type: 'attachment-meta',
    label: 'attachments',
    locate: { by: 'lead-partition' },
    erase: () => ({ action: 'delete' }),
    export: (r) => without(stripTable(r), ['objectKey']),
    blobs: (r) => (typeof r.objectKey === 'string' ? [r.objectKey] : []),
  },
  {
    type: 'attachment',
    label: 'attachments',
    locate: { by: 'lead-partition' },
    erase: (entry, ctx) => {
      const attachment = entry.attachment as PersonalRecord;
      return replace(
        {
          ...without(entry, ['data']),
          data: { attachmentId: attachment.id },
          attachment: { ...attachment, fileName: ERASED },
          redacted: true,
        },
        ctx,
      );
    },
  },
  {
    type: 'activity',
    label: 'activities',
    locate: { by: 'lead-partition' },
    // The count and kind of activity feed the score and reports; its subject, body and addresses go.
    erase: (r, ctx) => {
      const kept = ['pk', 'sk', 'type', 'leadId', 'activityId', 'activityType', 'occurredAt', 'recordedAt', 'count'];
      return replace(
        { ...Object.fromEntries(Object.entries(r).filter(([k]) => kept.includes(k))), redacted: true },
        ctx,
      );
    },
    export: stripTable,
  },
  {
    type: 'consent',
    label: 'consents',
    locate: { by: 'lead-partition' },
    // The proof of consent is the person's data: erased with them (a DPO keeps the erasure tombstone instead).
    erase: () => ({ action: 'delete' }),
    export: stripTable,
  },
  {
    type: 'dedupe-key',
    label: 'lookup keys',
    locate: { by: 'person-key' },
    // The adapter removes the erased leads and the erased contact from the item; an item left holding
    // nobody is deleted (its value is the person's e-mail or phone) and a suppression hash stands for it.
    erase: () => ({ action: 'delete' }),
  },
  {
    type: 'delivery',
    label: 'capture deliveries',
    locate: { by: 'lead-delivery' },
    // Kept so a replayed webhook still answers the first result instead of capturing the person again.
    erase: (r, ctx) => {
      const answer = r.answer as PersonalRecord | undefined;
      const duplicates = (answer?.duplicates as PersonalRecord[] | undefined)?.map(({ value: _v, ...m }) => m);
      return replace(
        { ...r, ...(answer ? { answer: { ...answer, ...(duplicates ? { duplicates } : {}) } } : {}) },
        ctx,
      );
    },
  },
  {
    type: 'contact',
    label: 'contacts',
    locate: { by: 'lead-link', field: 'contactId' },
    erase: () => ({ action: 'delete' }),
    export: stripTable,
  },
  {
    type: 'contact',
    label: 'contacts',
    locate: { by: 'lead-link', field: 'associatedContactId' },
    erase: () => ({ action: 'delete' }),
    export: stripTable,
  },
  {
    type: 'account',
    label: 'accounts',
    locate: { by: 'lead-link', field: 'accountId' },
    // A company stays (others work with it); the adapter unlinks the erased contact, the scrub takes a copied name.
    erase: replace,
  },
  {
    type: 'opportunity',
    label: 'opportunities',
    locate: { by: 'lead-link', field: 'opportunityId' },
    // Amounts and stages stay for the pipeline; text copied from the lead goes.
    erase: (r, ctx) => {
      const fields = Object.fromEntries(
        Object.entries((r.fields as PersonalRecord | undefined) ?? {}).filter(([, v]) => typeof v !== 'string'),
      );
      return replace({ ...without(r, ['contactId']), fields, name: `Opportunity ${String(r.id)}` }, ctx);
    },
    export: stripTable,
  },
  {
    type: 'outbox',
    label: 'notifications sent',
    locate: { by: 'lead-field', partition: 'OUTBOX', field: 'leadId' },
    erase: () => ({ action: 'delete' }),
    export: stripTable,
  },
  {
    type: 'approval-task',
    label: 'approval tasks',
    locate: { by: 'lead-tasks' },
    // An open task is cancelled (it leaves the approvers' inboxes); its decision comment may quote the person.
    erase: (r, ctx) =>
      replace(
        {
          ...without(r, ['comment', ...(r.status === 'open' ? ['gsi3pk', 'gsi3sk'] : [])]),
          ...(r.status === 'open' ? { status: 'cancelled' } : {}),
        },
        ctx,
      ),
    export: stripTable,
  },
  {
    type: 'import-row',
    label: 'import rows',
    locate: { by: 'import-job' },
    erase: (r, ctx) => {
      const duplicates = (r.duplicates as PersonalRecord[] | undefined)?.map(({ value: _v, ...m }) => m);
      return replace({ ...without(r, ['values']), ...(duplicates ? { duplicates } : {}) }, ctx);
    },
  },
  {
    type: 'import-ref',
    label: 'import rows',
    locate: { by: 'lead-partition' },
    // The pointer from a lead to an import row refused as its duplicate: followed (import-job), then dropped.
    erase: () => ({ action: 'delete' }),
  },
  {
    type: 'import-rejected',
    label: 'rejected import rows',
    locate: { by: 'import-job' },
    // A rejected row is the person's raw values: it goes (the job's counters keep counting it).
    erase: () => ({ action: 'delete' }),
    export: stripTable,
  },
  {
    type: 'privacy-export',
    label: 'subject-access exports',
    locate: { by: 'lead-audit', action: EXPORT_AUDIT_ACTION, field: 'exportId' },
    erase: (r, ctx) => ({ action: 'replace', record: { ...r, objectKeys: [], erasedAt: ctx.at } }),
    blobs: (r) => (Array.isArray(r.objectKeys) ? (r.objectKeys as string[]) : []),
  },
  {
    type: 'quote',
    label: 'quotes',
    locate: { by: 'lead-quotes' },
    // Numbers, lines, amounts, currency, status and dates stay (reports and the yearly sequence stay exact);
    // the customer's name and e-mail, a decline reason in their words, and the PDF (blob deleted) go.
    erase: (r, ctx) => {
      const customer = (r.customer as PersonalRecord | undefined) ?? {};
      return replace(
        {
          ...without(r, ['pdf', 'declineReason']),
          customer: { ...without(customer, ['name', 'email']), name: ERASED },
          redacted: true,
        },
        ctx,
      );
    },
    export: (r) => {
      const pdf = r.pdf as PersonalRecord | undefined;
      return {
        ...without(stripTable(r), ['pdf']),
        ...(pdf ? { pdf: { fileName: pdf.fileName, size: pdf.size } } : {}),
      };
    },
    blobs: quotePdfKeys,
  },
  {
    type: 'merge',
    label: 'merges',
    locate: { by: 'lead-merges' },
    // The merge stays countable (who, when, which leads, which field came from which lead); the undo data —
    // both survivor snapshots and the dedupe keys it added, the person's values — goes, so it cannot be undone.
    erase: (r, ctx) =>
      r.erased
        ? { action: 'keep' }
        : replace(
            {
              ...without(r, ['survivorBefore', 'survivorAfter', 'keysAdded']),
              erased: { at: ctx.at, erasureId: ctx.erasureId },
            },
            ctx,
          ),
    export: (r) => without(stripTable(r), ['expiresAt']),
  },
];

/** Registry entries by the stored item's `type`. */
export const kindsOfType = (type: unknown): PersonalRecordKind[] =>
  PERSONAL_RECORD_KINDS.filter((k) => k.type === type);

/** What an erasure does to a record found by the adapter; a record of no registered kind is scrubbed. */
export const erasureOf = (record: PersonalRecord, ctx: ErasureContext): Erasure => {
  const kind = kindsOfType(record.type)[0];
  const answer = kind ? kind.erase(record, ctx) : replace(record, ctx);
  if (answer.action === 'replace' && JSON.stringify(answer.record) === JSON.stringify(record))
    return { action: 'keep' };
  return answer;
};

/** The person's values found on their leads (the request may name only one of them). */
export const personValuesOf = (
  leads: readonly PersonalRecord[],
  requested: { email?: string; phone?: string } = {},
): PersonValues => {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const texts = new Set<string>();
  if (requested.email) emails.add(requested.email);
  if (requested.phone) phones.add(requested.phone);
  for (const lead of leads) {
    if (typeof lead.email === 'string') emails.add(lead.email);
    if (typeof lead.phone === 'string') phones.add(lead.phone);
    const first = typeof lead.firstName === 'string' ? lead.firstName : undefined;
    const last = typeof lead.lastName === 'string' ? lead.lastName : undefined;
    if (first && last) texts.add(`${first} ${last}`);
    for (const v of [first, last, lead.jobTitle, lead.website, lead.notes])
      if (typeof v === 'string' && v.trim().length >= 3) texts.add(v);
    for (const v of Object.values((lead.customFields as Record<string, unknown> | undefined) ?? {}))
      if (typeof v === 'string' && v.trim().length >= 3) texts.add(v);
    // A B2C lead's company is often the person's own name; a B2B company is not personal and stays on the account.
    if (lead.leadType === 'B2C' && typeof lead.company === 'string') texts.add(lead.company);
  }
  // A local part (jane.doe of jane.doe@x) is often copied into names and file names.
  for (const e of emails) {
    const local = e.split('@')[0] ?? '';
    if (local.length >= 4) texts.add(local);
  }
  return { emails: [...emails], phones: [...phones], texts: [...texts] };
};
