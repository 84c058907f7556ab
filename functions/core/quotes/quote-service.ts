import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { type BusEvent, makeEvent, snapshotOf } from '../events';
import type { Actor, Lead } from '../lead';
import { canSee, isManager, type Viewer } from '../lead-access';
import { type ApprovalsConfig, chainFor, mayDecide } from '../lifecycle/approvals-config';
import { dueAfter } from '../lifecycle/business-hours';
import { addSeconds, durationSeconds } from '../lifecycle/duration';
import type { ApprovalTaskRecord, TasksPort } from '../lifecycle/ports';
import { excludedDecidersOf, firstEligible, selfDecisionRefusal } from '../lifecycle/segregation-of-duties';
import { calendarOf, managerOf, type TeamsConfig } from '../lifecycle/teams-config';
import type { CrmStore } from '../conversion/opportunity-moves';
import type { Opportunity } from '../conversion/crm-records';
import type { Clock, EventPublisher } from '../ports';
import { discountLimitOf, priceBookFor, type QuoteCatalog } from './catalog';
import type { LeadConversionOnAccept, QuoteDocuments, QuoteMail, QuotesStore, QuoteTimers } from './ports';
import { majorOf, maxDiscountOf, priceQuote } from './pricing';
import {
  assertAction,
  assertQuotable,
  expiresAtOf,
  isPastValidity,
  parseQuoteInput,
  type Quote,
  type QuoteAction,
  type QuoteApproval,
  type QuoteCustomer,
  quoteEvent,
} from './quote';

export type QuoteDeps = {
  quotes: QuotesStore;
  crm: Pick<CrmStore, 'lead' | 'opportunity' | 'account' | 'contact'>;
  customers: {
    ensureFor(leadId: string, actor: Actor, at: string): Promise<{ contactId: string; accountId?: string }>;
  };
  catalog(): Promise<QuoteCatalog>;
  approvals(): Promise<ApprovalsConfig>;
  tasks: Pick<TasksPort, 'get' | 'createOnce' | 'decide'>;
  documents: QuoteDocuments;
  mail: QuoteMail;
  timers: QuoteTimers;
  publisher: EventPublisher;
  clock: Clock;
  conversion?: LeadConversionOnAccept;
};

export type QuoteCaller = Viewer;

/** What deciding a quote-discount task needs (the approval-tasks API has these, not the PDF or mail). */
export type QuoteDecisionDeps = Pick<QuoteDeps, 'quotes' | 'crm' | 'tasks' | 'approvals' | 'publisher' | 'clock'> & {
  /** Arms the next step's escalation timer. */
  timers: Pick<QuoteTimers, 'armApproval'>;
};

const actorOf = (caller: QuoteCaller): Actor => ({ kind: 'user', id: caller.userId, source: 'API' });
const today = (now: Date) => now.toISOString().slice(0, 10);

/** Reps quote their own leads and opportunities; managers and sales ops any. Others learn nothing (404). */
const mayEdit = (caller: QuoteCaller, record: { owner?: string }, what: string) => {
  if (record.owner && record.owner !== caller.userId && !isManager(caller))
    throw new ForbiddenError(`only the owner (${record.owner}) or a manager may quote this ${what}`);
};

const leadOf = async (deps: Pick<QuoteDeps, 'crm'>, leadId: string): Promise<Lead> => {
  const lead = await deps.crm.lead(leadId);
  if (!lead) throw new NotFoundError('lead', leadId);
  return lead;
};

/** The quote's version, visible to whoever may see its lead (or opportunity). */
export const visibleQuote = async (deps: QuoteDeps, caller: QuoteCaller, id: string, version?: number) => {
  const quote = await deps.quotes.get(id, version);
  if (!quote) throw new NotFoundError('quote', version ? `${id} v${version}` : id);
  const lead = await leadOf(deps, quote.leadId);
  if (!canSee(caller, lead) && !(quote.owner && canSee(caller, { owner: quote.owner })))
    throw new NotFoundError('quote', id);
  return { quote, lead };
};

const customerName = (first?: string, last?: string, fallback = '') =>
  [first, last].filter(Boolean).join(' ') || fallback;

/** Where a new quote comes from: a lead (customer created from it when needed) or an opportunity (its account and contact). */
export const createQuote = async (
  deps: QuoteDeps,
  request: { from: { leadId: string } | { opportunityId: string }; body: unknown; caller: QuoteCaller },
): Promise<Quote> => {
  const { caller } = request;
  const now = deps.clock.now();
  const at = now.toISOString();
  const actor = actorOf(caller);
  let lead: Lead;
  let opportunity: Opportunity | undefined;
  if ('leadId' in request.from) {
    lead = await leadOf(deps, request.from.leadId);
    if (!canSee(caller, lead)) throw new NotFoundError('lead', lead.id);
    mayEdit(caller, lead, 'lead');
    assertQuotable(lead);
  } else {
    const opp = await deps.crm.opportunity(request.from.opportunityId);
    if (!opp) throw new NotFoundError('opportunity', request.from.opportunityId);
    lead = await leadOf(deps, opp.leadId);
    if (!canSee(caller, opp) && !canSee(caller, lead)) throw new NotFoundError('opportunity', opp.id);
    mayEdit(caller, opp, 'opportunity');
    opportunity = opp;
  }
  const catalog = await deps.catalog();
  const input = parseQuoteInput(request.body, today(now), catalog.validityDays);
  const segment = { country: lead.country, leadType: lead.leadType };
  const book = priceBookFor(catalog, segment);
  const priced = priceQuote(input.lines, catalog, book, lead.country);

  let customer: QuoteCustomer;
  if (opportunity) {
    const [contact, account] = await Promise.all([
      deps.crm.contact(opportunity.contactId),
      opportunity.accountId ? deps.crm.account(opportunity.accountId) : undefined,
    ]);
    customer = {
      contactId: opportunity.contactId,
      accountId: opportunity.accountId,
      name: customerName(contact?.firstName, contact?.lastName, opportunity.name),
      company: account?.name,
      email: contact?.email,
      country: contact?.country ?? account?.country ?? lead.country,
    };
  } else {
    const ids = await deps.customers.ensureFor(lead.id, actor, at);
    customer = {
      ...ids,
      name: customerName(lead.firstName, lead.lastName, lead.company ?? lead.email ?? lead.id),
      company: lead.leadType === 'B2B' ? lead.company : undefined,
      email: lead.email,
      country: lead.country,
    };
  }
  const draft: Omit<Quote, 'id'> = {
    version: 1,
    rev: 1,
    status: 'draft',
    leadId: lead.id,
    opportunityId: opportunity?.id,
    owner: opportunity?.owner ?? lead.owner,
    team: opportunity?.team ?? lead.team,
    segment,
    customer,
    priceBookId: book?.id,
    currency: priced.currency,
    lines: priced.lines,
    totals: priced.totals,
    validUntil: input.validUntil,
    expiresAt: expiresAtOf(input.validUntil),
    terms: input.terms ?? catalog.terms,
    createdAt: at,
    createdBy: actor,
    updatedAt: at,
    approval: null,
  };
  const quote = await deps.quotes.create(draft, now.getUTCFullYear(), {
    at,
    actor,
    action: 'quote-created',
    why: `${opportunity ? `on opportunity ${opportunity.id}` : 'from the lead'}`,
    data: { version: 1, totalMinor: priced.totals.totalMinor, currency: priced.currency },
  });
  await deps.publisher.publish([quoteEvent('QuoteCreated', quote, snapshotOf(lead), at, { by: caller.userId })]);
  return quote;
};

/**
 * A change of lines, validity or terms. A draft changes in place (its approval stands only if no
 * discount grew past what was approved); a sent, declined or expired version stays as it was and the
 * change becomes the next version, a new draft.
 */
export const editQuote = async (
  deps: QuoteDeps,
  request: { id: string; body: unknown; caller: QuoteCaller },
): Promise<Quote> => {
  const { caller } = request;
  const { quote, lead } = await visibleQuote(deps, caller, request.id);
  mayEdit(caller, quote, 'quote');
  const now = deps.clock.now();
  assertAction(quote, 'edit', now);
  const at = now.toISOString();
  const actor = actorOf(caller);
  const catalog = await deps.catalog();
  const input = parseQuoteInput(request.body, today(now), catalog.validityDays);
  const book = priceBookFor(catalog, quote.segment);
  const priced = priceQuote(input.lines, catalog, book, quote.segment.country);
  const changed: Quote = {
    ...quote,
    priceBookId: book?.id,
    currency: priced.currency,
    lines: priced.lines,
    totals: priced.totals,
    validUntil: input.validUntil,
    expiresAt: expiresAtOf(input.validUntil),
    terms: input.terms ?? quote.terms,
    updatedAt: at,
  };
  if (quote.status === 'draft') {
    const approval = quote.approval;
    const stillCovered =
      approval?.status === 'approved' && maxDiscountOf(priced.lines) <= approval.maxDiscountBps ? approval : null;
    return deps.quotes.save(quote, { ...changed, approval: stillCovered }, [
      {
        at,
        actor,
        action: 'quote-edited',
        why: `${quote.id} v${quote.version}${approval?.status === 'pending' ? ' (the pending approval is withdrawn)' : ''}`,
        data: { version: quote.version, totalMinor: priced.totals.totalMinor },
      },
    ]);
  }
  const next: Quote = {
    ...changed,
    version: quote.version + 1,
    rev: 1,
    status: 'draft',
    createdAt: at,
    createdBy: actor,
    approval: null,
    sentAt: undefined,
    sentBy: undefined,
    decidedAt: undefined,
    decidedBy: undefined,
    declineReason: undefined,
    pdf: undefined,
    supersededBy: undefined,
  };
  const stored = await deps.quotes.revise(quote, next, {
    at,
    actor,
    action: 'quote-revised',
    why: `${quote.id} v${next.version} replaces v${quote.version} (${quote.status})`,
    data: { version: next.version, totalMinor: priced.totals.totalMinor },
  });
  await deps.publisher.publish([quoteEvent('QuoteCreated', stored, snapshotOf(lead), at, { by: caller.userId })]);
  return stored;
};

const taskIdOf = (quote: Pick<Quote, 'id' | 'version'>, run: number, step: number) =>
  `quote-${quote.id}-v${quote.version}-r${run}-s${step}`;

/** Opens the task of the approval's current step (idempotent: the id derives from quote, run and step). */
const openTask = async (
  deps: Pick<QuoteDeps, 'tasks'>,
  quote: Quote,
  lead: Lead,
  approval: QuoteApproval,
  approvals: ApprovalsConfig,
  now: Date,
): Promise<{ task: ApprovalTaskRecord; event: BusEvent }> => {
  const chain = approvals.chains[approval.chainIndex];
  const step = chain?.steps[approval.stepIndex];
  if (!chain || !step) throw new ConflictError(`approval chain '${approval.chainName}' changed; send the quote again`);
  const at = now.toISOString();
  const task = await deps.tasks.createOnce({
    taskId: taskIdOf(quote, approval.run, approval.stepIndex),
    leadId: quote.leadId,
    run: approval.run,
    stepIndex: approval.stepIndex,
    stepName: step.name,
    chainName: chain.name,
    approver: step.approver,
    group: step.group,
    requestedBy: approval.requestedBy,
    excludedDeciders: excludedDecidersOf(chain, { requestedBy: approval.requestedBy, deciders: approval.deciders }),
    escalations: 0,
    status: 'open',
    createdAt: at,
    dueAt: addSeconds(now, durationSeconds(step.timeout)),
    quote: {
      quoteId: quote.id,
      version: quote.version,
      maxDiscountBps: approval.maxDiscountBps,
      limitBps: approval.limitBps,
      totalMinor: quote.totals.totalMinor,
      currency: quote.currency,
    },
    leadSummary: {
      name: quote.customer.name,
      company: quote.customer.company,
      stage: lead.stage,
      owner: quote.owner,
      expectedValue: majorOf(quote.totals.totalMinor, quote.currency),
      leadType: lead.leadType,
    },
  });
  const event = makeEvent('ApprovalRequested', `${task.taskId}:ApprovalRequested`, at, {
    leadId: lead.id,
    taskId: task.taskId,
    chain: chain.name,
    step: step.name,
    stepIndex: approval.stepIndex,
    approvers: step.approver ? [step.approver] : [],
    group: step.group ?? null,
    dueAt: task.dueAt,
    quoteId: quote.id,
    quoteVersion: quote.version,
    lead: snapshotOf(lead),
  });
  return { task, event };
};

/**
 * Send: a discount above the sender's limit first asks the `quote-discount` chain (202, the quote
 * stays a draft until the last step approves; send again then). Sending renders the PDF, stores it
 * with the lead's attachments, freezes the version, arms its expiry timer and mails it to the customer.
 */
const sendQuote = async (deps: QuoteDeps, quote: Quote, lead: Lead, caller: QuoteCaller, now: Date) => {
  const at = now.toISOString();
  const actor = actorOf(caller);
  const catalog = await deps.catalog();
  const maxDiscountBps = maxDiscountOf(quote.lines);
  const limitBps = discountLimitOf(catalog, caller.groups);
  const approved = quote.approval?.status === 'approved' && quote.approval.maxDiscountBps >= maxDiscountBps;
  if (maxDiscountBps > limitBps && !approved) {
    if (quote.approval?.status === 'pending') {
      // A retried send (its timer may not have started the first time); the execution name makes it once.
      await deps.timers.armApproval(quote, quote.approval.run, quote.approval.stepIndex);
      return { quote, approvalPending: true as const, events: [] as BusEvent[] };
    }
    const approvals = await deps.approvals();
    const found = chainFor(
      {
        leadType: quote.segment.leadType,
        country: quote.segment.country,
        expectedValue: majorOf(quote.totals.totalMinor, quote.currency),
      },
      approvals,
      'quote-discount',
    );
    if (!found)
      throw new ForbiddenError(
        `a discount of ${maxDiscountBps / 100} % is above your limit of ${limitBps / 100} % and no quote-discount approval chain covers this quote`,
      );
    const approval: QuoteApproval = {
      status: 'pending',
      chainName: found.chain.name,
      chainIndex: found.index,
      stepIndex: 0,
      steps: found.chain.steps.length,
      run: (quote.approval?.run ?? 0) + 1,
      requestedBy: caller.userId,
      requestedAt: at,
      deciders: [],
      maxDiscountBps,
      limitBps,
    };
    const { task, event } = await openTask(deps, quote, lead, approval, approvals, now);
    const saved = await deps.quotes.save(
      quote,
      { ...quote, approval: { ...approval, taskId: task.taskId }, updatedAt: at },
      [
        {
          at,
          actor,
          action: 'quote-approval-requested',
          why: `${quote.id} v${quote.version}: ${maxDiscountBps / 100} % discount, above the limit of ${limitBps / 100} %; ${found.chain.name}`,
          data: { taskId: task.taskId },
        },
      ],
    );
    // The approval's timer (armed once the quote names the task it follows): each step not decided
    // within its timeout escalates, as lifecycle approvals do.
    await deps.timers.armApproval(saved, approval.run, approval.stepIndex);
    return { quote: saved, approvalPending: true as const, events: [event] };
  }
  const fileName = `${quote.id}-v${quote.version}.pdf`;
  const key = `leads/${quote.leadId}/quotes/${fileName}`;
  const bytes = await deps.documents.render(quote, { terms: quote.terms });
  await deps.documents.store(key, bytes);
  const sent = await deps.quotes.save(
    quote,
    {
      ...quote,
      status: 'sent',
      sentAt: at,
      sentBy: caller.userId,
      updatedAt: at,
      pdf: { key, fileName, size: bytes.length },
    },
    [
      {
        at,
        actor,
        action: 'quote-sent',
        why: `${quote.id} v${quote.version}`,
        data: { version: quote.version, pdf: fileName },
      },
    ],
  );
  await deps.timers.arm(sent);
  const event = quoteEvent('QuoteSent', sent, snapshotOf(lead), at, { by: caller.userId });
  if (sent.customer.email) {
    const link = await deps.documents.downloadUrl(key, fileName);
    await deps.mail.deliver({
      eventId: event.detail.eventId,
      to: sent.customer.email,
      subject: `Your quote ${sent.id}`,
      text: [
        `Dear ${sent.customer.name},`,
        '',
        `please find attached our quote ${sent.id} (version ${sent.version}), valid until ${sent.validUntil}.`,
      ].join('\n'),
      leadId: sent.leadId,
      occurredAt: at,
      attachment: { key, fileName, contentType: 'application/pdf', size: bytes.length, link, content: bytes },
    });
  }
  return { quote: sent, approvalPending: false as const, events: [event] };
};

/** send / accept / decline on the newest version of a quote. */
export const actOnQuote = async (
  deps: QuoteDeps,
  request: { id: string; action: QuoteAction; caller: QuoteCaller; reason?: string },
) => {
  const { caller, action } = request;
  const { quote, lead } = await visibleQuote(deps, caller, request.id);
  mayEdit(caller, quote, 'quote');
  const now = deps.clock.now();
  assertAction(quote, action, now);
  const at = now.toISOString();
  if (action === 'send') {
    const outcome = await sendQuote(deps, quote, lead, caller, now);
    await deps.publisher.publish(outcome.events);
    return { quote: outcome.quote, approvalPending: outcome.approvalPending };
  }
  if (action === 'decline') {
    const declined = await deps.quotes.save(
      quote,
      {
        ...quote,
        status: 'declined',
        decidedAt: at,
        decidedBy: caller.userId,
        declineReason: request.reason,
        updatedAt: at,
      },
      [
        {
          at,
          actor: actorOf(caller),
          action: 'quote-declined',
          why: `${quote.id} v${quote.version}${request.reason ? `: ${request.reason}` : ''}`,
        },
      ],
    );
    await deps.publisher.publish([quoteEvent('QuoteDeclined', declined, snapshotOf(lead), at, { by: caller.userId })]);
    return { quote: declined, approvalPending: false };
  }
  const accepted = await deps.quotes.save(
    quote,
    { ...quote, status: 'accepted', decidedAt: at, decidedBy: caller.userId, updatedAt: at },
    [{ at, actor: actorOf(caller), action: 'quote-accepted', why: `${quote.id} v${quote.version}` }],
  );
  const catalog = await deps.catalog();
  let conversion: { started: boolean; why?: string } = { started: false, why: 'quotes.convertOnAccept is off' };
  if (accepted.opportunityId || lead.opportunityId)
    conversion = { started: false, why: 'the lead is already an opportunity' };
  else if (catalog.convertOnAccept && deps.conversion)
    conversion = await deps.conversion.convert({
      leadId: lead.id,
      amount: majorOf(accepted.totals.netMinor, accepted.currency),
      quoteId: accepted.id,
      caller,
    });
  await deps.publisher.publish([
    quoteEvent('QuoteAccepted', accepted, snapshotOf(lead), at, { by: caller.userId, conversion }),
  ]);
  return { quote: accepted, approvalPending: false, conversion };
};

/**
 * An approver's decision on a quote-discount task: the four-eyes rule of the chain, one decision per
 * task (conditional), the next step's task or the approval's end on the quote.
 */
export const decideQuoteTask = async (
  deps: QuoteDecisionDeps,
  request: { task: ApprovalTaskRecord; decision: 'approve' | 'reject'; comment?: string; caller: QuoteCaller },
) => {
  const { task, decision, comment, caller } = request;
  if (!task.quote) throw new NotFoundError('task', task.taskId);
  if (!mayDecide(task, caller)) {
    const lead = await deps.crm.lead(task.leadId);
    if (!lead || !canSee(caller, lead)) throw new NotFoundError('task', task.taskId);
    throw new ForbiddenError(`only ${task.approver ?? `group ${task.group}`} may decide this task`);
  }
  if (task.status !== 'open')
    throw new ConflictError(
      `task ${task.taskId} has already been ${task.status === 'cancelled' ? 'withdrawn' : `decided (${task.decision} by ${task.decidedBy})`}`,
      {
        taskId: task.taskId,
      },
    );
  const refusal = selfDecisionRefusal(task, caller.userId);
  if (refusal) throw new ForbiddenError(refusal.replace('requested this conversion', 'asked for this discount'));
  if (decision === 'reject' && !comment?.trim())
    throw new ValidationError([{ field: 'comment', reason: 'say why the discount is rejected' }]);
  const quote = await deps.quotes.get(task.quote.quoteId, task.quote.version);
  if (!quote || quote.approval?.taskId !== task.taskId || quote.status !== 'draft')
    throw new ConflictError(`quote ${task.quote.quoteId} changed since this task opened; the task no longer applies`, {
      taskId: task.taskId,
    });
  const now = deps.clock.now();
  const at = now.toISOString();
  const decided = await deps.tasks.decide(task, decision, caller.userId, comment, at);
  const lead = await leadOf(deps, quote.leadId);
  const approval = quote.approval;
  const approvals = await deps.approvals();
  const more = decision === 'approve' && approval.stepIndex + 1 < approval.steps;
  const events: BusEvent[] = [
    makeEvent('ApprovalDecided', `${task.taskId}:ApprovalDecided`, at, {
      leadId: lead.id,
      taskId: task.taskId,
      decision,
      comment: comment ?? null,
      by: caller.userId,
      step: task.stepName,
      chain: task.chainName,
      quoteId: quote.id,
      quoteVersion: quote.version,
      lead: snapshotOf(lead),
    }),
  ];
  let next: QuoteApproval;
  if (more) {
    next = { ...approval, stepIndex: approval.stepIndex + 1, deciders: [...approval.deciders, caller.userId] };
    const opened = await openTask(deps, quote, lead, next, approvals, now);
    next.taskId = opened.task.taskId;
    events.push(opened.event);
  } else {
    next = {
      ...approval,
      status: decision === 'approve' ? 'approved' : 'rejected',
      deciders: [...approval.deciders, caller.userId],
      decidedBy: caller.userId,
      comment,
    };
  }
  const saved = await deps.quotes.save(quote, { ...quote, approval: next, updatedAt: at }, [
    {
      at,
      actor: actorOf(caller),
      action: `quote-discount-${decision}d`,
      why: `${quote.id} v${quote.version}: ${task.chainName} / ${task.stepName}${comment ? `: ${comment}` : ''}`,
      data: { taskId: task.taskId },
    },
  ]);
  // The next step's own timer, armed once the quote names its task.
  if (more) await deps.timers.armApproval(saved, next.run, next.stepIndex);
  await deps.publisher.publish(events);
  return { task: { ...decided, taskToken: undefined }, quote: saved };
};

/**
 * The expiry timer's tick: a sent version past its validity expires (conditional: an answer that came
 * first wins); one still valid says how long to wait next. Anything else ends the timer.
 */
export const tickQuoteExpiry = async (
  deps: Pick<QuoteDeps, 'quotes' | 'crm' | 'publisher' | 'clock'>,
  request: { quoteId: string; version: number },
): Promise<{ done: boolean; status?: string; expiresAt?: string }> => {
  const quote = await deps.quotes.get(request.quoteId, request.version);
  if (quote?.status !== 'sent') return { done: true, status: quote?.status };
  const now = deps.clock.now();
  if (!isPastValidity(quote, now)) return { done: false, status: quote.status, expiresAt: quote.expiresAt };
  const at = now.toISOString();
  try {
    const expired = await deps.quotes.save(quote, { ...quote, status: 'expired', updatedAt: at }, [
      {
        at,
        actor: { kind: 'system', id: 'quote-expiry', source: 'WORKFLOW' },
        action: 'quote-expired',
        why: `${quote.id} v${quote.version} was valid until ${quote.validUntil}`,
      },
    ]);
    const lead = await deps.crm.lead(quote.leadId);
    if (lead) await deps.publisher.publish([quoteEvent('QuoteExpired', expired, snapshotOf(lead), at)]);
    return { done: true, status: 'expired' };
  } catch (error) {
    if (error instanceof ConflictError)
      return { done: true, status: (await deps.quotes.get(quote.id, quote.version))?.status };
    throw error;
  }
};

/** What the approval timer reads and writes: the quote, its tasks, the chains and the teams. */
export type QuoteApprovalTimerDeps = Pick<QuoteDeps, 'quotes' | 'crm' | 'approvals' | 'publisher' | 'clock'> & {
  tasks: Pick<TasksPort, 'get' | 'escalate'>;
  teams(): Promise<TeamsConfig>;
};

const APPROVAL_TIMER: Actor = { kind: 'system', id: 'quote-approval-timer', source: 'WORKFLOW' };

/**
 * One tick of a quote approval step's timer (the quote-expiry state machine, started with `approvalRun`
 * and `approvalStep`): while that step of that run is pending, its task escalates when its `dueAt` passes,
 * exactly as a lifecycle approval step does: to the manager of whoever holds it (then the owner's
 * manager, the lead's team manager, any manager; never someone the four-eyes rule excludes; else sales
 * ops), with the step's timeout again, in the team's business hours. A step decided, or an approval
 * withdrawn or replaced, ends the timer. Idempotent: a retried tick finds the task no longer due and only waits.
 */
export const tickQuoteApproval = async (
  deps: QuoteApprovalTimerDeps,
  request: { quoteId: string; version: number; run: number; step?: number },
): Promise<{ done: boolean; dueAt?: string; escalatedTo?: string }> => {
  const quote = await deps.quotes.get(request.quoteId, request.version);
  const approval = quote?.approval;
  if (
    quote?.status !== 'draft' ||
    approval?.status !== 'pending' ||
    approval.run !== request.run ||
    !approval.taskId ||
    (request.step !== undefined && approval.stepIndex !== request.step)
  )
    return { done: true };
  const now = deps.clock.now();
  const task = await deps.tasks.get(approval.taskId);
  // A decision is opening the next step at this moment: look again shortly.
  if (task?.status !== 'open') return { done: false, dueAt: addSeconds(now, 60) };
  if (Date.parse(task.dueAt) > now.getTime()) return { done: false, dueAt: task.dueAt };
  const [lead, teams, approvals] = await Promise.all([deps.crm.lead(quote.leadId), deps.teams(), deps.approvals()]);
  if (!lead) return { done: true };
  const step = approvals.chains[approval.chainIndex]?.steps[task.stepIndex];
  const to =
    firstEligible(
      [
        managerOf(teams, task.escalatedTo ?? task.approver),
        managerOf(teams, quote.owner),
        teams.teams.find((t) => t.id === lead.team)?.manager,
        ...teams.teams.map((t) => t.manager),
      ],
      task.excludedDeciders ?? [],
    ) ?? 'salesops';
  const escalated = await deps.tasks.escalate(
    task,
    to,
    dueAfter(now, durationSeconds(step?.timeout ?? 'PT24H'), calendarOf(teams, lead.team)),
  );
  const at = now.toISOString();
  try {
    await deps.quotes.save(quote, { ...quote, updatedAt: at }, [
      {
        at,
        actor: APPROVAL_TIMER,
        action: 'quote-approval-escalated',
        why: `task ${task.taskId} (${task.stepName}) not decided in time → ${to}`,
        data: { taskId: task.taskId, escalations: escalated.escalations },
      },
    ]);
  } catch (error) {
    // The draft changed at this moment (an edit withdraws the approval): the task is escalated all the same.
    if (!(error instanceof ConflictError)) throw error;
  }
  const id = `${task.taskId}:escalated-${escalated.escalations}`;
  await deps.publisher.publish([
    makeEvent('LeadEscalated', `${id}:LeadEscalated`, at, {
      leadId: lead.id,
      taskId: task.taskId,
      manager: to,
      escalations: escalated.escalations,
      action: 'quote-approval-escalated',
      quoteId: quote.id,
      lead: snapshotOf(lead),
    }),
    makeEvent('ApprovalRequested', `${id}:ApprovalRequested`, at, {
      leadId: lead.id,
      taskId: task.taskId,
      chain: task.chainName,
      step: task.stepName,
      stepIndex: task.stepIndex,
      approvers: [to],
      group: null,
      dueAt: escalated.dueAt,
      escalated: true,
      quoteId: quote.id,
      quoteVersion: quote.version,
      lead: snapshotOf(lead),
    }),
  ]);
  return { done: false, dueAt: escalated.dueAt, escalatedTo: to };
};
