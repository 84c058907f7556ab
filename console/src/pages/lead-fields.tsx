import { useState } from 'preact/hooks';
import type { Lead, Session } from '../api/client';
import { duration, isManager, STAGE_LABEL, when } from '../format';
import { Mailto, RecordLink, Tel } from '../components/record-links';
import { useDirectory } from '../directory';
import { ConsentAndCustomFields, LeadEditForm } from './lead-edit';

/** Why the caller may not edit the lead, in words, or undefined when they may. */
const editBlockedReason = (lead: Lead, session: Session, nameOf: (u: string) => string): string | undefined => {
  if (lead.stage === 'Converted' || lead.stage === 'Disqualified')
    return `A ${STAGE_LABEL[lead.stage]} lead can no longer be edited`;
  if (lead.owner && lead.owner !== session.user && !isManager(session))
    return `Only the owner (${nameOf(lead.owner)}) or a manager can edit this lead`;
  return undefined;
};

/** What leadflow knows about the lead, and its edit form when the caller may edit it. */
export const LeadFields = ({ lead, session, onSaved }: { lead: Lead; session: Session; onSaved: () => void }) => {
  const [editing, setEditing] = useState(false);
  const people = useDirectory();
  const editBlocked = editBlockedReason(lead, session, people.name);
  const now = Date.now();
  return (
    <section aria-labelledby="fields-title">
      <h2 id="fields-title">Lead</h2>
      {editing && !editBlocked ? (
        <LeadEditForm
          lead={lead}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            onSaved();
          }}
        />
      ) : (
        <p>
          <button
            type="button"
            onClick={() => setEditing(true)}
            disabled={Boolean(editBlocked)}
            aria-describedby={editBlocked ? 'why-edit' : undefined}
          >
            Edit
          </button>{' '}
          {editBlocked && <small id="why-edit">{editBlocked}</small>}
        </p>
      )}
      <dl class="fields">
        <dt>Name</dt>
        <dd>{[lead.firstName, lead.lastName].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Email</dt>
        <dd>
          <Mailto email={lead.email} />
        </dd>
        <dt>Phone</dt>
        <dd>
          <Tel phone={lead.phone} />
        </dd>
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
          {lead.owner ? people.name(lead.owner) : 'unassigned'}
          {lead.team ? ` · ${people.team(lead.team)}` : ''}
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
              <RecordLink kind="opportunity" id={lead.opportunityId} testId="opportunity-link" />
            </dd>
          </>
        )}
        {lead.accountId && (
          <>
            <dt>Account</dt>
            <dd>
              <RecordLink kind="account" id={lead.accountId} />
            </dd>
          </>
        )}
        {lead.contactId && (
          <>
            <dt>Contact</dt>
            <dd>
              <RecordLink kind="contact" id={lead.contactId} />
            </dd>
          </>
        )}
        {lead.disqualifyReason && (
          <>
            <dt>Disqualified</dt>
            <dd>{lead.disqualifyReason}</dd>
          </>
        )}
        {lead.nurture && (
          <>
            <dt>Nurture</dt>
            <dd data-testid="nurture-state">
              {lead.nurture.wokenAt
                ? `woken by new activity ${new Date(lead.nurture.wokenAt).toLocaleString()}: back at the next sweep`
                : `nurtured since ${new Date(lead.nurture.since).toLocaleDateString()}; recycles ${new Date(lead.nurture.recycleAt).toLocaleString()}${lead.nurture.onActivity ? ' or at new activity' : ''}`}
            </dd>
          </>
        )}
        {lead.parked && lead.execution?.endedAt && (
          <>
            <dt>Queue</dt>
            <dd data-testid="parked-state">parked in the manager queue (no workflow running): assign it to resume</dd>
          </>
        )}
      </dl>
    </section>
  );
};
