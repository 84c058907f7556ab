import { useState } from 'preact/hooks';
import { DurationInput } from '../components/duration-input';
import { ApiProblem, type ConfigValues, type LeadAction, type Schemas } from '../api/client';
import type { EditorProps } from '../components/config-fields';
import { ProblemBanner } from '../components/problem';
import { ACTION_LABEL, STAGE_LABEL } from '../format';

type Settings = Schemas['StageSettings'];
type StagesValue = ConfigValues['stages'];

const STAGES = ['Assigned', 'MarketQualified', 'SalesQualified'] as const;
const ACTIONS: LeadAction[] = ['qualify', 'handoff', 'distribute', 'disqualify', 'convert'];

const reasonAt = (error: unknown, path: string) =>
  error instanceof ApiProblem
    ? error.problem.errors?.find((e) => e.field === path || e.field.startsWith(`${path}.`))?.reason
    : undefined;

/** Per working stage: the SLA (a number of minutes, hours or days), the actions reps may take, and what ageing does. */
export const StagesEditor = ({ value, error, canEdit, onSave }: EditorProps<'stages'>) => {
  const [stages, setStages] = useState<StagesValue>(() => structuredClone(value));
  const update = (stage: (typeof STAGES)[number], patch: (s: Settings) => Settings) =>
    setStages((all) => ({ ...all, [stage]: patch(all[stage]) }));
  return (
    <form
      aria-label="Stages and SLAs"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(stages);
      }}
    >
      {STAGES.map((stage) => {
        const s = stages[stage];
        const slaReason = reasonAt(error, `value.${stage}.sla`);
        return (
          <fieldset key={stage} disabled={!canEdit} data-stage={stage}>
            <legend>{STAGE_LABEL[stage]}</legend>
            <DurationInput
              label="SLA"
              value={s.sla}
              id={`${stage}-sla`}
              reason={slaReason}
              onChange={(v) => update(stage, (x) => ({ ...x, sla: v }))}
            />
            <fieldset>
              <legend>Allowed actions</legend>
              {ACTIONS.map((a) => (
                <label class="check" key={a}>
                  <input
                    type="checkbox"
                    checked={s.allowedActions.includes(a)}
                    onChange={(e) =>
                      update(stage, (x) => ({
                        ...x,
                        allowedActions: e.currentTarget.checked
                          ? [...x.allowedActions, a]
                          : x.allowedActions.filter((y) => y !== a),
                      }))
                    }
                  />
                  {ACTION_LABEL[a]}
                </label>
              ))}
              {reasonAt(error, `value.${stage}.allowedActions`) && (
                <span class="field-error">{reasonAt(error, `value.${stage}.allowedActions`)}</span>
              )}
            </fieldset>
            <label>
              On ageing
              <select
                value={s.escalation.action}
                onChange={(e) =>
                  update(stage, (x) => ({
                    ...x,
                    escalation: { ...x.escalation, action: e.currentTarget.value as Settings['escalation']['action'] },
                  }))
                }
              >
                <option value="notify-manager">notify the manager</option>
                <option value="reassign-next">reassign to the next rep</option>
                <option value="reassign-queue">move to the queue</option>
              </select>
            </label>
            <label>
              Escalations before the final act
              <input
                type="number"
                min={0}
                max={10}
                value={s.escalation.maxEscalations}
                onInput={(e) =>
                  update(stage, (x) => ({
                    ...x,
                    escalation: { ...x.escalation, maxEscalations: Number(e.currentTarget.value) },
                  }))
                }
              />
              {reasonAt(error, `value.${stage}.escalation.maxEscalations`) && (
                <span class="field-error">{reasonAt(error, `value.${stage}.escalation.maxEscalations`)}</span>
              )}
            </label>
            <label>
              Final act
              <select
                value={s.escalation.finalAct}
                onChange={(e) =>
                  update(stage, (x) => ({
                    ...x,
                    escalation: {
                      ...x.escalation,
                      finalAct: e.currentTarget.value as Settings['escalation']['finalAct'],
                    },
                  }))
                }
              >
                <option value="park-manager-queue">park in the manager's queue</option>
                <option value="disqualify">disqualify ("aged out")</option>
              </select>
            </label>
          </fieldset>
        );
      })}
      {error instanceof ApiProblem && error.status !== 409 && <ProblemBanner error={error} />}
      {canEdit && (
        <button type="submit" class="primary">
          Validate and save
        </button>
      )}
    </form>
  );
};
