import { useState } from 'preact/hooks';
import type { ConfigValues, Schemas } from '../api/client';
import { type EditorProps, invalid, moveItem, Reason, RowButtons, SaveBar } from '../components/config-fields';

type OpportunityStage = Schemas['OpportunityStage'];
type OpportunityStagesValue = ConfigValues['opportunity-stages'];

const SETS = [
  { key: 'B2B', label: 'B2B opportunities' },
  { key: 'B2C', label: 'B2C opportunities' },
] as const;

/** What the browser can check before saving; the server checks again (names unique, an open first stage, a won and a lost stage). */
const validate = (sets: OpportunityStagesValue): Record<string, string> => {
  const issues: Record<string, string> = {};
  for (const { key } of SETS) {
    sets[key].forEach((stage, i) => {
      if (!stage.name.trim()) issues[`value.${key}.${i}.name`] = 'name the stage';
      if (!Number.isInteger(stage.probability) || stage.probability < 0 || stage.probability > 100)
        issues[`value.${key}.${i}.probability`] = 'a whole percentage from 0 to 100';
    });
  }
  return issues;
};

/**
 * The opportunity stage sets: a lead's type (B2B or B2C) picks the set its opportunity moves through,
 * in order; each stage has a win probability, and closed stages end the opportunity as won or lost.
 */
export const OpportunityStagesEditor = ({ value, error, canEdit, onSave }: EditorProps<'opportunity-stages'>) => {
  const [sets, setSets] = useState<OpportunityStagesValue>(() => structuredClone(value));
  const [local, setLocal] = useState<Record<string, string>>({});
  const setStages = (key: keyof OpportunityStagesValue, patch: (stages: OpportunityStage[]) => OpportunityStage[]) =>
    setSets((s) => ({ ...s, [key]: patch(s[key]) }));
  const update = (key: keyof OpportunityStagesValue, i: number, patch: (s: OpportunityStage) => OpportunityStage) =>
    setStages(key, (stages) => stages.map((s, j) => (j === i ? patch(s) : s)));

  const submit = (e: Event) => {
    e.preventDefault();
    const issues = validate(sets);
    setLocal(issues);
    if (Object.keys(issues).length === 0) void onSave(sets);
  };

  return (
    <form onSubmit={submit} aria-label="Opportunity stages" noValidate>
      <p class="muted">
        New opportunities start in the first stage, which must be open; each set needs a won and a lost stage. Existing
        opportunities keep their stage name.
      </p>
      {SETS.map(({ key, label }) => (
        <fieldset key={key} disabled={!canEdit} data-stage-set={key}>
          <legend>{label}</legend>
          <Reason error={error} exact path={`value.${key}`} id={`${key}-set-err`} />
          <table aria-describedby={`${key}-set-err`}>
            <caption class="muted">{key} stages, in order</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Stage</th>
                <th scope="col">Win probability (%)</th>
                <th scope="col">Ends the opportunity</th>
                <th scope="col">
                  <span class="muted">Order</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sets[key].map((stage, i) => {
                const p = `value.${key}.${i}`;
                const id = `${key}-${i}`;
                const name = stage.name || `stage ${i + 1}`;
                return (
                  <tr key={id} data-stage-index={i}>
                    <td class="num">{i + 1}</td>
                    <td>
                      <input
                        aria-label={`${key} stage ${i + 1} name`}
                        value={stage.name}
                        aria-invalid={invalid(error, `${p}.name`, local)}
                        aria-describedby={`${id}-name-err`}
                        onInput={(e) => update(key, i, (s) => ({ ...s, name: e.currentTarget.value }))}
                      />
                      <Reason error={error} local={local} path={`${p}.name`} id={`${id}-name-err`} />
                    </td>
                    <td>
                      <input
                        type="number"
                        min={0}
                        max={100}
                        aria-label={`${key} ${name} probability`}
                        value={Number.isNaN(stage.probability) ? '' : stage.probability}
                        aria-invalid={invalid(error, `${p}.probability`, local)}
                        aria-describedby={`${id}-prob-err`}
                        onInput={(e) =>
                          update(key, i, (s) => ({
                            ...s,
                            probability:
                              e.currentTarget.value.trim() === '' ? Number.NaN : Number(e.currentTarget.value),
                          }))
                        }
                      />
                      <Reason error={error} local={local} path={`${p}.probability`} id={`${id}-prob-err`} />
                    </td>
                    <td>
                      <select
                        aria-label={`${key} ${name} ends the opportunity`}
                        value={stage.closed ?? ''}
                        aria-invalid={invalid(error, `${p}.closed`)}
                        aria-describedby={`${id}-closed-err`}
                        onChange={(e) => {
                          const closed = e.currentTarget.value;
                          update(key, i, ({ closed: _, ...s }) =>
                            closed === 'won' || closed === 'lost' ? { ...s, closed } : s,
                          );
                        }}
                      >
                        <option value="">no (open)</option>
                        <option value="won">yes, won</option>
                        <option value="lost">yes, lost</option>
                      </select>
                      <Reason error={error} path={`${p}.closed`} id={`${id}-closed-err`} />
                    </td>
                    <td>
                      <RowButtons
                        label={`${key} ${name}`}
                        index={i}
                        count={sets[key].length}
                        onMove={(by) => setStages(key, (stages) => moveItem(stages, i, by))}
                        onRemove={() => setStages(key, (stages) => stages.filter((_, j) => j !== i))}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {canEdit && (
            <div class="actions">
              <button
                type="button"
                onClick={() =>
                  setStages(key, (stages) => [
                    ...stages.filter((s) => !s.closed),
                    { name: '', probability: 50 },
                    ...stages.filter((s) => s.closed),
                  ])
                }
              >
                Add a {key} stage
              </button>
            </div>
          )}
        </fieldset>
      ))}
      <SaveBar local={local} error={error} canEdit={canEdit} />
    </form>
  );
};
