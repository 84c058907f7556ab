import type { Lead } from '../api/client';
import { ageing, duration, leadName, STAGE_LABEL, when } from '../format';
import { href } from '../router';
import { type PathStep, stagePath } from '../stage-path';
import type { LeadWithAudit } from './lead';

/** The way back to the inbox, the lead's name, its stage, how it stands against the stage SLA, and its stage path. */
export const LeadHeader = ({ lead }: { lead: LeadWithAudit }) => {
  const now = Date.now();
  const state = ageing(lead, now);
  return (
    <>
      <p>
        <a href={href('/inbox')}>← Inbox</a>
      </p>
      <h1 id="lead-title">
        {leadName(lead)} <span class="muted">· {STAGE_LABEL[lead.stage]}</span>
        {state !== 'ok' && <em class={`badge ${state}`}>{state === 'overdue' ? 'Overdue' : 'Ageing'}</em>}
      </h1>
      <StagePath lead={lead} steps={stagePath(lead, lead.audit, now)} />
    </>
  );
};

const STATUS_WORD: Record<PathStep['status'], string> = {
  done: 'done',
  current: 'current stage',
  skipped: 'skipped',
  todo: 'not reached',
};

/** The stages in order, the current one marked, each with the time the lead spent in it. */
export const StagePath = ({ lead, steps }: { lead: Lead; steps: PathStep[] }) => (
  <ol class="stage-path" aria-label="Stage path" data-testid="stage-path">
    {steps.map((s) => (
      <li
        key={s.stage}
        class={`step ${s.status}${s.stage === 'Disqualified' ? ' lost' : ''}`}
        aria-current={s.status === 'current' ? 'step' : undefined}
        data-stage={s.stage}
        title={s.enteredAt ? `entered ${when(s.enteredAt)}` : undefined}
      >
        <span class="label">{STAGE_LABEL[s.stage]}</span>
        <span class="time">
          <span class="sr-only">{STATUS_WORD[s.status]}, </span>
          {s.status === 'todo' || s.status === 'skipped'
            ? s.status === 'skipped'
              ? 'skipped'
              : '—'
            : s.stage === 'Converted' || s.stage === 'Disqualified'
              ? when(lead.stageEnteredAt).split(',')[0]
              : duration(s.ms)}
        </span>
      </li>
    ))}
  </ol>
);
