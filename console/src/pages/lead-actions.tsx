import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, type AuditEntry, api, type Lead, type LeadAction, must, type Session } from '../api/client';
import { useAction } from '../api/use-resource';
import { FieldError, ProblemBanner } from '../components/problem';
import { ACTION_LABEL, allowedActions, isManager, STAGE_LABEL, type StageRules, when } from '../format';
import { useDirectory } from '../directory';
import type { LeadWithAudit } from './lead';

const ACTIONS: LeadAction[] = ['qualify', 'handoff', 'distribute', 'disqualify', 'convert'];

/** The step that moves a lead on from each working stage: the one primary button; the rest are secondary. */
const NEXT_STEP: Partial<Record<Lead['stage'], LeadAction>> = {
  Assigned: 'qualify',
  MarketQualified: 'handoff',
  SalesQualified: 'convert',
};

/** The primary action: the stage's next step when allowed, else the first allowed forward move (never disqualify). */
export const primaryAction = (lead: Lead, allowed: readonly LeadAction[]): LeadAction | undefined => {
  const next = NEXT_STEP[lead.stage];
  if (next && allowed.includes(next)) return next;
  return (['convert', 'handoff', 'qualify', 'distribute'] as const).find((a) => allowed.includes(a));
};

/** Why an action button is disabled, in words, or undefined when the caller may press it. */
const disabledReason = (
  lead: Lead,
  action: LeadAction,
  session: Session,
  stages: StageRules | undefined,
  nameOf: (user: string) => string,
): string | undefined => {
  if (lead.owner && lead.owner !== session.user && !isManager(session))
    return `Only the owner (${nameOf(lead.owner)}) or a manager can act on this lead`;
  if (lead.pendingApproval) return 'Waiting on approval';
  if (!allowedActions(lead, stages).includes(action)) return `Not allowed in stage ${STAGE_LABEL[lead.stage]}`;
  return undefined;
};

let stageRules: Promise<StageRules> | undefined;
/** The stages configuration, read once per page load (everyone signed in may read it). */
const loadStageRules = () => {
  stageRules ??= must(api.GET('/config/{name}', { params: { path: { name: 'stages' } } })).then(
    (doc) => doc.value as StageRules,
    () => ({}),
  );
  return stageRules;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends an action. A 409 whose `allowed` still lists the action means the lead's workflow is between
 * two waits (it just moved): that settles within a moment, so the action is retried a few times.
 * A 409 without it is a real conflict (someone else acted) and is shown.
 */
const sendAction = async (
  id: string,
  action: LeadAction,
  body: { comment?: string; reason?: string; convertToContact?: boolean },
) => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await must(api.POST('/leads/{id}/actions/{action}', { params: { path: { id, action } }, body }));
    } catch (e) {
      const transient = e instanceof ApiProblem && e.status === 409 && (e.problem.allowed ?? []).includes(action);
      if (!transient || attempt >= 5) throw e;
      await sleep(400 * (attempt + 1));
    }
  }
};

type Props = {
  lead: LeadWithAudit;
  session: Session;
  notice: string | undefined;
  onNotice: (notice: string | undefined) => void;
  onActed: () => Promise<void>;
};

/** The buttons of the actions the lead's stage allows (disabled ones say why), a comment, and the disqualify reason. */
export const LeadActions = ({ lead, session, notice, onNotice, onActed }: Props) => {
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [toContact, setToContact] = useState(false);
  const [stages, setStages] = useState<StageRules>();
  const people = useDirectory();
  useEffect(() => {
    void loadStageRules().then(setStages);
  }, []);

  const send = useAction(async (action: LeadAction) => {
    onNotice(undefined);
    const body =
      action === 'disqualify'
        ? { comment: comment || undefined, reason, convertToContact: toContact }
        : { comment: comment || undefined };
    const result = await sendAction(lead.id, action, body);
    const waiting = result.next === 'approve' || result.next === 'await-approval';
    onNotice(
      waiting
        ? `${ACTION_LABEL[action]}: requested; the approval chain has started (approvers see it in their tasks).`
        : `${ACTION_LABEL[action]}: the lead is now ${STAGE_LABEL[result.stage]}.`,
    );
    setComment('');
  });
  const act = async (action: LeadAction) => {
    await send.run(action);
    await onActed();
  };

  const primary = lead.pendingApproval ? undefined : primaryAction(lead, allowedActions(lead, stages));
  // The primary action first, then the others in their usual order.
  const ordered = primary ? [primary, ...ACTIONS.filter((a) => a !== primary)] : ACTIONS;

  return (
    <section aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <div class="actions">
        <label>
          Comment (optional)
          <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
      </div>
      <div class="actions">
        {ordered.map((action) => {
          const why = disabledReason(lead, action, session, stages, people.name);
          const needsReason = action === 'disqualify' && !reason.trim();
          return (
            <div class="action" key={action}>
              <button
                type="button"
                class={action === primary ? 'primary' : action === 'disqualify' ? 'danger-quiet' : 'secondary'}
                data-primary={action === primary ? 'true' : undefined}
                disabled={send.busy || Boolean(why) || needsReason}
                aria-describedby={why ? `why-${action}` : undefined}
                onClick={() => void act(action)}
              >
                {ACTION_LABEL[action]}
              </button>
              {why && <small id={`why-${action}`}>{why}</small>}
              {!why && needsReason && <small>Give a reason below first</small>}
            </div>
          );
        })}
      </div>
      {allowedActions(lead, stages).includes('disqualify') && (
        <fieldset>
          <legend>Disqualify</legend>
          <label>
            Reason
            <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} aria-describedby="err-reason" />
            <FieldError error={send.error} field="reason" id="err-reason" />
          </label>
          <label class="check">
            <input type="checkbox" checked={toContact} onChange={(e) => setToContact(e.currentTarget.checked)} />
            Convert to contact
          </label>
        </fieldset>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {send.error instanceof ApiProblem && send.error.status === 409 ? (
        <Conflict lead={lead} conflict={send.error} nameOf={people.name} />
      ) : (
        <ProblemBanner error={send.error} />
      )}
    </section>
  );
};

/** Someone else acted first: what they did, where the lead is now and what it allows. */
const Conflict = ({
  lead,
  conflict,
  nameOf,
}: {
  lead: LeadWithAudit;
  conflict: ApiProblem;
  nameOf: (user: string) => string;
}) => {
  const latest = lead.audit.reduce<AuditEntry | undefined>((a, b) => (!a || b.at > a.at ? b : a), undefined);
  return (
    <div class="problem" role="alert" data-testid="conflict">
      <strong>Someone else got there first</strong>
      <p>{conflict.problem.detail}</p>
      <p>
        The lead is now <strong>{STAGE_LABEL[lead.stage]}</strong>
        {conflict.problem.allowed
          ? `; allowed now: ${conflict.problem.allowed.map((a) => ACTION_LABEL[a]).join(', ') || 'none'}`
          : ''}
        . The page has been refreshed.
      </p>
      {latest && (
        <p>
          Latest change: <strong>{latest.action}</strong> by {nameOf(latest.actor.id)} at {when(latest.at)}
          {latest.why ? ` — ${latest.why}` : ''}.
        </p>
      )}
    </div>
  );
};
