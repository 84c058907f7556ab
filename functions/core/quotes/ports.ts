import type { Actor, AuditEntry } from '../lead';
import type { Quote } from './quote';

/** Quote versions in the table. Every write is conditional; a lost race throws ConflictError. */
export type QuotesStore = {
  /** One version, or the newest without `version`. */
  get(id: string, version?: number): Promise<Quote | undefined>;
  /** The newest version of every quote of a lead or an opportunity, newest quote first. */
  listFor(owner: { leadId: string } | { opportunityId: string }): Promise<Quote[]>;
  /**
   * Allocates the next number of `year` and stores version 1, in one transaction with the counter
   * (conditional on the value read): no number is skipped or given twice, whatever runs at once.
   */
  create(quote: Omit<Quote, 'id'>, year: number, audit: AuditEntry): Promise<Quote>;
  /** Replaces a version conditional on its `rev` and status; `after.rev` becomes `before.rev + 1`. */
  save(before: Quote, after: Quote, audit: AuditEntry[]): Promise<Quote>;
  /** Stores `next` (version + 1) and marks `before` superseded by it, conditional on `before` unchanged. */
  revise(before: Quote, next: Quote, audit: AuditEntry): Promise<Quote>;
};

/** The account and contact a lead's quote goes to, created or linked as conversion would. */
export type QuoteCustomers = {
  ensureFor(leadId: string, actor: Actor, at: string): Promise<{ contactId: string; accountId?: string }>;
};

/** The customer's PDF: rendered, stored like an attachment, and handed out by a short-lived link. */
export type QuoteDocuments = {
  render(quote: Quote, seller: { terms: string }): Promise<Uint8Array>;
  store(key: string, bytes: Uint8Array): Promise<void>;
  downloadUrl(key: string, fileName: string): Promise<string>;
};

/**
 * The quote e-mailed to the customer through the notification path: locally the outbox records the
 * message with its attachment's name, size, blob key and link; on AWS SES sends the PDF itself
 * (`content`) attached to the mail.
 */
export type QuoteMail = {
  deliver(message: QuoteMailMessage): Promise<'sent' | 'duplicate'>;
};
export type QuoteMailMessage = {
  eventId: string;
  to: string;
  subject: string;
  text: string;
  leadId: string;
  occurredAt: string;
  attachment: { key: string; fileName: string; contentType: string; size: number; link: string; content: Uint8Array };
};

/**
 * Timers of the quote-expiry state machine: one per sent version that expires it at the end of its
 * validity (`arm`), and one per step of a discount approval run that escalates it when overdue (`armApproval`).
 */
export type QuoteTimers = {
  arm(quote: Pick<Quote, 'id' | 'version' | 'expiresAt'>): Promise<void>;
  armApproval(quote: Pick<Quote, 'id' | 'version'>, run: number, step: number): Promise<void>;
};

/** An accepted quote converting its lead through the lifecycle (the lead's own approval chain applies). */
export type LeadConversionOnAccept = {
  convert(request: {
    leadId: string;
    amount: number;
    quoteId: string;
    caller: { userId: string; groups: readonly string[] };
  }): Promise<{ started: boolean; why?: string }>;
};
