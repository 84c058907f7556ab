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

const SUBJECTS: Record<DetailType, (d: Record<string, string>) => string> = {
  LeadCreated: (d) => `New lead ${d.leadId}`,
  LeadAssigned: (d) => `Lead ${d.leadId} assigned to ${d.owner || 'the queue'}`,
  LeadStageChanged: (d) => `Lead ${d.leadId} moved to ${d.stage}`,
  LeadAging: (d) => `Lead ${d.leadId} is aging in ${d.stage}`,
  LeadEscalated: (d) => `Lead ${d.leadId} escalated`,
  ApprovalRequested: (d) => `Approval needed for lead ${d.leadId}`,
  ApprovalDecided: (d) => `Approval ${d.decision || 'decided'} for lead ${d.leadId}`,
  LeadConverted: (d) => `Lead ${d.leadId} converted to opportunity ${d.opportunityId}`,
  LeadDisqualified: (d) => `Lead ${d.leadId} disqualified${d.reason ? `: ${d.reason}` : ''}`,
  LeadWorkflowFailed: (d) => `Lead ${d.leadId} needs attention: a workflow step failed`,
  LeadScoreChanged: (d) => `Lead ${d.leadId} score band changed`,
  OpportunityStageChanged: (d) => `Opportunity ${d.opportunityId} moved to ${d.to}`,
  LeadNoteAdded: (d) => `${d.author} added a note to lead ${d.leadId}`,
  LeadFollowed: (d) => `${d.user} follows lead ${d.leadId}`,
  LeadActivityRecorded: (d) => `Activity recorded on lead ${d.leadId}`,
  CaptureRejected: () => 'A delivery was rejected',
  QuoteCreated: (d) => `Quote ${d.quoteId} created for lead ${d.leadId}`,
  QuoteSent: (d) => `Quote ${d.quoteId} sent to the customer of lead ${d.leadId}`,
  QuoteAccepted: (d) => `Quote ${d.quoteId} accepted (lead ${d.leadId})`,
  QuoteDeclined: (d) => `Quote ${d.quoteId} declined (lead ${d.leadId})`,
  QuoteExpired: (d) => `Quote ${d.quoteId} expired unanswered (lead ${d.leadId})`,
};

const WHY: Record<Reason, string> = {
  owner: 'You own this lead.',
  follower: 'You follow this lead.',
  manager: 'You manage the team this lead belongs to.',
  approver: 'You are an approver for this step.',
};

/** Renders the message; the same fields feed the SES template (`leadflow-<DetailType>`). */
export const messageFor = (
  event: NotifiableEvent,
  to: string,
  reason: Reason,
  consoleUrl?: string,
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
    why: WHY[reason],
    link: consoleUrl && detail.leadId ? `${consoleUrl.replace(/\/$/, '')}/leads/${str(detail.leadId)}` : '',
  };
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
