import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ConfigValues, Schemas } from '../api/client';
import { type EditorProps, invalid, Reason, SaveBar, splitList } from '../components/config-fields';

type Rule = Schemas['PointsRule'];
type Common = Pick<Rule, 'points' | 'reason'>;
type When = Rule['when'];
type ScoringValue = ConfigValues['scoring'];

/** What each rule looks at, with the wording the lead page shows when no own words are given. */
const KINDS: { when: When; label: string; says: string }[] = [
  { when: 'titleContains', label: 'Job title contains a word', says: 'title contains …' },
  { when: 'companyDomain', label: 'Company email domain', says: 'company email domain' },
  { when: 'freeMail', label: 'Free-mail address', says: 'free-mail address' },
  { when: 'countryIn', label: 'Country is one of', says: 'country …' },
  { when: 'sourceIn', label: 'Source is one of', says: 'source …' },
  { when: 'campaignIn', label: 'Campaign is one of', says: 'campaign …' },
  { when: 'marketingConsent', label: 'Marketing consent given', says: 'marketing consent given' },
  { when: 'completeness', label: 'Profile at least this complete', says: 'profile N% complete' },
  { when: 'behaviour', label: 'Behaviour (per occurrence)', says: 'N× event' },
];

/** The list a rule kind carries, if any: its key and label. */
const LIST: Partial<Record<When, { key: 'keywords' | 'countries' | 'sources' | 'campaigns'; label: string }>> = {
  titleContains: { key: 'keywords', label: 'Words in the title' },
  countryIn: { key: 'countries', label: 'Countries (ISO codes)' },
  sourceIn: { key: 'sources', label: 'Source ids' },
  campaignIn: { key: 'campaigns', label: 'Campaigns' },
};

const ruleOf = (when: When, keep: Common): Rule => {
  switch (when) {
    case 'titleContains':
      return { ...keep, when, keywords: [] };
    case 'countryIn':
      return { ...keep, when, countries: [] };
    case 'sourceIn':
      return { ...keep, when, sources: [] };
    case 'campaignIn':
      return { ...keep, when, campaigns: [] };
    case 'completeness':
      return { ...keep, when, atLeast: 0.75 };
    case 'behaviour':
      return { ...keep, when, event: '', max: 3 };
    default:
      return { ...keep, when };
  }
};

const listOf = (rule: Rule): string[] => {
  const list = LIST[rule.when];
  return list ? ((rule as Record<string, unknown>)[list.key] as string[]) : [];
};

const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/** What the browser can check before saving; the server validates again and answers 422 per field. */
const validate = (value: ScoringValue): Record<string, string> => {
  const issues: Record<string, string> = {};
  value.rules.forEach((rule, i) => {
    const list = LIST[rule.when];
    if (list && listOf(rule).length === 0) issues[`value.rules.${i}.${list.key}`] = 'name at least one';
    if (!Number.isInteger(rule.points)) issues[`value.rules.${i}.points`] = 'a whole number from −100 to 100';
  });
  const { A, B, C } = value.bands;
  if (!(A > B && B > C)) issues['value.bands'] = 'thresholds must fall from A to C (A > B > C)';
  return issues;
};

/**
 * The points model: a baseline, rules on the lead's fields and behaviour (each with the words the lead
 * page shows as the factor), the band thresholds, and when a learned model may take over.
 */
export const ScoringEditor = ({
  value,
  error,
  canEdit,
  onSave,
  aside,
}: EditorProps<'scoring'> & {
  /** Shown beside the baseline and bands (the model card). */
  aside?: ComponentChildren;
}) => {
  const [model, setModel] = useState<ScoringValue>(() => structuredClone(value));
  const [local, setLocal] = useState<Record<string, string>>({});
  const update = (i: number, patch: (r: Rule) => Rule) =>
    setModel((m) => ({ ...m, rules: m.rules.map((r, j) => (j === i ? patch(r) : r)) }));
  const setBand = (band: 'A' | 'B' | 'C', text: string) =>
    setModel((m) => ({ ...m, bands: { ...m.bands, [band]: num(text) } }));

  const submit = (e: Event) => {
    e.preventDefault();
    const issues = validate(model);
    setLocal(issues);
    if (Object.keys(issues).length === 0) void onSave(model);
  };

  return (
    <form onSubmit={submit} aria-label="Scoring rules" noValidate>
      <div class="grid2">
        <fieldset disabled={!canEdit}>
          <legend>Model</legend>
          <label>
            Baseline points
            <input
              type="number"
              min={0}
              max={100}
              value={model.baseline}
              aria-describedby="baseline-err"
              onInput={(e) => setModel((m) => ({ ...m, baseline: num(e.currentTarget.value) }))}
            />
            <Reason error={error} path="value.baseline" id="baseline-err" />
          </label>
          <fieldset data-testid="bands">
            <legend>Band thresholds (lowest score of each band; below C is D)</legend>
            {(['A', 'B', 'C'] as const).map((band) => (
              <label key={band}>
                Band {band} from
                <input
                  type="number"
                  min={1}
                  max={100}
                  value={Number.isNaN(model.bands[band]) ? '' : model.bands[band]}
                  aria-invalid={invalid(error, `value.bands.${band}`, local)}
                  aria-describedby={`band-${band}-err bands-err`}
                  onInput={(e) => setBand(band, e.currentTarget.value)}
                />
                <Reason error={error} path={`value.bands.${band}`} id={`band-${band}-err`} />
              </label>
            ))}
            <Reason error={error} local={local} exact path="value.bands" id="bands-err" />
          </fieldset>
        </fieldset>
        {aside}
      </div>
      {/* A fieldset is at least as wide as its content unless told otherwise; the table scrolls instead. */}
      <fieldset disabled={!canEdit} style={{ minWidth: 0 }}>
        <legend>Rules</legend>
        <p class="muted">
          Every rule that fires adds its points (negative points subtract); the order does not matter. "Shown as"
          replaces the generated words on the lead page's score factors. Lists are comma-separated.
        </p>
        <div style={{ overflowX: 'auto' }}>
          <table>
            <caption class="muted">Points rules</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Looks at</th>
                <th scope="col">Condition</th>
                <th scope="col">Points</th>
                <th scope="col">Shown as</th>
                <th scope="col">
                  <span class="muted">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {model.rules.map((rule, i) => {
                const p = `value.rules.${i}`;
                const id = `srule-${i}`;
                const n = `Rule ${i + 1}`;
                const list = LIST[rule.when];
                const kind = KINDS.find((k) => k.when === rule.when);
                return (
                  <tr key={id} data-scoring-rule={i}>
                    <td class="num">{i + 1}</td>
                    <td>
                      <select
                        aria-label={`${n} looks at`}
                        value={rule.when}
                        onChange={(e) =>
                          update(i, (r) =>
                            ruleOf(e.currentTarget.value as When, { points: r.points, reason: r.reason }),
                          )
                        }
                      >
                        {KINDS.map((k) => (
                          <option key={k.when} value={k.when}>
                            {k.label}
                          </option>
                        ))}
                      </select>
                      <Reason error={error} exact path={p} id={`${id}-err`} />
                    </td>
                    <td>
                      {list && (
                        <>
                          <input
                            size={22}
                            aria-label={`${n} ${list.label}`}
                            value={listOf(rule).join(', ')}
                            aria-invalid={invalid(error, `${p}.${list.key}`, local)}
                            aria-describedby={`${id}-list-err`}
                            onChange={(e) =>
                              update(i, (r) => ({ ...r, [list.key]: splitList(e.currentTarget.value) ?? [] }) as Rule)
                            }
                          />
                          <Reason error={error} local={local} path={`${p}.${list.key}`} id={`${id}-list-err`} />
                        </>
                      )}
                      {rule.when === 'completeness' && (
                        <label>
                          At least (share of profile fields, 0–1)
                          <input
                            type="number"
                            min={0}
                            max={1}
                            step={0.05}
                            value={rule.atLeast}
                            aria-describedby={`${id}-atleast-err`}
                            onInput={(e) => update(i, (r) => ({ ...r, atLeast: num(e.currentTarget.value) }) as Rule)}
                          />
                          <Reason error={error} path={`${p}.atLeast`} id={`${id}-atleast-err`} />
                        </label>
                      )}
                      {rule.when === 'behaviour' && (
                        <>
                          <label>
                            Event (e.g. form-revisit)
                            <input
                              value={rule.event}
                              aria-describedby={`${id}-event-err`}
                              onInput={(e) => update(i, (r) => ({ ...r, event: e.currentTarget.value }) as Rule)}
                            />
                            <Reason error={error} path={`${p}.event`} id={`${id}-event-err`} />
                          </label>
                          <label>
                            Counted up to
                            <input
                              type="number"
                              min={1}
                              max={20}
                              value={rule.max}
                              aria-describedby={`${id}-max-err`}
                              onInput={(e) => update(i, (r) => ({ ...r, max: num(e.currentTarget.value) }) as Rule)}
                            />
                            <Reason error={error} path={`${p}.max`} id={`${id}-max-err`} />
                          </label>
                        </>
                      )}
                      {!list && rule.when !== 'completeness' && rule.when !== 'behaviour' && (
                        <span class="muted">—</span>
                      )}
                    </td>
                    <td>
                      <input
                        type="number"
                        min={-100}
                        max={100}
                        style={{ width: '5rem' }}
                        aria-label={`${n} points`}
                        value={Number.isNaN(rule.points) ? '' : rule.points}
                        aria-invalid={invalid(error, `${p}.points`, local)}
                        aria-describedby={`${id}-points-err`}
                        onInput={(e) => update(i, (r) => ({ ...r, points: num(e.currentTarget.value) }))}
                      />
                      <Reason error={error} local={local} path={`${p}.points`} id={`${id}-points-err`} />
                    </td>
                    <td>
                      <input
                        size={22}
                        aria-label={`${n} shown as`}
                        value={rule.reason ?? ''}
                        placeholder={kind?.says}
                        aria-describedby={`${id}-reason-err`}
                        onInput={(e) =>
                          update(i, (r) => ({
                            ...r,
                            reason: e.currentTarget.value.trim() ? e.currentTarget.value : undefined,
                          }))
                        }
                      />
                      <Reason error={error} path={`${p}.reason`} id={`${id}-reason-err`} />
                    </td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Remove rule ${i + 1}`}
                        onClick={() => setModel((m) => ({ ...m, rules: m.rules.filter((_, j) => j !== i) }))}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </fieldset>
      {canEdit && (
        <div class="actions">
          <button
            type="button"
            onClick={() => setModel((m) => ({ ...m, rules: [...m.rules, ruleOf('titleContains', { points: 5 })] }))}
          >
            Add a rule
          </button>
        </div>
      )}
      <fieldset disabled={!canEdit}>
        <legend>Learned model</legend>
        <label>
          Conversions needed before training
          <input
            type="number"
            min={1}
            value={model.learned?.minConversions}
            aria-describedby="learned-min-err"
            onInput={(e) =>
              setModel((m) => ({ ...m, learned: { ...m.learned, minConversions: num(e.currentTarget.value) } }))
            }
          />
          <Reason error={error} path="value.learned.minConversions" id="learned-min-err" />
        </label>
        <label>
          Holdout share (0.05–0.5)
          <input
            type="number"
            min={0.05}
            max={0.5}
            step={0.05}
            value={model.learned?.holdoutFraction}
            aria-describedby="learned-holdout-err"
            onInput={(e) =>
              setModel((m) => ({ ...m, learned: { ...m.learned, holdoutFraction: num(e.currentTarget.value) } }))
            }
          />
          <Reason error={error} path="value.learned.holdoutFraction" id="learned-holdout-err" />
        </label>
      </fieldset>
      <SaveBar local={local} error={error} canEdit={canEdit} />
    </form>
  );
};
