import type { Lead } from '../api/client';
import { CompleteStep } from '../components/complete-step';
import { ACTION_LABEL, STAGE_LABEL, when } from '../format';

type Checklist = NonNullable<Lead['checklist']>;

/** The steps of the lead's stage (due, done with which outcome) with a control to complete each open one. */
export const LeadSteps = ({
  lead,
  onNotice,
  onChanged,
}: {
  lead: Lead;
  onNotice: (text: string) => void;
  onChanged: () => Promise<void>;
}) => {
  const steps = lead.steps?.stage === lead.stage ? lead.steps.items : [];
  if (steps.length === 0 && !(lead.checklist ?? []).some((c) => c.criteria.length > 0)) return null;
  return (
    <section aria-labelledby="steps-title">
      <h2 id="steps-title">Steps in {STAGE_LABEL[lead.stage]}</h2>
      <ol class="rules" aria-label="Stage steps">
        {steps.map((s) => (
          <li key={s.id} data-step-id={s.id} data-status={s.status}>
            <strong>{s.name}</strong>{' '}
            <span class="muted">
              ({s.kind}
              {s.required ? ', required' : ''})
            </span>{' '}
            · due {when(s.dueAt)} ·{' '}
            {s.status === 'done' ? (
              <span>
                done: <em>{s.outcome}</em>
                {s.completedBy ? ` by ${s.completedBy}` : ''}
              </span>
            ) : (
              s.status
            )}
            {s.status === 'open' && (
              <CompleteStep
                step={s}
                onDone={async (woken) => {
                  onNotice(
                    woken
                      ? `${s.name} completed; the lead moves on by itself if its criteria are met.`
                      : `${s.name} completed.`,
                  );
                  await onChanged();
                }}
              />
            )}
          </li>
        ))}
      </ol>
      <CriteriaChecklist checklist={lead.checklist ?? []} />
    </section>
  );
};

/** For each action possible now, its qualification criteria, met or not. */
export const CriteriaChecklist = ({ checklist }: { checklist: Checklist }) => (
  <section aria-label="Qualification criteria">
    {checklist
      .filter((c) => c.criteria.length > 0)
      .map((c) => (
        <div key={c.action} data-action={c.action}>
          <h3>
            {ACTION_LABEL[c.action]} {c.met ? '— ready' : '— not yet'}
          </h3>
          <ul>
            {c.criteria.map((k) => (
              <li key={k.criterion} data-met={String(k.met)}>
                {k.met ? '✓' : '✗'} {k.criterion}
              </li>
            ))}
          </ul>
        </div>
      ))}
  </section>
);
