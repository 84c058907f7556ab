import { useState } from 'preact/hooks';
import { DurationInput } from '../components/duration-input';
import { UserPicker } from '../components/pickers';
import type { ConfigValues, Schemas } from '../api/client';
import {
  type EditorProps,
  invalid,
  moveItem,
  Reason,
  RowButtons,
  reasonUnder,
  SaveBar,
  splitList,
} from '../components/config-fields';

type ApprovalsValue = ConfigValues['approvals'];
type Chain = ApprovalsValue['chains'][number];
type Step = Schemas['ApprovalStep'];
type Group = NonNullable<Step['group']>;

const GROUPS: { value: Group; label: string }[] = [
  { value: 'manager', label: 'any manager' },
  { value: 'salesops', label: 'anyone in sales ops' },
  { value: 'rep', label: 'any rep' },
];
const LEAD_TYPES = ['B2B', 'B2C'] as const;
const REGIONS = 'DACH, EMEA, AMER, APAC, OTHER';

const newStep = (): Step => ({ name: '', group: 'manager', timeout: 'PT24H' });
const newChain = (): Chain => ({ name: '', when: {}, steps: [newStep()], onReject: 'return-to-sales-qualified' });

/** What the browser can check before saving; the server validates everything again and answers per field. */
const validate = (chains: Chain[]): Record<string, string> => {
  const issues: Record<string, string> = {};
  chains.forEach((chain, i) => {
    if (!chain.name.trim()) issues[`value.chains.${i}.name`] = 'name the chain';
    for (const c of chain.when.country ?? [])
      if (!/^[A-Z]{2}$/.test(c))
        issues[`value.chains.${i}.when.country`] = `'${c}' is not an upper-case ISO 3166-1 alpha-2 code`;
    chain.steps.forEach((step, k) => {
      if (!step.name.trim()) issues[`value.chains.${i}.steps.${k}.name`] = 'name the step';
      if (step.group === undefined && !step.approver?.trim())
        issues[`value.chains.${i}.steps.${k}.approver`] = 'name the approver';
    });
  });
  return issues;
};

/**
 * Approval chains as a form: the first chain whose segment matches a lead runs before conversion, step
 * by step; each step is decided by a named user or by a group, within its timeout.
 */
export const ApprovalsEditor = ({ value, error, canEdit, onSave }: EditorProps<'approvals'>) => {
  const [chains, setChains] = useState<Chain[]>(() => structuredClone(value.chains));
  const [local, setLocal] = useState<Record<string, string>>({});
  const update = (i: number, patch: (c: Chain) => Chain) =>
    setChains((cs) => cs.map((c, j) => (j === i ? patch(c) : c)));
  const updateStep = (i: number, k: number, patch: (s: Step) => Step) =>
    update(i, (c) => ({ ...c, steps: c.steps.map((s, y) => (y === k ? patch(s) : s)) }));
  const setWhen = <K extends keyof Chain['when']>(i: number, key: K, v: Chain['when'][K]) =>
    update(i, (c) => ({ ...c, when: { ...c.when, [key]: v } }));

  const submit = (e: Event) => {
    e.preventDefault();
    const issues = validate(chains);
    setLocal(issues);
    if (Object.keys(issues).length === 0) void onSave({ chains });
  };

  return (
    <form onSubmit={submit} aria-label="Approval chains" noValidate>
      <p class="muted">
        Before a lead converts, the first chain whose segment matches it runs step by step; a lead no chain matches
        converts without approval. Lists are comma-separated; an empty condition matches every lead. A step not decided
        within its timeout moves to the approver's manager (from Teams) and its timeout starts again.
      </p>
      <ol class="rules">
        {chains.map((chain, i) => {
          const p = `value.chains.${i}`;
          const id = `chain-${i}`;
          const label = `chain ${i + 1}`;
          return (
            <li key={id} data-chain-index={i}>
              <fieldset disabled={!canEdit}>
                <legend>
                  Chain {i + 1}
                  {chain.name ? `: ${chain.name}` : ''}
                </legend>
                <label>
                  Name
                  <input
                    value={chain.name}
                    aria-invalid={invalid(error, `${p}.name`, local)}
                    aria-describedby={`${id}-name-err`}
                    onInput={(e) => update(i, (c) => ({ ...c, name: e.currentTarget.value }))}
                  />
                  <Reason error={error} local={local} path={`${p}.name`} id={`${id}-name-err`} />
                </label>
                <fieldset>
                  <legend>Segment</legend>
                  <fieldset>
                    <legend>Lead type</legend>
                    {LEAD_TYPES.map((t) => (
                      <label class="check" key={t}>
                        <input
                          type="checkbox"
                          checked={chain.when.leadType?.includes(t) ?? false}
                          onChange={(e) => {
                            const next = e.currentTarget.checked
                              ? [...(chain.when.leadType ?? []), t]
                              : (chain.when.leadType ?? []).filter((x) => x !== t);
                            setWhen(i, 'leadType', next.length > 0 ? next : undefined);
                          }}
                        />
                        {t}
                      </label>
                    ))}
                    <Reason error={error} path={`${p}.when.leadType`} id={`${id}-type-err`} />
                  </fieldset>
                  <label>
                    Country (ISO codes)
                    <input
                      value={(chain.when.country ?? []).join(', ')}
                      aria-invalid={invalid(error, `${p}.when.country`, local)}
                      aria-describedby={`${id}-country-err`}
                      onChange={(e) => setWhen(i, 'country', splitList(e.currentTarget.value))}
                    />
                    <Reason error={error} local={local} path={`${p}.when.country`} id={`${id}-country-err`} />
                  </label>
                  <label>
                    Region ({REGIONS})
                    <input
                      value={(chain.when.region ?? []).join(', ')}
                      aria-invalid={invalid(error, `${p}.when.region`)}
                      aria-describedby={`${id}-region-err`}
                      onChange={(e) => setWhen(i, 'region', splitList(e.currentTarget.value))}
                    />
                    <Reason error={error} path={`${p}.when.region`} id={`${id}-region-err`} />
                  </label>
                  <label>
                    Minimum expected value
                    <input
                      type="number"
                      min={0}
                      value={chain.when.minExpectedValue ?? ''}
                      aria-invalid={invalid(error, `${p}.when.minExpectedValue`)}
                      aria-describedby={`${id}-min-err`}
                      onInput={(e) =>
                        setWhen(
                          i,
                          'minExpectedValue',
                          e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value),
                        )
                      }
                    />
                    <Reason error={error} path={`${p}.when.minExpectedValue`} id={`${id}-min-err`} />
                  </label>
                </fieldset>
                <fieldset>
                  <legend>Steps, in order</legend>
                  <Reason error={error} exact path={`${p}.steps`} id={`${id}-steps-err`} />
                  <ol class="rules">
                    {chain.steps.map((step, k) => {
                      const sp = `${p}.steps.${k}`;
                      const sid = `${id}-step-${k}`;
                      const byUser = step.group === undefined;
                      return (
                        <li key={sid} data-step-index={k}>
                          <fieldset>
                            <legend>
                              Step {k + 1}
                              {step.name ? `: ${step.name}` : ''}
                            </legend>
                            <Reason error={error} exact path={sp} id={`${sid}-err`} />
                            <label>
                              Step name
                              <input
                                value={step.name}
                                aria-invalid={invalid(error, `${sp}.name`, local)}
                                aria-describedby={`${sid}-name-err`}
                                onInput={(e) => updateStep(i, k, (s) => ({ ...s, name: e.currentTarget.value }))}
                              />
                              <Reason error={error} local={local} path={`${sp}.name`} id={`${sid}-name-err`} />
                            </label>
                            <label>
                              Decided by
                              <select
                                value={byUser ? 'user' : 'group'}
                                onChange={(e) =>
                                  updateStep(i, k, (s) =>
                                    e.currentTarget.value === 'user'
                                      ? { name: s.name, approver: '', timeout: s.timeout }
                                      : { name: s.name, group: 'manager', timeout: s.timeout },
                                  )
                                }
                              >
                                <option value="group">a group</option>
                                <option value="user">a named user</option>
                              </select>
                            </label>
                            {byUser ? (
                              <UserPicker
                                label="Approver"
                                value={step.approver ?? ''}
                                aria-invalid={invalid(error, `${sp}.approver`, local)}
                                aria-describedby={`${sid}-approver-err`}
                                onChange={(v) => updateStep(i, k, (s) => ({ ...s, approver: v }))}
                              >
                                <Reason
                                  error={error}
                                  local={local}
                                  path={`${sp}.approver`}
                                  id={`${sid}-approver-err`}
                                />
                              </UserPicker>
                            ) : (
                              <label>
                                Group
                                <select
                                  value={step.group}
                                  aria-invalid={invalid(error, `${sp}.group`)}
                                  aria-describedby={`${sid}-group-err`}
                                  onChange={(e) =>
                                    updateStep(i, k, (s) => ({ ...s, group: e.currentTarget.value as Group }))
                                  }
                                >
                                  {GROUPS.map((g) => (
                                    <option key={g.value} value={g.value}>
                                      {g.label}
                                    </option>
                                  ))}
                                </select>
                                <Reason error={error} path={`${sp}.group`} id={`${sid}-group-err`} />
                              </label>
                            )}
                            <DurationInput
                              label="Timeout"
                              value={step.timeout}
                              id={`${sid}-timeout`}
                              reason={reasonUnder(error, `${sp}.timeout`)}
                              onChange={(v) => updateStep(i, k, (s) => ({ ...s, timeout: v }))}
                            />
                            <RowButtons
                              label={`step ${k + 1} of ${label}`}
                              noun="step"
                              index={k}
                              count={chain.steps.length}
                              onMove={(by) => update(i, (c) => ({ ...c, steps: moveItem(c.steps, k, by) }))}
                              onRemove={() => update(i, (c) => ({ ...c, steps: c.steps.filter((_, y) => y !== k) }))}
                            />
                          </fieldset>
                        </li>
                      );
                    })}
                  </ol>
                  <div class="actions">
                    <button
                      type="button"
                      onClick={() => update(i, (c) => ({ ...c, steps: [...c.steps, newStep()] }))}
                      aria-label={`Add a step to ${label}`}
                    >
                      Add a step
                    </button>
                  </div>
                </fieldset>
                <label>
                  When rejected
                  <select
                    value={chain.onReject}
                    onChange={(e) => update(i, (c) => ({ ...c, onReject: e.currentTarget.value as Chain['onReject'] }))}
                  >
                    <option value="return-to-sales-qualified">return the lead to Sales-qualified</option>
                    <option value="disqualify">disqualify the lead</option>
                  </select>
                </label>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={chain.allowSelfApproval ?? false}
                    onChange={(e) => {
                      const allow = e.currentTarget.checked;
                      update(i, (c) => ({ ...c, allowSelfApproval: allow ? true : undefined }));
                    }}
                  />
                  Let whoever asked for the conversion approve it too (no four-eyes rule)
                </label>
                <RowButtons
                  label={label}
                  noun="chain"
                  index={i}
                  count={chains.length}
                  onMove={(by) => setChains((cs) => moveItem(cs, i, by))}
                  onRemove={() => setChains((cs) => cs.filter((_, j) => j !== i))}
                />
              </fieldset>
            </li>
          );
        })}
      </ol>
      {chains.length === 0 && <p class="muted">No chains: every lead converts without approval.</p>}
      <SaveBar local={local} error={error} canEdit={canEdit}>
        <button type="button" onClick={() => setChains((cs) => [...cs, newChain()])}>
          Add a chain
        </button>
      </SaveBar>
    </form>
  );
};
