import type { InputHTMLAttributes } from 'preact';
import { useState } from 'preact/hooks';
import { invalid, moveItem, Reason, RowButtons, reasonUnder } from '../components/config-fields';
import { DurationInput } from '../components/duration-input';
import { UserPicker } from '../components/pickers';
import { ACTION_LABEL } from '../format';
import {
  ACTIVITIES,
  BANDS,
  CRITERIA_ACTIONS,
  CRITERION_KINDS,
  type Criterion,
  type CriterionKind,
  FIELDS,
  KINDS,
  OUTCOME_ACTIONS,
  type OutcomeAction,
  type Settings,
  type Step,
  blank,
  fieldOf,
  kindOf,
  newStep,
  scalar,
} from '../stage-steps-model';

export { validateSteps } from '../stage-steps-model';

/** Outcomes as removable tags plus a text box that adds one on Enter or with its button. */
const OutcomeTags = ({
  id,
  label,
  outcomes,
  onChange,
  describedBy,
  isInvalid,
}: {
  id: string;
  label: string;
  outcomes: string[];
  onChange: (outcomes: string[]) => void;
  describedBy: string;
  isInvalid?: true;
}) => {
  const [draft, setDraft] = useState('');
  const add = () => {
    const name = draft.trim();
    if (name && !outcomes.includes(name)) onChange([...outcomes, name]);
    setDraft('');
  };
  return (
    <fieldset class="tags">
      <legend>Outcomes</legend>
      <ul aria-label={`Outcomes of ${label}`}>
        {outcomes.map((o) => (
          <li key={o} class="tag">
            {o}{' '}
            <button
              type="button"
              aria-label={`Remove outcome ${o} from ${label}`}
              onClick={() => onChange(outcomes.filter((x) => x !== o))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <label>
        New outcome
        <input
          id={`${id}-outcome-new`}
          value={draft}
          aria-invalid={isInvalid}
          aria-describedby={describedBy}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
      </label>
      <button type="button" onClick={add} aria-label={`Add outcome to ${label}`}>
        Add outcome
      </button>
    </fieldset>
  );
};

/**
 * A stage's ordered steps: what reps do as a lead enters it, who does it, when it is due (business
 * hours when the team has a calendar), and which outcome moves the lead on by itself.
 */
export const StepsEditor = ({
  stage,
  stageLabel,
  path,
  steps,
  onChange,
  error,
  local,
}: {
  stage: string;
  stageLabel: string;
  path: string;
  steps: Step[];
  onChange: (steps: Step[]) => void;
  error: unknown;
  local: Record<string, string>;
}) => {
  const updateStep = (k: number, patch: (s: Step) => Step) => onChange(steps.map((s, y) => (y === k ? patch(s) : s)));
  return (
    <fieldset data-steps={stage}>
      <legend>Steps, in order</legend>
      <p class="muted">
        Opened for the rep as a lead enters {stageLabel}; a required step must be done before the lead moves on. An
        outcome mapped to an action takes it by itself when that action's criteria are met. Due times count from stage
        entry, in business hours when the lead's team has a calendar (Teams).
      </p>
      <Reason error={error} exact path={`${path}.steps`} id={`${stage}-steps-err`} />
      <ol class="rules">
        {steps.map((step, k) => {
          const sp = `${path}.steps.${k}`;
          const sid = `${stage}-step-${k}`;
          const label = `step ${k + 1} of ${stageLabel}`;
          return (
            <li key={sid} data-step-index={k}>
              <fieldset>
                <legend>
                  Step {k + 1}
                  {step.name ? `: ${step.name}` : ''}
                </legend>
                <label>
                  Step name
                  <input
                    value={step.name}
                    aria-invalid={invalid(error, `${sp}.name`, local)}
                    aria-describedby={`${sid}-name-err`}
                    onInput={(e) => updateStep(k, (s) => ({ ...s, name: e.currentTarget.value }))}
                  />
                  <Reason error={error} local={local} path={`${sp}.name`} id={`${sid}-name-err`} />
                </label>
                <label>
                  Kind
                  <select
                    value={step.kind}
                    onChange={(e) => updateStep(k, (s) => ({ ...s, kind: e.currentTarget.value as Step['kind'] }))}
                  >
                    {KINDS.map((kind) => (
                      <option key={kind} value={kind}>
                        {kind}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Done by
                  <select
                    value={step.assignee}
                    onChange={(e) => {
                      const assignee = e.currentTarget.value as Step['assignee'];
                      updateStep(k, ({ user, ...s }) =>
                        assignee === 'user' ? { ...s, assignee, user: user ?? '' } : { ...s, assignee },
                      );
                    }}
                  >
                    <option value="owner">the lead's owner</option>
                    <option value="team">anyone in the lead's team</option>
                    <option value="user">a named user</option>
                  </select>
                </label>
                {step.assignee === 'user' && (
                  <UserPicker
                    label="Person"
                    value={step.user ?? ''}
                    aria-invalid={invalid(error, `${sp}.user`, local)}
                    aria-describedby={`${sid}-user-err`}
                    onChange={(v) => updateStep(k, (s) => ({ ...s, user: v }))}
                  >
                    <Reason error={error} local={local} path={`${sp}.user`} id={`${sid}-user-err`} />
                  </UserPicker>
                )}
                <DurationInput
                  label="Due after"
                  value={step.due}
                  id={`${sid}-due`}
                  reason={reasonUnder(error, `${sp}.due`)}
                  onChange={(v) => updateStep(k, (s) => ({ ...s, due: v }))}
                />
                <label class="check">
                  <input
                    type="checkbox"
                    checked={step.required}
                    onChange={(e) => {
                      const required = e.currentTarget.checked;
                      updateStep(k, (s) => ({ ...s, required }));
                    }}
                  />
                  Required before the lead moves on
                </label>
                <OutcomeTags
                  id={sid}
                  label={label}
                  outcomes={step.outcomes}
                  describedBy={`${sid}-outcomes-err`}
                  isInvalid={invalid(error, `${sp}.outcomes`, local)}
                  onChange={(outcomes) =>
                    updateStep(k, (s) => {
                      const actions = Object.fromEntries(
                        Object.entries(s.actions ?? {}).filter(([o]) => outcomes.includes(o)),
                      );
                      return { ...s, outcomes, actions: Object.keys(actions).length > 0 ? actions : undefined };
                    })
                  }
                />
                <Reason error={error} local={local} path={`${sp}.outcomes`} id={`${sid}-outcomes-err`} />
                {step.outcomes.length > 0 && (
                  <fieldset>
                    <legend>What each outcome does</legend>
                    {step.outcomes.map((o, n) => {
                      const mapped = step.actions?.[o];
                      const setMapped = (next: NonNullable<Step['actions']>[string] | undefined) =>
                        updateStep(k, (s) => {
                          const { [o]: _, ...rest } = s.actions ?? {};
                          const actions = next ? { ...rest, [o]: next } : rest;
                          return { ...s, actions: Object.keys(actions).length > 0 ? actions : undefined };
                        });
                      return (
                        <div key={o} class="outcome-action" data-outcome={o}>
                          <label>
                            When “{o}”
                            <select
                              value={mapped?.action ?? ''}
                              aria-invalid={invalid(error, `${sp}.actions.${o}`)}
                              aria-describedby={`${sid}-action-${n}-err`}
                              onChange={(e) => {
                                const action = e.currentTarget.value as OutcomeAction | '';
                                setMapped(
                                  action === ''
                                    ? undefined
                                    : action === 'disqualify'
                                      ? { action, reason: mapped?.reason ?? o }
                                      : { action },
                                );
                              }}
                            >
                              <option value="">record it only</option>
                              {OUTCOME_ACTIONS.map((a) => (
                                <option key={a} value={a}>
                                  {ACTION_LABEL[a]}
                                </option>
                              ))}
                            </select>
                            <Reason error={error} path={`${sp}.actions.${o}`} id={`${sid}-action-${n}-err`} />
                          </label>
                          {mapped?.action === 'disqualify' && (
                            <label>
                              Disqualify reason for “{o}”
                              <input
                                value={mapped.reason ?? ''}
                                aria-invalid={invalid(error, `${sp}.actions.${o}.reason`)}
                                aria-describedby={`${sid}-reason-${n}-err`}
                                onInput={(e) => setMapped({ action: 'disqualify', reason: e.currentTarget.value })}
                              />
                              <Reason error={error} path={`${sp}.actions.${o}.reason`} id={`${sid}-reason-${n}-err`} />
                            </label>
                          )}
                        </div>
                      );
                    })}
                  </fieldset>
                )}
                <RowButtons
                  label={label}
                  noun="step"
                  index={k}
                  count={steps.length}
                  onMove={(by) => onChange(moveItem(steps, k, by))}
                  onRemove={() => onChange(steps.filter((_, y) => y !== k))}
                />
              </fieldset>
            </li>
          );
        })}
      </ol>
      {steps.length === 0 && <p class="muted">No steps: reps work the lead as they see fit.</p>}
      <div class="actions">
        <button
          type="button"
          onClick={() => onChange([...steps, newStep()])}
          aria-label={`Add a step to ${stageLabel}`}
        >
          Add a step
        </button>
      </div>
    </fieldset>
  );
};

/** Suggestions for the criteria's field and activity inputs; rendered once per form. */
export const CriteriaSuggestions = () => (
  <>
    <datalist id="criterion-fields">
      {FIELDS.map((f) => (
        <option key={f} value={f} />
      ))}
    </datalist>
    <datalist id="criterion-activities">
      {ACTIVITIES.map((a) => (
        <option key={a} value={a} />
      ))}
    </datalist>
  </>
);

/** One condition as a sentence with its inputs in place: "company is filled in", "at least 2 meeting". */
const CriterionSentence = ({
  c,
  id,
  p,
  error,
  local,
  onChange,
}: {
  c: Criterion;
  id: string;
  p: string;
  error: unknown;
  local: Record<string, string>;
  onChange: (c: Criterion) => void;
}) => {
  /** One input of the sentence, labelled, with the API's (or the form's own) reason for its path beside it. */
  const part = (name: string, label: string, input: InputHTMLAttributes<HTMLInputElement>) => (
    <label>
      {label}
      <input {...input} aria-invalid={invalid(error, `${p}.${name}`, local)} aria-describedby={`${id}-${name}-err`} />
      <Reason error={error} local={local} path={`${p}.${name}`} id={`${id}-${name}-err`} />
    </label>
  );
  const fieldInput =
    'field' in c &&
    part('field', 'Lead field', {
      list: 'criterion-fields',
      value: c.field,
      onInput: (e) => onChange({ ...c, field: e.currentTarget.value }),
    });
  if ('present' in c) return <span class="sentence">{fieldInput} is filled in</span>;
  if ('equals' in c)
    return (
      <span class="sentence">
        {fieldInput}
        {part('equals', 'equals', {
          value: String(c.equals),
          onInput: (e) => onChange({ field: c.field, equals: scalar(e.currentTarget.value) }),
        })}
      </span>
    );
  if ('in' in c)
    return (
      <span class="sentence">
        {fieldInput}
        {part('in', 'is one of (comma-separated)', {
          value: c.in.join(', '),
          onChange: (e) =>
            onChange({
              field: c.field,
              in: e.currentTarget.value
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
                .map((s) => {
                  const v = scalar(s);
                  return typeof v === 'boolean' ? s : v;
                }),
            }),
        })}
      </span>
    );
  if ('scoreBand' in c)
    return (
      <span class="sentence">
        <label>
          The score band is
          <select
            value={c.scoreBand}
            onChange={(e) => onChange({ scoreBand: e.currentTarget.value as (typeof BANDS)[number] })}
          >
            {BANDS.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        or better
      </span>
    );
  if ('activity' in c)
    return (
      <span class="sentence">
        {part('atLeast', 'At least', {
          type: 'number',
          min: 1,
          max: 1000,
          value: c.atLeast ?? 1,
          onInput: (e) => onChange({ ...c, atLeast: Number(e.currentTarget.value) }),
        })}
        {part('activity', 'activities of type', {
          list: 'criterion-activities',
          value: c.activity,
          onInput: (e) => onChange({ ...c, activity: e.currentTarget.value }),
        })}
      </span>
    );
  return (
    <span class="sentence">
      {part('step', 'A step (any, or this name)', {
        value: c.step ?? '',
        onInput: (e) => {
          const step = e.currentTarget.value;
          onChange(step.trim() ? { outcome: c.outcome, step } : { outcome: c.outcome });
        },
      })}
      {part('outcome', 'ended with the outcome', {
        value: c.outcome,
        onInput: (e) => onChange({ ...c, outcome: e.currentTarget.value }),
      })}
    </span>
  );
};

/** Per transition out of the stage, the conditions that must all hold, or the action is refused naming each unmet one. */
export const CriteriaEditor = ({
  stage,
  stageLabel,
  path,
  criteria,
  allowedActions,
  onChange,
  error,
  local,
}: {
  stage: string;
  stageLabel: string;
  path: string;
  criteria: Settings['criteria'];
  allowedActions: readonly string[];
  onChange: (criteria: Settings['criteria']) => void;
  error: unknown;
  local: Record<string, string>;
}) => {
  const setList = (action: (typeof CRITERIA_ACTIONS)[number], list: Criterion[]) => {
    const { [action]: _, ...rest } = criteria ?? {};
    const next = list.length > 0 ? { ...rest, [action]: list } : rest;
    onChange(Object.keys(next).length > 0 ? next : undefined);
  };
  return (
    <fieldset data-criteria={stage}>
      <legend>Qualification criteria</legend>
      {CRITERIA_ACTIONS.filter((a) => allowedActions.includes(a) || (criteria?.[a]?.length ?? 0) > 0).map((action) => {
        const list = criteria?.[action] ?? [];
        const ap = `${path}.criteria.${action}`;
        const label = `${ACTION_LABEL[action]} from ${stageLabel}`;
        return (
          <fieldset key={action} data-criteria-action={action}>
            <legend>Before “{ACTION_LABEL[action]}”, all of these hold</legend>
            <Reason error={error} exact path={ap} id={`${stage}-${action}-criteria-err`} />
            <ol class="rules">
              {list.map((c, k) => {
                const p = `${ap}.${k}`;
                const id = `${stage}-${action}-criterion-${k}`;
                return (
                  <li key={id} data-criterion-index={k}>
                    <label>
                      Condition {k + 1}
                      <select
                        value={kindOf(c)}
                        onChange={(e) =>
                          setList(
                            action,
                            list.map((x, y) =>
                              y === k ? blank(e.currentTarget.value as CriterionKind, fieldOf(x)) : x,
                            ),
                          )
                        }
                      >
                        {CRITERION_KINDS.map((o) => (
                          <option key={o.kind} value={o.kind}>
                            {o.label}
                          </option>
                        ))}
                      </select>
                    </label>
                    <CriterionSentence
                      c={c}
                      id={id}
                      p={p}
                      error={error}
                      local={local}
                      onChange={(next) =>
                        setList(
                          action,
                          list.map((x, y) => (y === k ? next : x)),
                        )
                      }
                    />
                    <Reason error={error} exact path={p} id={`${id}-err`} />
                    <div class="actions">
                      <button
                        type="button"
                        aria-label={`Remove condition ${k + 1} before ${label}`}
                        onClick={() =>
                          setList(
                            action,
                            list.filter((_, y) => y !== k),
                          )
                        }
                      >
                        Remove condition
                      </button>
                    </div>
                  </li>
                );
              })}
            </ol>
            {list.length === 0 && <p class="muted">No conditions: a rep may take this action at any time.</p>}
            <div class="actions">
              <button
                type="button"
                aria-label={`Add a condition before ${label}`}
                onClick={() => setList(action, [...list, { field: '', present: true }])}
              >
                Add a condition
              </button>
            </div>
          </fieldset>
        );
      })}
    </fieldset>
  );
};
