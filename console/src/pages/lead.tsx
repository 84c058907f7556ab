import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiProblem, type AuditEntry, api, type FeedItem, type Lead, type LeadAction, must, type Schemas, type Session } from '../api/client';
import { PendingApprovalNote } from '../components/pending-approval';
import { FieldError, ProblemBanner } from '../components/problem';

type AttachmentContentType = Schemas['AttachmentContentType'];

import { ACTION_LABEL, ageing, allowedActions, duration, leadName, STAGE_LABEL, type StageRules, when } from '../format';
import { href } from '../router';
import { ActivityForm, BehaviourCounts } from './lead-activity';
import { ConsentAndCustomFields, LeadEditForm } from './lead-edit';

type LeadWithAudit = Lead & { audit: AuditEntry[] };
const ACTIONS: LeadAction[] = ['qualify', 'handoff', 'distribute', 'disqualify', 'convert'];

const isManager = (s: Session) => s.groups.includes('manager') || s.groups.includes('salesops');

/** Why an action button is disabled, in words, or undefined when the caller may press it. */
const disabledReason = (lead: Lead, action: LeadAction, session: Session, stages: StageRules | undefined): string | undefined => {
  if (lead.owner && lead.owner !== session.user && !isManager(session)) return `Only the owner (${lead.owner}) or a manager can act on this lead`;
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
const sendAction = async (id: string, action: LeadAction, body: { comment?: string; reason?: string; convertToContact?: boolean }) => {
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

const auditToFeed = (audit: AuditEntry[]): FeedItem[] =>
  audit.map((a) => ({ kind: 'audit', at: a.at, action: a.action, actor: a.actor, from: a.from ?? undefined, to: a.to ?? undefined, why: a.why }));

/** One lead: what leadflow knows, why it was assigned, its feed, and the actions its stage allows. */
export const LeadPage = ({ id, session }: { id: string; session: Session }) => {
  const [lead, setLead] = useState<LeadWithAudit>();
  const [feed, setFeed] = useState<FeedItem[]>([]);
  const [error, setError] = useState<unknown>();
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [toContact, setToContact] = useState(false);
  const [stages, setStages] = useState<StageRules>();
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    void loadStageRules().then(setStages);
  }, []);

  const load = useCallback(async () => {
    try {
      const l = (await must(api.GET('/leads/{id}', { params: { path: { id } } }))) as LeadWithAudit;
      setLead(l);
      setError(undefined);
      const f = await api.GET('/leads/{id}/feed', { params: { path: { id } } });
      setFeed(f.response.ok && f.data ? f.data.items : auditToFeed([...l.audit].reverse()));
    } catch (e) {
      setError(e);
    }
  }, [id]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 4000);
    return () => clearInterval(timer);
  }, [load]);

  const act = async (action: LeadAction) => {
    setBusy(true);
    setActionError(undefined);
    setNotice(undefined);
    try {
      const body = action === 'disqualify' ? { comment: comment || undefined, reason, convertToContact: toContact } : { comment: comment || undefined };
      const result = await sendAction(id, action, body);
      const waiting = result.next === 'approve' || result.next === 'await-approval';
      setNotice(
        waiting
          ? `${ACTION_LABEL[action]}: requested; the approval chain has started (approvers see it in their tasks).`
          : `${ACTION_LABEL[action]}: the lead is now ${STAGE_LABEL[result.stage]}.`,
      );
      setComment('');
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
      await load();
    }
  };

  if (error && !lead) return <ProblemBanner error={error} />;
  if (!lead) return <p class="loading">Loading…</p>;
  const now = Date.now();
  const state = ageing(lead, now);
  const following = (lead.followers ?? []).includes(session.user);
  const conflict = actionError instanceof ApiProblem && actionError.status === 409 ? actionError : undefined;
  const open = lead.stage !== 'Converted' && lead.stage !== 'Disqualified';
  const editBlocked = !open
    ? `A ${STAGE_LABEL[lead.stage]} lead can no longer be edited`
    : lead.owner && lead.owner !== session.user && !isManager(session)
      ? `Only the owner (${lead.owner}) or a manager can edit this lead`
      : undefined;
  const latest = lead.audit.reduce<AuditEntry | undefined>((a, b) => (!a || b.at > a.at ? b : a), undefined);

  return (
    <article aria-labelledby="lead-title">
      <p>
        <a href={href('/inbox')}>← Inbox</a>
      </p>
      <h1 id="lead-title">
        {leadName(lead)} <span class="muted">· {STAGE_LABEL[lead.stage]}</span>
        {state !== 'ok' && <em class={`badge ${state}`}>{state === 'overdue' ? 'Overdue' : 'Ageing'}</em>}
      </h1>
      <ProblemBanner error={error} />
      <PendingApprovalNote lead={lead} />

      <section aria-labelledby="actions-title">
        <h2 id="actions-title">Actions</h2>
        <div class="actions">
          <label>
            Comment (optional)
            <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          </label>
        </div>
        <div class="actions">
          {ACTIONS.map((action) => {
            const why = disabledReason(lead, action, session, stages);
            const needsReason = action === 'disqualify' && !reason.trim();
            return (
              <div class="action" key={action}>
                <button
                  type="button"
                  class={action === 'disqualify' ? 'danger' : 'primary'}
                  disabled={busy || Boolean(why) || needsReason}
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
              <FieldError error={actionError} field="reason" id="err-reason" />
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
        {conflict ? (
          <div class="problem" role="alert" data-testid="conflict">
            <strong>Someone else got there first</strong>
            <p>{conflict.problem.detail}</p>
            <p>
              The lead is now <strong>{STAGE_LABEL[lead.stage]}</strong>
              {conflict.problem.allowed ? `; allowed now: ${conflict.problem.allowed.map((a) => ACTION_LABEL[a]).join(', ') || 'none'}` : ''}. The page has
              been refreshed.
            </p>
            {latest && (
              <p>
                Latest change: <strong>{latest.action}</strong> by {latest.actor.id} at {when(latest.at)}
                {latest.why ? ` — ${latest.why}` : ''}.
              </p>
            )}
          </div>
        ) : (
          <ProblemBanner error={actionError} />
        )}
      </section>

      <div class="grid2">
        <section aria-labelledby="fields-title">
          <h2 id="fields-title">Lead</h2>
          {editing && !editBlocked ? (
            <LeadEditForm
              lead={lead}
              onCancel={() => setEditing(false)}
              onSaved={() => {
                setEditing(false);
                setNotice('Lead saved; the score has been recalculated.');
                void load();
              }}
            />
          ) : (
            <p>
              <button type="button" onClick={() => setEditing(true)} disabled={Boolean(editBlocked)} aria-describedby={editBlocked ? 'why-edit' : undefined}>
                Edit
              </button>{' '}
              {editBlocked && <small id="why-edit">{editBlocked}</small>}
            </p>
          )}
          <dl class="fields">
            <dt>Name</dt>
            <dd>{[lead.firstName, lead.lastName].filter(Boolean).join(' ') || '—'}</dd>
            <dt>Email</dt>
            <dd>{lead.email ?? '—'}</dd>
            <dt>Phone</dt>
            <dd>{lead.phone ?? '—'}</dd>
            <dt>Company</dt>
            <dd>{lead.company ?? '—'}</dd>
            <dt>Job title</dt>
            <dd>{lead.jobTitle ?? '—'}</dd>
            <dt>Country</dt>
            <dd>{lead.country ?? '—'}</dd>
            <dt>Website</dt>
            <dd>{lead.website ?? '—'}</dd>
            <dt>Product interest</dt>
            <dd>{lead.productInterest ?? '—'}</dd>
            <dt>Type</dt>
            <dd>{lead.leadType}</dd>
            {lead.expectedValue !== undefined && (
              <>
                <dt>Expected value</dt>
                <dd>{lead.expectedValue}</dd>
              </>
            )}
            {lead.notes && (
              <>
                <dt>Notes</dt>
                <dd>{lead.notes}</dd>
              </>
            )}
            <ConsentAndCustomFields lead={lead} />
            <dt>Source</dt>
            <dd>
              {lead.sourceId} ({lead.channel}){lead.campaign ? ` · ${lead.campaign}` : ''}
            </dd>
            <dt>Owner</dt>
            <dd>
              {lead.owner ?? 'unassigned'}
              {lead.team ? ` · team ${lead.team}` : ''}
            </dd>
            <dt>In stage</dt>
            <dd>
              {duration(now - Date.parse(lead.stageEnteredAt))}
              {lead.stageDeadline ? ` (SLA until ${when(lead.stageDeadline)})` : ''}
              {lead.escalations ? ` · escalated ${lead.escalations}×` : ''}
            </dd>
            <dt>Created</dt>
            <dd>{when(lead.createdAt)}</dd>
            {lead.opportunityId && (
              <>
                <dt>Opportunity</dt>
                <dd>
                  <a href={href(`/opportunities/${lead.opportunityId}`)} data-testid="opportunity-link">
                    {lead.opportunityId}
                  </a>
                </dd>
              </>
            )}
            {lead.accountId && (
              <>
                <dt>Account</dt>
                <dd>{lead.accountId}</dd>
              </>
            )}
            {lead.contactId && (
              <>
                <dt>Contact</dt>
                <dd>{lead.contactId}</dd>
              </>
            )}
            {lead.disqualifyReason && (
              <>
                <dt>Disqualified</dt>
                <dd>{lead.disqualifyReason}</dd>
              </>
            )}
          </dl>
        </section>
        <section aria-labelledby="why-title">
          <h2 id="why-title">Why it is here</h2>
          <p>
            <strong>Assignment:</strong> {lead.assignment ? `${lead.assignment.explanation} (routing rules v${lead.assignment.ruleVersion})` : 'not assigned yet'}
          </p>
          <p>
            <strong>Score:</strong> {lead.score !== undefined ? `${lead.score} (band ${lead.scoreBand ?? '?'})` : 'not scored yet'}
            {lead.scoreModel ? ` · model ${lead.scoreModel}` : ''}
          </p>
          {lead.scoreFactors && lead.scoreFactors.length > 0 && (
            <ul aria-label="Top score factors">
              {[...lead.scoreFactors]
                .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
                .slice(0, 5)
                .map((f) => (
                  <li key={f.reason}>
                    {f.points > 0 ? '+' : '−'}
                    {Math.abs(f.points)} {f.reason}
                  </li>
                ))}
            </ul>
          )}
          <BehaviourCounts lead={lead} />
          <p>
            <strong>Duplicates</strong> (policy: {lead.duplicatePolicy}): {lead.duplicates.length === 0 ? 'none found' : ''}
          </p>
          {lead.duplicates.length > 0 && (
            <ul>
              {lead.duplicates.map((d) => (
                <li key={`${d.kind}-${d.id}-${d.matchedOn}`}>
                  {d.kind} {d.kind === 'lead' ? <a href={href(`/leads/${d.id}`)}>{d.id}</a> : d.id} — same {d.matchedOn} ({d.value})
                </li>
              ))}
            </ul>
          )}
          <Followers lead={lead} session={session} following={following} onChange={load} />
        </section>
      </div>

      <section aria-labelledby="feed-title">
        <h2 id="feed-title">Feed</h2>
        <NoteForm id={lead.id} onAdded={load} />
        {!['Creation', 'Converted', 'Disqualified'].includes(lead.stage) && <ActivityForm id={lead.id} onAdded={load} />}
        <AttachmentForm id={lead.id} onAdded={load} />
        <ol class="feed" data-testid="feed">
          {feed.map((item, i) => (
            <li key={`${item.at}-${i}`}>
              <time dateTime={item.at}>{when(item.at)}</time> <FeedLine item={item} leadId={lead.id} />
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
};

const FeedLine = ({ item, leadId }: { item: FeedItem; leadId: string }) => {
  if (item.kind === 'note')
    return (
      <span>
        <strong>note</strong> by {item.note.author}: {item.note.text}
      </span>
    );
  if (item.kind === 'attachment')
    return (
      <span>
        <strong>attachment</strong> {item.attachment.fileName} ({Math.ceil(item.attachment.size / 1024)} KB) by {item.attachment.uploadedBy}{' '}
        <Download leadId={leadId} attachmentId={item.attachment.id} />
      </span>
    );
  return (
    <span>
      <strong>{item.action}</strong>
      {item.from || item.to ? ` ${item.from ?? '—'} → ${item.to ?? '—'}` : ''} by {item.actor?.id ?? 'system'}
      {item.why ? ` — ${item.why}` : ''}
    </span>
  );
};

const Download = ({ leadId, attachmentId }: { leadId: string; attachmentId: string }) => {
  const [error, setError] = useState<unknown>();
  const open = async () => {
    try {
      const { attachment, download } = await must(api.GET('/leads/{id}/attachments/{attachmentId}', { params: { path: { id: leadId, attachmentId } } }));
      // A link with `download` saves the file and keeps this page; the signed URL names the file too.
      const link = document.createElement('a');
      link.href = download.url;
      link.download = attachment.fileName;
      link.rel = 'noopener';
      document.body.append(link);
      link.click();
      link.remove();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void open()}>
        Download
      </button>
      <ProblemBanner error={error} />
    </>
  );
};

const Followers = ({ lead, session, following, onChange }: { lead: Lead; session: Session; following: boolean; onChange: () => Promise<void> }) => {
  const [error, setError] = useState<unknown>();
  const toggle = async () => {
    try {
      if (following) await must(api.DELETE('/leads/{id}/followers', { params: { path: { id: lead.id }, query: { user: session.user } } }));
      else await must(api.POST('/leads/{id}/followers', { params: { path: { id: lead.id } }, body: { user: session.user } }));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
    await onChange();
  };
  return (
    <div>
      <p>
        <strong>Followers:</strong> {(lead.followers ?? []).join(', ') || 'nobody'}{' '}
        <button type="button" onClick={() => void toggle()} aria-pressed={following}>
          {following ? 'Unfollow' : 'Follow'}
        </button>
      </p>
      <ProblemBanner error={error} />
    </div>
  );
};

const NoteForm = ({ id, onAdded }: { id: string; onAdded: () => Promise<void> }) => {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await must(api.POST('/leads/{id}/notes', { params: { path: { id } }, body: { text } }));
      setText('');
      setError(undefined);
      await onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} class="actions">
      <label>
        Add a note
        <textarea value={text} rows={2} cols={50} onInput={(e) => setText(e.currentTarget.value)} aria-describedby="err-text" />
        <FieldError error={error} field="text" id="err-text" />
      </label>
      <button type="submit" disabled={!text.trim()}>
        Add note
      </button>
      {!(error instanceof ApiProblem && error.fieldError('text')) && <ProblemBanner error={error} />}
    </form>
  );
};

const AttachmentForm = ({ id, onAdded }: { id: string; onAdded: () => Promise<void> }) => {
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState<string>();
  const upload = async (file: File) => {
    setStatus(`Uploading ${file.name}…`);
    try {
      const { upload } = await must(
        // The API checks the type against its list and answers 422 with the reason, shown next to the field.
        api.POST('/leads/{id}/attachments', { params: { path: { id } }, body: { fileName: file.name, contentType: (file.type || 'application/octet-stream') as AttachmentContentType, size: file.size } }),
      );
      const put = await fetch(upload.url, { method: upload.method, body: file, headers: upload.headers });
      if (!put.ok) {
        const type = put.headers.get('content-type') ?? '';
        if (type.includes('json')) throw new ApiProblem((await put.json()) as Schemas['Problem']);
        throw new Error(`The upload failed (${put.status})`);
      }
      setStatus(`${file.name} attached.`);
      setError(undefined);
      await onAdded();
    } catch (e) {
      setStatus(undefined);
      setError(e);
    }
  };
  return (
    <div class="actions">
      <label>
        Attach a file
        <input type="file" onChange={(e) => e.currentTarget.files?.[0] && void upload(e.currentTarget.files[0])} aria-describedby="err-size" />
        <FieldError error={error} field="size" id="err-size" />
        <FieldError error={error} field="contentType" id="err-type" />
      </label>
      {status && <span role="status">{status}</span>}
      <ProblemBanner error={error} />
    </div>
  );
};
