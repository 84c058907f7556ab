import type { DetailType } from '../events';
import type { NotifiableEvent, Reason } from './recipients';

/** One message to one user about one event; `template` names the SES template on AWS. */
export type NotificationMessage = {
  eventId: string;
  detailType: DetailType;
  to: string;
  reason: Reason;
  subject: string;
  text: string;
  template: string;
  data: Record<string, string>;
  leadId?: string;
  occurredAt: string;
};

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/**
 * Subjects name the lead and people (`leadName`, `ownerName`, `authorName`, `userName`), which fall back
 * to the ids when the names could not be read; `leadId` stays in the data for the template's link.
 */
const SUBJECTS: Record<DetailType, (d: Record<string, string>) => string> = {
  LeadCreated: (d) => `New lead ${d.leadName}`,
  LeadAssigned: (d) => `Lead ${d.leadName} assigned to ${d.ownerName || 'the queue'}`,
  LeadStageChanged: (d) => `Lead ${d.leadName} moved to ${d.stage}`,
  LeadAging: (d) => `Lead ${d.leadName} is aging in ${d.stage}`,
  LeadEscalated: (d) => `Lead ${d.leadName} escalated`,
  ApprovalRequested: (d) => `Approval needed for lead ${d.leadName}`,
  ApprovalDecided: (d) => `Approval ${d.decision || 'decided'} for lead ${d.leadName}`,
  LeadConverted: (d) => `Lead ${d.leadName} converted to an opportunity`,
  LeadDisqualified: (d) => `Lead ${d.leadName} disqualified${d.reason ? `: ${d.reason}` : ''}`,
  LeadWorkflowFailed: (d) => `Lead ${d.leadName} needs attention: a workflow step failed`,
  LeadScoreChanged: (d) => `Lead ${d.leadName} score band changed`,
  OpportunityStageChanged: (d) => `Opportunity ${d.opportunityName} moved to ${d.to}`,
  LeadNoteAdded: (d) => `${d.authorName} added a note to lead ${d.leadName}`,
  LeadFollowed: (d) => `${d.userName} follows lead ${d.leadName}`,
  LeadActivityRecorded: (d) => `Activity recorded on lead ${d.leadName}`,
  CaptureRejected: () => 'A delivery was rejected',
  LeadsMerged: (d) => `Duplicates were merged into lead ${d.leadName}`,
  LeadsUnmerged: (d) => `A merge into lead ${d.leadName} was undone`,
  LeadNurtured: (d) => `Lead ${d.leadName} goes to nurture`,
  LeadRecycled: (d) => `Lead ${d.leadName} is back from nurture`,
  StepOverdue: (d) => `Step '${d.step}' on lead ${d.leadName} is overdue (due ${d.dueAt})`,
  QuoteCreated: (d) => `Quote ${d.quoteId} created for lead ${d.leadName}`,
  QuoteSent: (d) => `Quote ${d.quoteId} sent to the customer of lead ${d.leadName}`,
  QuoteAccepted: (d) => `Quote ${d.quoteId} accepted (lead ${d.leadName})`,
  QuoteDeclined: (d) => `Quote ${d.quoteId} declined (lead ${d.leadName})`,
  QuoteExpired: (d) => `Quote ${d.quoteId} expired unanswered (lead ${d.leadName})`,
};

const WHY: Record<Reason, string> = {
  owner: 'You own this lead.',
  follower: 'You follow this lead.',
  manager: 'You manage the team this lead belongs to.',
  approver: 'You are an approver for this step.',
  assignee: 'This step is assigned to you.',
};

/** Renders the message; the same fields feed the SES template (`leadflow-<DetailType>`). */
/** How a message names a lead: the person, else the company, else its id. */
export const leadDisplayName = (lead: { id: string; firstName?: string; lastName?: string; company?: string }) =>
  [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.company || lead.id;

/** Display names for a message: the lead's and the opportunity's, and a person's from the teams config. */
export type MessageNames = { lead?: string; opportunity?: string; person?: (user: string) => string };

export const messageFor = (
  event: NotifiableEvent,
  to: string,
  reason: Reason,
  consoleUrl?: string,
  names: MessageNames = {},
): NotificationMessage => {
  const { detail, detailType } = event;
  const lead = (detail.lead ?? {}) as Record<string, unknown>;
  const data: Record<string, string> = {
    leadId: str(detail.leadId),
    owner: str(detail.owner ?? lead.owner),
    stage: str(detail.to ?? detail.stage ?? lead.stage),
    decision: str(detail.decision),
    opportunityId: str(detail.opportunityId),
    reason: str(detail.reason),
    author: str(detail.author),
    user: str(detail.user),
    to: str(detail.to),
    note: str(detail.text),
    quoteId: str(detail.quoteId),
    step: str(detail.step),
    dueAt: str(detail.dueAt),
    why: WHY[reason],
    leadName: names.lead || str(detail.leadId),
    opportunityName: names.opportunity || str(detail.opportunityId),
    link: consoleUrl && detail.leadId ? `${consoleUrl.replace(/\/$/, '')}/leads/${str(detail.leadId)}` : '',
  };
  const person = (user: string) => (user ? (names.person?.(user) ?? user) : '');
  data.ownerName = person(data.owner ?? '');
  data.authorName = person(data.author ?? '');
  data.userName = person(data.user ?? '');
  const subject = SUBJECTS[detailType](data);
  const text = [
    subject,
    data.note ? `“${data.note}”` : '',
    data.link,
    '',
    WHY[reason],
    'Change what you receive: PUT /me/notifications.',
  ]
    .filter((l, i) => l !== '' || i === 3)
    .join('\n');
  return {
    eventId: str(detail.eventId),
    detailType,
    to,
    reason,
    subject,
    text,
    template: `leadflow-${detailType}`,
    data,
    leadId: data.leadId || undefined,
    occurredAt: str(detail.occurredAt),
  };
};
