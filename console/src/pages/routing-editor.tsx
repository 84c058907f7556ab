import { useState } from 'preact/hooks';
import { TeamPicker, UserPicker } from '../components/pickers';
import { ApiProblem, type ConfigValues, type Schemas } from '../api/client';
import { type EditorProps, reasonUnder, splitList } from '../components/config-fields';
import { FieldError, ProblemBanner } from '../components/problem';

type RoutingValue = ConfigValues['routing'];
type RoutingRule = RoutingValue['rules'][number];
type Condition = Schemas['RoutingCondition'];
type Strategy = NonNullable<Schemas['RoutingTarget']['strategy']>;

const CONDITIONS = [
  { key: 'emailDomain', label: 'Email domain' },
  { key: 'source', label: 'Source' },
  { key: 'campaign', label: 'Campaign' },
  { key: 'country', label: 'Country (ISO codes)' },
  { key: 'region', label: 'Region' },
  { key: 'productInterest', label: 'Product interest' },
  { key: 'leadType', label: 'Lead type (B2B, B2C)' },
  { key: 'scoreBand', label: 'Score band (A–D)' },
] as const satisfies readonly { key: keyof Condition; label: string }[];

/** Checks what the browser can check before saving; the server validates again and answers 422 per field. */
const validateRules = (rules: RoutingRule[]): Record<string, string> => {
  const issues: Record<string, string> = {};
  rules.forEach((rule, i) => {
    if (rule.assign.rep !== undefined && !rule.assign.rep.trim())
      issues[`value.rules.${i}.assign.rep`] = 'name the rep';
    if (rule.assign.team !== undefined && !rule.assign.team.trim())
      issues[`value.rules.${i}.assign.team`] = 'name the team';
    for (const c of rule.when.country ?? [])
      if (!/^[A-Z]{2}$/.test(c))
        issues[`value.rules.${i}.when.country`] = `'${c}' is not an upper-case ISO 3166-1 alpha-2 code`;
  });
  return issues;
};

/** Ordered routing rules as a form: the first rule whose conditions match a lead assigns it. */
export const RoutingEditor = ({ value, error, canEdit, onSave }: EditorProps<'routing'>) => {
  const [rules, setRules] = useState<RoutingRule[]>(() => structuredClone(value.rules));
  // The API always answers the stored value with its defaults filled in.
  const [fallback, setFallback] = useState(value.fallbackQueue ?? 'UNASSIGNED');
  const [local, setLocal] = useState<Record<string, string>>({});
  const update = (i: number, patch: (r: RoutingRule) => RoutingRule) =>
    setRules((rs) => rs.map((r, j) => (j === i ? patch(r) : r)));
  const move = (i: number, by: number) =>
    setRules((rs) => {
      const next = [...rs];
      const [rule] = next.splice(i, 1);
      if (rule) next.splice(i + by, 0, rule);
      return next;
    });
  const reason = (path: string) => local[path] ?? reasonUnder(error, path);

  const submit = (e: Event) => {
    e.preventDefault();
    const issues = validateRules(rules);
    setLocal(issues);
    if (Object.keys(issues).length === 0) void onSave({ ...value, rules, fallbackQueue: fallback });
  };

  return (
    <form onSubmit={submit} aria-label="Routing rules">
      <p class="muted">Rules are tried in order; the first match assigns the lead. Lists are comma-separated.</p>
      <ol class="rules">
        {rules.map((rule, i) => {
          const id = `rule-${i}`;
          const isTeam = rule.assign.team !== undefined;
          return (
            <li key={id} data-rule-index={i}>
              <fieldset disabled={!canEdit}>
                <legend>
                  Rule {i + 1}
                  {rule.name ? `: ${rule.name}` : ''}
                </legend>
                <label>
                  Name
                  <input
                    value={rule.name ?? ''}
                    onInput={(e) => update(i, (r) => ({ ...r, name: e.currentTarget.value || undefined }))}
                  />
                </label>
                {CONDITIONS.map((c) => {
                  const path = `value.rules.${i}.when.${c.key}`;
                  return (
                    <label key={c.key}>
                      {c.label}
                      <input
                        value={(rule.when[c.key] ?? []).join(', ')}
                        aria-invalid={reason(path) ? true : undefined}
                        aria-describedby={`${id}-${c.key}-err`}
                        onChange={(e) =>
                          update(i, (r) => ({
                            ...r,
                            when: { ...r.when, [c.key]: splitList(e.currentTarget.value) } as Condition,
                          }))
                        }
                      />
                      {reason(path) && (
                        <span class="field-error" id={`${id}-${c.key}-err`}>
                          {reason(path)}
                        </span>
                      )}
                    </label>
                  );
                })}
                <label>
                  Assign to
                  <select
                    value={isTeam ? 'team' : 'rep'}
                    onChange={(e) =>
                      update(i, (r) => ({
                        ...r,
                        assign: e.currentTarget.value === 'team' ? { team: '', strategy: 'round-robin' } : { rep: '' },
                      }))
                    }
                  >
                    <option value="team">a team</option>
                    <option value="rep">a rep</option>
                  </select>
                </label>
                {rule.assign.team !== undefined ? (
                  <>
                    <TeamPicker
                      label="Team"
                      value={rule.assign.team}
                      aria-describedby={`${id}-team-err`}
                      onChange={(v) =>
                        update(i, (r) => ({
                          ...r,
                          assign: { team: v, strategy: r.assign.strategy ?? 'round-robin' },
                        }))
                      }
                    >
                      {reason(`value.rules.${i}.assign.team`) && (
                        <span class="field-error" id={`${id}-team-err`}>
                          {reason(`value.rules.${i}.assign.team`)}
                        </span>
                      )}
                    </TeamPicker>
                    <label>
                      Strategy
                      <select
                        value={rule.assign.strategy}
                        onChange={(e) =>
                          update(i, (r) => ({
                            ...r,
                            assign: { team: r.assign.team ?? '', strategy: e.currentTarget.value as Strategy },
                          }))
                        }
                      >
                        <option value="round-robin">round-robin</option>
                        <option value="least-loaded">least-loaded</option>
                      </select>
                    </label>
                  </>
                ) : (
                  <UserPicker
                    label="Rep"
                    value={rule.assign.rep ?? ''}
                    aria-describedby={`${id}-rep-err`}
                    onChange={(v) => update(i, (r) => ({ ...r, assign: { rep: v } }))}
                  >
                    {reason(`value.rules.${i}.assign.rep`) && (
                      <span class="field-error" id={`${id}-rep-err`}>
                        {reason(`value.rules.${i}.assign.rep`)}
                      </span>
                    )}
                  </UserPicker>
                )}
                <div class="actions">
                  <button
                    type="button"
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                    aria-label={`Move rule ${i + 1} up`}
                  >
                    ↑ Up
                  </button>
                  <button
                    type="button"
                    disabled={i === rules.length - 1}
                    onClick={() => move(i, 1)}
                    aria-label={`Move rule ${i + 1} down`}
                  >
                    ↓ Down
                  </button>
                  <button
                    type="button"
                    onClick={() => setRules((rs) => rs.filter((_, j) => j !== i))}
                    aria-label={`Remove rule ${i + 1}`}
                  >
                    Remove
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      {canEdit && (
        <div class="actions">
          <button type="button" onClick={() => setRules((rs) => [{ name: '', when: {}, assign: { rep: '' } }, ...rs])}>
            Add a rule at the top
          </button>
        </div>
      )}
      <label>
        Fallback queue
        <input
          value={fallback}
          disabled={!canEdit}
          onInput={(e) => setFallback(e.currentTarget.value)}
          aria-describedby="fallback-err"
        />
        <FieldError error={error} field="value.fallbackQueue" id="fallback-err" />
      </label>
      {Object.keys(local).length > 0 && (
        <p class="field-error" role="alert">
          Fix the fields marked above before saving.
        </p>
      )}
      {!(error instanceof ApiProblem && error.status === 409) && error instanceof ApiProblem && (
        <ProblemBanner error={error} />
      )}
      {canEdit && (
        <div class="actions">
          <button type="submit" class="primary">
            Validate and save
          </button>
        </div>
      )}
    </form>
  );
};
