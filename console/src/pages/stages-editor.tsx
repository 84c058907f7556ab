import { useState } from 'preact/hooks';
import { DurationInput } from '../components/duration-input';
import { ApiProblem, type ConfigValues, type LeadAction, type Schemas } from '../api/client';
import type { EditorProps } from '../components/config-fields';
import { ProblemBanner } from '../components/problem';
import { ACTION_LABEL, STAGE_LABEL } from '../format';
import { CriteriaEditor, CriteriaSuggestions, StepsEditor, validateSteps } from './stage-steps';

type Settings = Schemas['StageSettings'];
type StagesValue = ConfigValues['stages'];

const STAGES = ['Assigned', 'MarketQualified', 'SalesQualified'] as const;
const ACTIONS: LeadAction[] = ['qualify', 'handoff', 'distribute', 'disqualify', 'convert'];

const reasonAt = (error: unknown, path: string) =>
  error instanceof ApiProblem
    ? error.problem.errors?.find((e) => e.field === path || e.field.startsWith(`${path}.`))?.reason
    : undefined;

/**
 * Per working stage: the SLA (a number of minutes, hours or days), the actions reps may take, what
 * ageing does, the ordered steps reps work in it, and the criteria each transition out of it needs.
 */
export const StagesEditor = ({ value, error, canEdit, onSave }: EditorProps<'stages'>) => {
  const [stages, setStages] = useState<StagesValue>(() => structuredClone(value));
  const [local, setLocal] = useState<Record<string, string>>({});
  const update = (stage: (typeof STAGES)[number], patch: (s: Settings) => Settings) =>
    setStages((all) => ({ ...all, [stage]: patch(all[stage]) }));
  return (
    <form
      aria-label="Stages and SLAs"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const issues = Object.assign({}, ...STAGES.map((stage) => validateSteps(`value.${stage}`, stages[stage])));
        setLocal(issues);
        if (Object.keys(issues).length === 0) void onSave(stages);
      }}
    >
      <CriteriaSuggestions />
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
            <StepsEditor
              stage={stage}
              stageLabel={STAGE_LABEL[stage]}
              path={`value.${stage}`}
              steps={s.steps ?? []}
              error={error}
              local={local}
              onChange={(steps) => update(stage, (x) => ({ ...x, steps: steps.length > 0 ? steps : undefined }))}
            />
            <CriteriaEditor
              stage={stage}
              stageLabel={STAGE_LABEL[stage]}
              path={`value.${stage}`}
              criteria={s.criteria}
              allowedActions={s.allowedActions}
              error={error}
              local={local}
              onChange={(criteria) => update(stage, (x) => ({ ...x, criteria }))}
            />
          </fieldset>
        );
      })}
      <fieldset disabled={!canEdit}>
        <legend>Waking the lifecycle</legend>
        <label class="check">
          <input
            type="checkbox"
            checked={stages.quietActions === true}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              setStages((all) => ({ ...all, quietActions: on }));
            }}
          />
          Quiet actions: a qualify or hand-off that only moves the deadline later leaves the lead's execution asleep
        </label>
        <p class="muted">
          Cheaper on AWS when reps work a lead in one sitting; dearer when each stage's earlier timer runs out between
          actions.
        </p>
      </fieldset>
      {Object.keys(local).length > 0 && (
        <p class="field-error" role="alert">
          Fix the fields marked above before saving.
        </p>
      )}
      {error instanceof ApiProblem && error.status !== 409 && <ProblemBanner error={error} />}
      {canEdit && (
        <button type="submit" class="primary">
          Validate and save
        </button>
      )}
    </form>
  );
};
