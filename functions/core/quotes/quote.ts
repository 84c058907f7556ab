import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { isCalendarDate } from '../dates';
import { ConflictError, ValidationError, fieldIssuesOf } from '../errors';
import { type BusEvent, type LeadSnapshot, makeEvent } from '../events';
import type { Actor, LeadType, Stage } from '../lead';
import type { LineRequest, QuoteLine, QuoteTotals } from './pricing';

export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'declined', 'expired', 'superseded'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

/** Who the quote goes to: the lead's (or opportunity's) account and contact, as conversion creates or links them. */
export type QuoteCustomer = {
  contactId: string;
  accountId?: string;
  name: string;
  company?: string;
  email?: string;
  country?: string;
};

/** A discount above the sender's limit, approved step by step through a `quote-discount` chain. */
export type QuoteApproval = {
  status: 'pending' | 'approved' | 'rejected';
  chainName: string;
  chainIndex: number;
  stepIndex: number;
  steps: number;
  run: number;
  taskId?: string;
  requestedBy: string;
  requestedAt: string;
  deciders: string[];
  /** The largest line discount asked for, and the sender's own limit, in basis points. */
  maxDiscountBps: number;
  limitBps: number;
  decidedBy?: string;
  comment?: string;
};

/** One version of a quote. Versions of one quote share its number; a sent version never changes again. */
export type Quote = {
  id: string;
  version: number;
  /** Optimistic lock of a draft: every edit is conditional on it. */
  rev: number;
  status: QuoteStatus;
  leadId: string;
  opportunityId?: string;
  owner?: string;
  team?: string;
  segment: { country?: string; leadType: LeadType };
  customer: QuoteCustomer;
  priceBookId?: string;
  currency: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  /** The last day the offer stands (YYYY-MM-DD); it expires at the end of that day, UTC. */
  validUntil: string;
  expiresAt: string;
  terms: string;
  createdAt: string;
  createdBy: Actor;
  updatedAt: string;
  approval?: QuoteApproval | null;
  sentAt?: string;
  sentBy?: string;
  decidedAt?: string;
  decidedBy?: string;
  declineReason?: string;
  pdf?: { key: string; fileName: string; size: number };
  /** The next version that replaced this one. */
  supersededBy?: number;
};

/** `Q-2026-000123`: the year the quote was created and its place in that year's sequence (gap-free). */
export const formatQuoteNumber = (year: number, seq: number): string =>
  `Q-${String(year).padStart(4, '0')}-${String(seq).padStart(6, '0')}`;
export const QUOTE_NUMBER = /^Q-\d{4}-\d{6,}$/;

/** The instant a quote valid until `validUntil` stops being valid: the end of that day, UTC. */
export const expiresAtOf = (validUntil: string): string => `${validUntil}T23:59:59.999Z`;

const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Percent with at most two decimals, taken as integer basis points (12.5 → 1250). */
const percent = lazySchema(() =>
  z
    .number()
    .min(0)
    .max(100)
    .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6, { message: 'at most two decimals' }),
);

const lineSchema = lazySchema(() =>
  z
    .object({
      sku: z.string().min(1).max(40),
      quantity: z.number().int().min(1).max(100_000),
      discountPercent: percent.optional(),
    })
    .strict(),
);

/** The body of a quote's creation or edit. */
export const quoteInputSchema = lazySchema(() =>
  z
    .object({
      lines: z.array(lineSchema).min(1).max(50),
      validUntil: z.string().refine(isCalendarDate, { message: 'must be a calendar date YYYY-MM-DD' }).optional(),
      terms: z.string().trim().max(2000).optional(),
    })
    .strict(),
);
export type QuoteInput = z.infer<typeof quoteInputSchema>;

/** Parses the body and the validity date against today: not in the past, at most a year ahead. */
export const parseQuoteInput = (
  body: unknown,
  today: string,
  defaultValidityDays: number,
): { lines: LineRequest[]; validUntil: string; terms?: string } => {
  const parsed = quoteInputSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  const validUntil = parsed.data.validUntil ?? addDays(today, defaultValidityDays);
  if (validUntil < today) throw new ValidationError([{ field: 'validUntil', reason: 'must not be in the past' }]);
  if (validUntil > addDays(today, 366))
    throw new ValidationError([{ field: 'validUntil', reason: 'must be within a year from today' }]);
  return {
    lines: parsed.data.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      discountBps: Math.round((l.discountPercent ?? 0) * 100),
    })),
    validUntil,
    terms: parsed.data.terms,
  };
};

/** A quote can be made for a lead that is assigned and not disqualified (a Converted lead's quotes go on its opportunity too). */
export const QUOTABLE_STAGES: readonly Stage[] = ['Assigned', 'MarketQualified', 'SalesQualified', 'Converted'];

export const assertQuotable = (lead: { id: string; stage: Stage }) => {
  if (!QUOTABLE_STAGES.includes(lead.stage))
    throw new ConflictError(
      lead.stage === 'Disqualified'
        ? `lead ${lead.id} is disqualified; it cannot be quoted`
        : `lead ${lead.id} is in ${lead.stage}; a quote needs an assigned lead`,
      { stage: lead.stage },
    );
};

export const QUOTE_ACTIONS = ['send', 'accept', 'decline'] as const;
export type QuoteAction = (typeof QUOTE_ACTIONS)[number];

/** Whether a quote version has stopped being valid at `now`. */
export const isPastValidity = (quote: Pick<Quote, 'expiresAt'>, now: Date) =>
  now.getTime() > Date.parse(quote.expiresAt);

/** The state rules: which action each status allows. A sent quote only moves to accepted, declined or expired. */
export const assertAction = (quote: Quote, action: QuoteAction | 'edit' | 'expire', now: Date) => {
  const refuse = (why: string) => {
    throw new ConflictError(`quote ${quote.id} v${quote.version} is ${quote.status}: ${why}`, {
      status: quote.status,
      version: quote.version,
    });
  };
  switch (action) {
    case 'send':
      if (quote.status !== 'draft') refuse('only a draft can be sent');
      if (isPastValidity(quote, now)) refuse(`its validity ended on ${quote.validUntil}; change the date first`);
      return;
    case 'accept':
    case 'decline':
      if (quote.status !== 'sent') refuse(`only a sent quote can be ${action}ed`);
      if (isPastValidity(quote, now)) refuse(`it expired at the end of ${quote.validUntil}`);
      return;
    case 'expire':
      if (quote.status !== 'sent') refuse('only a sent quote expires');
      return;
    case 'edit':
      if (quote.status === 'accepted') refuse('an accepted quote cannot change');
      if (quote.status === 'superseded') refuse(`version ${quote.supersededBy} replaced it`);
      return;
  }
};

/** Bus events of a quote: ids and amounts only (the customer's name and address stay in the table). */
export const quoteEvent = (
  detailType: 'QuoteCreated' | 'QuoteSent' | 'QuoteAccepted' | 'QuoteDeclined' | 'QuoteExpired',
  quote: Quote,
  lead: LeadSnapshot,
  at: string,
  fields: Record<string, unknown> = {},
): BusEvent =>
  makeEvent(detailType, `${quote.id}:${quote.version}:${detailType}`, at, {
    leadId: quote.leadId,
    quoteId: quote.id,
    quoteVersion: quote.version,
    status: quote.status,
    currency: quote.currency,
    totalMinor: quote.totals.totalMinor,
    opportunityId: quote.opportunityId ?? null,
    ...fields,
    lead,
  });
