import type { Lead } from '../api/client';
import { ageing, leadName, STAGE_LABEL } from '../format';
import { href } from '../router';

/** The way back to the inbox, the lead's name, its stage and how it stands against the stage SLA. */
export const LeadHeader = ({ lead }: { lead: Lead }) => {
  const state = ageing(lead, Date.now());
  return (
    <>
      <p>
        <a href={href('/inbox')}>← Inbox</a>
      </p>
      <h1 id="lead-title">
        {leadName(lead)} <span class="muted">· {STAGE_LABEL[lead.stage]}</span>
        {state !== 'ok' && <em class={`badge ${state}`}>{state === 'overdue' ? 'Overdue' : 'Ageing'}</em>}
      </h1>
    </>
  );
};
