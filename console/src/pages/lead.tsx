import { useState } from 'preact/hooks';
import { api, type AuditEntry, type FeedItem, type Lead, must, type Session } from '../api/client';
import { useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { LeadActions } from './lead-actions';
import { LeadConsents } from './lead-consents';
import { LeadDuplicates } from './lead-duplicates';
import { LeadFeed } from './lead-feed';
import { LeadFields } from './lead-fields';
import { LeadHeader } from './lead-header';
import { LeadMerges } from './lead-merges';
import { LeadSteps } from './lead-steps';
import { LeadWhy } from './lead-why';
import { PendingApprovalNote } from '../components/pending-approval';
import { QuoteEditor } from '../components/quote-editor';

export type LeadWithAudit = Lead & { audit: AuditEntry[] };

const POLL_MS = 4000;

const auditToFeed = (audit: AuditEntry[]): FeedItem[] =>
  audit.map((a) => ({
    kind: 'audit',
    at: a.at,
    action: a.action,
    actor: a.actor,
    from: a.from ?? undefined,
    to: a.to ?? undefined,
    why: a.why,
  }));

/** The lead and its feed; without the feed route (older APIs), the feed is the lead's own audit trail. */
const loadLead = async (id: string): Promise<{ lead: LeadWithAudit; feed: FeedItem[] }> => {
  const lead = (await must(api.GET('/leads/{id}', { params: { path: { id } } }))) as LeadWithAudit;
  const f = await api.GET('/leads/{id}/feed', { params: { path: { id } } });
  return { lead, feed: f.response.ok && f.data ? f.data.items : auditToFeed([...lead.audit].reverse()) };
};

/** One lead: what leadflow knows, why it was assigned, its feed, and the actions its stage allows. */
export const LeadPage = ({ id, session }: { id: string; session: Session }) => {
  const { data, error, reload } = useResource(() => loadLead(id), [id], { pollMs: POLL_MS });
  // What the last action or save did, in words; shown under the actions.
  const [notice, setNotice] = useState<string>();

  if (error && !data) return <ProblemBanner error={error} />;
  if (!data) return <p class="loading">Loading…</p>;
  const { lead, feed } = data;
  // A merged lead's URL answers with its survivor (the API redirects): show the survivor's address.
  if (lead.id !== id) history.replaceState(null, '', `#/leads/${encodeURIComponent(lead.id)}`);
  return (
    <article aria-labelledby="lead-title">
      <LeadHeader lead={lead} />
      <ProblemBanner error={error} />
      <PendingApprovalNote lead={lead} />
      <LeadActions lead={lead} session={session} notice={notice} onNotice={setNotice} onActed={reload} />
      <LeadSteps lead={lead} onNotice={setNotice} onChanged={reload} />
      <LeadDuplicates lead={lead} />
      <div class="grid2">
        <LeadFields
          lead={lead}
          session={session}
          onSaved={() => {
            setNotice('Lead saved; the score has been recalculated.');
            void reload();
          }}
        />
        <LeadWhy lead={lead} session={session} onChange={reload} />
      </div>
      <LeadConsents lead={lead} />
      <LeadMerges lead={lead} onUndone={reload} />
      {lead.stage !== 'Creation' && lead.stage !== 'Disqualified' ? <QuoteEditor owner={{ leadId: lead.id }} /> : null}
      <LeadFeed lead={lead} feed={feed} onAdded={reload} />
    </article>
  );
};
