import * as z from 'zod';
import { lazySchema } from './lazy-schema';
import { nfc, WELL_FORMED } from './text';

export const STAGES = [
  'Creation',
  'Assigned',
  'MarketQualified',
  'SalesQualified',
  'Converted',
  'Disqualified',
] as const;
export type Stage = (typeof STAGES)[number];
export const OPEN_STAGES: readonly Stage[] = ['Creation', 'Assigned', 'MarketQualified', 'SalesQualified'];

export const CHANNELS = ['WEBHOOK', 'FORM', 'API', 'IMPORT', 'CHATBOT'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who changed something, and through which door (ActorMetadata). */
export type Actor = {
  kind: 'user' | 'system' | 'source';
  id: string;
  source: 'API' | 'WEBHOOK' | 'FORM' | 'IMPORT' | 'CHATBOT' | 'WORKFLOW';
};

export const LEAD_TYPES = ['B2B', 'B2C'] as const;
export type LeadType = (typeof LEAD_TYPES)[number];

// Control characters have no place in a name or a title; they are how log and CSV injection start.
const hasControlCharacter = (value: string) =>
  [...value].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') || code === 0x7f;
  });
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !hasControlCharacter(v), { message: 'must not contain control characters' })
    .refine(...WELL_FORMED)
    .transform(nfc);
/** Free text (notes, custom fields): any characters a person types, as well-formed Unicode in NFC. */
const freeText = (max: number) =>
  z
    .string()
    .max(max)
    .refine(...WELL_FORMED)
    .transform(nfc);

/** The canonical lead every source adapter produces. */
export const canonicalLeadSchema = lazySchema(() =>
  z
    .object({
      firstName: text(100).optional(),
      lastName: text(100).optional(),
      email: z.string().trim().max(254).email({ message: 'not a valid email address' }).optional(),
      phone: z.string().trim().min(3).max(40).optional(),
      company: text(200).optional(),
      jobTitle: text(200).optional(),
      website: text(500).optional(),
      country: z
        .string()
        .trim()
        .regex(/^[A-Za-z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code' })
        .transform((value) => value.toUpperCase())
        .optional(),
      campaign: text(200).optional(),
      productInterest: text(200).optional(),
      leadType: z.enum(LEAD_TYPES).optional(),
      expectedValue: z.number().nonnegative().max(1e12).optional(),
      utm: z
        .object({
          source: text(200).optional(),
          medium: text(200).optional(),
          campaign: text(200).optional(),
          term: text(200).optional(),
          content: text(200).optional(),
        })
        .strict()
        .optional(),
      consent: z
        .object({
          marketing: z.boolean(),
          capturedAt: z.iso.datetime({ offset: true }).optional(),
          /** The version of the wording the person agreed to (e.g. "newsletter-2026-03"): the proof regulators ask for. */
          textVersion: text(100).optional(),
          /** The wording itself, when the sender has no versioned texts. */
          text: freeText(2000).optional(),
        })
        .strict()
        .optional(),
      notes: freeText(5000).optional(),
      customFields: z
        .record(z.string().min(1).max(100), freeText(2000))
        .refine((fields) => Object.keys(fields).length <= 100, { message: 'at most 100 custom fields' })
        .optional(),
    })
    .strict()
    .refine((lead) => Boolean(lead.email || lead.phone), {
      message: 'at least one of email or phone is required',
      path: ['email'],
    }),
);

export type CanonicalLead = z.infer<typeof canonicalLeadSchema>;

export type DuplicateMatch = {
  kind: 'lead' | 'contact' | 'account';
  id: string;
  /** An exact key, or `similarity` for a fuzzy match found through a blocking key. */
  matchedOn: 'email' | 'phone' | 'domain' | 'similarity';
  /** The key's value; for a similarity match, the matched fields joined by "+". */
  value: string;
  /** 0…1; an exact email/phone match is 1, a domain match carries none. */
  score?: number;
  /** The fields that agree (name, company, phone, email, domain). */
  fields?: string[];
};

export type DuplicatePolicy = 'reject' | 'create' | 'associate';

export type ScoreFactor = { points: number; reason: string };

export type AuditEntry = {
  at: string;
  actor: Actor;
  action: string;
  from?: Stage | null;
  to?: Stage | null;
  why?: string;
  data?: Record<string, unknown>;
};

/** A stored lead: the canonical fields normalised, plus what leadflow knows about it. */
export type Lead = CanonicalLead & {
  id: string;
  version: number;
  stage: Stage;
  leadType: LeadType;
  channel: Channel;
  sourceId: string;
  deliveryId: string;
  createdAt: string;
  updatedAt: string;
  createdBy: Actor;
  emailDomain?: string;
  companyDomain?: string;
  freeMail?: boolean;
  duplicates: DuplicateMatch[];
  duplicatePolicy: DuplicatePolicy;
  associatedAccountId?: string;
  associatedContactId?: string;
  owner?: string;
  team?: string;
  assignment?: { ruleVersion: number; ruleIndex: number | null; explanation: string; at: string };
  score?: number;
  scoreBand?: 'A' | 'B' | 'C' | 'D';
  scoreFactors?: ScoreFactor[];
  scoreModel?: string;
  /** Consent now, per purpose (the latest record of POST /leads/{id}/consents); the capture's own is `consent`. */
  consents?: Record<string, { granted: boolean; at: string; recordId: string }>;
  /** Set when the person's data was erased (the lead stays counted, not named). */
  erased?: { at: string; erasureId: string };
  /** Behaviour recorded after capture, counted per type ("form-revisit": 2, "email-reply": 1); scoring rules read it. */
  behaviour?: Record<string, number>;
  stageEnteredAt: string;
  stageDeadline?: string;
  escalations?: number;
  opportunityId?: string;
  contactId?: string;
  accountId?: string;
  disqualifyReason?: string;
  followers?: string[];
  failure?: { at: string; error: string; cause: string } | null;
  parked?: boolean;
  approvalRuns?: number;
  /** One-way hash of the capture's body, when its source treats an identical body as the same delivery. */
  sameBodyHash?: string;
  /** A merged lead is a tombstone: it points to the lead it was merged into (GET answers 307 there). */
  mergedInto?: string;
  mergedAt?: string;
  mergeId?: string;
  /** On a survivor: the merges it took leads from (their feeds and items stay readable through it; undo names them). */
  mergedFrom?: { mergeId: string; leadIds: string[]; at: string; names?: Record<string, string> }[];
  /** Later leads that matched this one as a person at their capture (so lists flag the earlier lead of a pair too). */
  matchedBy?: string[];
  /** Leads sales ops marked "not a duplicate" of this one: never listed or flagged as its duplicates again. */
  notDuplicates?: string[];
  /** Where the execution goes after the action that consumed the current wait (for a timer that lost the race). */
  pendingNext?: {
    next: 'begin' | 'wait' | 'approve' | 'await-approval' | 'convert' | 'to-contact' | 'end' | 'outcome' | 'hand-over';
    timeoutSeconds: number;
  } | null;
  /** The steps of the stage the lead is in (opened by the lifecycle as it entered the stage). */
  steps?: { stage: Stage; items: StepState[] } | null;
  /** Every step outcome so far, in every stage: qualification criteria read them. */
  stepOutcomes?: { stepId: string; stage: Stage; step: string; outcome: string; at: string }[];
  approval?: {
    run: number;
    chainIndex: number;
    chainName: string;
    stepIndex: number;
    taskId?: string;
    /** Who asked for this conversion; with `deciders`, who may not decide its steps (four eyes). */
    requestedBy?: string;
    /** Who approved the earlier steps of this run. */
    deciders?: string[];
    /** When the conversion asked for approval, until the first task opens. */
    requestedAt?: string;
  } | null;
  /** Waiting in nurture (stage Disqualified, no execution): why, since when, and when it comes back. */
  nurture?: Nurture | null;
  /** How many times the lead came back from nurture; names its executions (`<leadId>-r<n>`). */
  recycles?: number;
  /**
   * Something a timer must do for a lead that holds no execution: a recycle from nurture, or an
   * execution start that hit the account's open-execution limit. Indexed sparsely (byDue) and fired
   * by the one scheduled sweep; absent when nothing is due.
   */
  due?: Due | null;
  /** The lead's live execution: its name, its generation, and how many wait loops it has run. */
  execution?: ExecutionRecordOfLead | null;
};

export type Nurture = {
  reason: string;
  since: string;
  recycleAt: string;
  /** New activity (an activity recorded, a form revisit) brings it back at once. */
  onActivity: boolean;
  convertToContact: boolean;
  /** Set when an activity woke it before `recycleAt`. */
  wokenAt?: string;
};

export type Due = {
  at: string;
  kind: 'recycle' | 'start';
  /** For `start`: the execution to start, and its input. */
  execution?: { name: string; input: Record<string, unknown> };
  /** Starts refused by the open-execution limit so far (for the back-off). */
  attempts?: number;
};

export type ExecutionRecordOfLead = {
  name: string;
  /** Increases with every hand-over, never reused: successors are named `<leadId>-g<generation>`. */
  generation: number;
  startedAt?: string;
  loops: number;
  /** The execution that started this one (a hand-over), for the audit. */
  from?: string;
  /** Set when this execution ended with the lead in a working stage and nothing to time (parked): the lead holds no execution. */
  endedAt?: string;
  /** Where a fresh execution of a woken lead enters (the waking action's next step); cleared at its first wait. */
  entry?: 'begin' | 'wait' | 'approve' | 'await-approval' | 'convert' | 'to-contact' | 'end' | 'outcome' | 'hand-over';
  /**
   * When the rep wait whose token the lead holds times out at the latest (armed at + its timeout), written
   * with the token: an action whose new deadline is not earlier leaves the execution asleep (quiet-action.ts).
   */
  waitUntil?: string;
};

/** One step of a stage as the lead carries it (the task item in the table is its assignee's copy). */
export type StepState = {
  id: string;
  name: string;
  kind: 'call' | 'email' | 'meeting' | 'task' | 'review';
  required: boolean;
  /** `user:<id>` or `team:<id>`. */
  assignee: string;
  dueAt: string;
  outcomes: string[];
  status: 'open' | 'done' | 'cancelled';
  outcome?: string;
  completedAt?: string;
  completedBy?: string;
  /** The workflow took the action this outcome maps to. */
  applied?: boolean;
  /** When the due sweep announced it overdue (StepOverdue), once. */
  overdueAt?: string;
};
