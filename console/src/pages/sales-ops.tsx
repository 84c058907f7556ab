import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, api, type ConfigDocument, must, type Session } from '../api/client';
import { FieldError, ProblemBanner } from '../components/problem';
import { when } from '../format';
import { href, type Route } from '../router';
import { ApprovalsEditor, type ApprovalsValue } from './approvals-editor';
import { OpportunityStagesEditor, type OpportunityStagesValue } from './opportunity-stages-editor';
import { ScoringEditor, type ScoringValue } from './scoring-editor';
import { SourcesView } from './sources';
import { StagesEditor, type StagesValue } from './stages-editor';
import { Subscriptions } from './subscriptions';
import { TeamsEditor, type TeamsValue } from './teams-editor';

const KINDS = [
  { name: 'routing', label: 'Routing rules' },
  { name: 'teams', label: 'Teams' },
  { name: 'stages', label: 'Stages & SLAs' },
  { name: 'approvals', label: 'Approval chains' },
  { name: 'scoring', label: 'Scoring rules' },
  { name: 'opportunity-stages', label: 'Opportunity stages' },
  { name: 'subscriptions', label: 'Subscriptions' },
  { name: 'sources', label: 'Sources' },
  { name: 'model', label: 'Model card' },
] as const;
type KindName = (typeof KINDS)[number]['name'];
type ConfigName = Exclude<KindName, 'model' | 'subscriptions' | 'sources'>;

/** Sales ops: every versioned configuration, edited without a deploy; a stale save is refused (409). */
export const SalesOpsPage = ({ route, session }: { route: Route; session: Session }) => {
  const tab = (route.query.get('tab') as KindName | null) ?? 'routing';
  // Managers may edit their teams (availability); everything else is for sales ops.
  const canEdit = session.groups.includes('salesops') || (tab === 'teams' && session.groups.includes('manager'));
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Sales ops</h1>
      <nav class="tabs" aria-label="Configuration">
        {KINDS.map((k) => (
          <a key={k.name} href={href('/sales-ops', { tab: k.name })} aria-current={tab === k.name ? 'page' : undefined}>
            {k.label}
          </a>
        ))}
      </nav>
      {!canEdit && tab !== 'model' && tab !== 'sources' && <p class="muted">Read only: editing needs the salesops group.</p>}
      {tab === 'model' ? <ModelCard /> : tab === 'sources' ? <SourcesView /> : tab === 'subscriptions' ? <Subscriptions canEdit={canEdit} /> : <ConfigEditor key={tab} name={tab} canEdit={canEdit} />}
    </section>
  );
};

type Saver = (value: unknown) => Promise<void>;

const ConfigEditor = ({ name, canEdit }: { name: ConfigName; canEdit: boolean }) => {
  const [doc, setDoc] = useState<ConfigDocument>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const load = async () => {
    try {
      setDoc(await must(api.GET('/config/{name}', { params: { path: { name } } })));
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    void load();
  }, [name]);

  const save: Saver = async (value) => {
    if (!doc) return;
    setSaved(undefined);
    try {
      const next = await must(api.PUT('/config/{name}', { params: { path: { name } }, body: { version: doc.version, value } }));
      setDoc(next);
      setError(undefined);
      setSaved(`Saved as version ${next.version}.`);
    } catch (e) {
      setError(e);
    }
  };

  if (!doc) return error ? <ProblemBanner error={error} /> : <p class="loading">Loading…</p>;
  const stale = error instanceof ApiProblem && error.status === 409;
  return (
    <div>
      <p class="muted" data-testid="config-version">
        Version {doc.version} · {doc.version === 0 ? 'the default, never saved' : `saved by ${doc.updatedBy} on ${when(doc.updatedAt)}`}
      </p>
      {stale && (
        <div class="problem" role="alert">
          <strong>Someone saved a newer version</strong>
          <p>{(error as ApiProblem).message}</p>
          <button type="button" onClick={() => void load().then(() => setError(undefined))}>
            Load the latest version
          </button>
        </div>
      )}
      {saved && (
        <p class="notice" role="status">
          {saved}
        </p>
      )}
      {name === 'routing' ? (
        <RoutingEditor key={doc.version} value={doc.value as RoutingValue} error={error} canEdit={canEdit} onSave={save} />
      ) : name === 'stages' ? (
        <StagesEditor key={doc.version} value={doc.value as StagesValue} error={error} canEdit={canEdit} onSave={save} />
      ) : name === 'teams' ? (
        <TeamsEditor key={doc.version} value={doc.value as TeamsValue} error={error} canEdit={canEdit} onSave={save} />
      ) : name === 'approvals' ? (
        <ApprovalsEditor key={doc.version} value={doc.value as ApprovalsValue} error={error} canEdit={canEdit} onSave={save} />
      ) : name === 'opportunity-stages' ? (
        <OpportunityStagesEditor key={doc.version} value={doc.value as OpportunityStagesValue} error={error} canEdit={canEdit} onSave={save} />
      ) : name === 'scoring' ? (
        <ScoringEditor
          key={doc.version}
          value={doc.value as ScoringValue}
          error={error}
          canEdit={canEdit}
          onSave={save}
          aside={
            <aside aria-label="Scoring model card" style={{ overflowX: 'auto', minWidth: 0 }}>
              <ModelCard pointsVersion={doc.version} />
            </aside>
          }
        />
      ) : null}
    </div>
  );
};

type Condition = Partial<Record<(typeof CONDITIONS)[number]['key'], string[]>>;
type RoutingRule = { name?: string; when: Condition; assign: { rep: string } | { team: string; strategy: 'round-robin' | 'least-loaded' } };
type RoutingValue = { rules: RoutingRule[]; fallbackQueue: string };

const CONDITIONS = [
  { key: 'emailDomain', label: 'Email domain' },
  { key: 'source', label: 'Source' },
  { key: 'campaign', label: 'Campaign' },
  { key: 'country', label: 'Country (ISO codes)' },
  { key: 'region', label: 'Region' },
  { key: 'productInterest', label: 'Product interest' },
  { key: 'leadType', label: 'Lead type (B2B, B2C)' },
  { key: 'scoreBand', label: 'Score band (A–D)' },
] as const;

const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Checks what the browser can check before saving; the server validates again and answers 422 per field. */
const validateRules = (rules: RoutingRule[]): Record<string, string> => {
  const issues: Record<string, string> = {};
  rules.forEach((rule, i) => {
    if ('rep' in rule.assign && !rule.assign.rep.trim()) issues[`value.rules.${i}.assign.rep`] = 'name the rep';
    if ('team' in rule.assign && !rule.assign.team.trim()) issues[`value.rules.${i}.assign.team`] = 'name the team';
    for (const c of rule.when.country ?? []) if (!/^[A-Z]{2}$/.test(c)) issues[`value.rules.${i}.when.country`] = `'${c}' is not an upper-case ISO 3166-1 alpha-2 code`;
  });
  return issues;
};

/** The API's reason for a field, or for any field under it (`value.rules.0.when.country.1`). */
const reasonUnder = (error: unknown, prefix: string): string | undefined => {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.problem.errors?.find((e) => e.field === prefix || e.field.startsWith(`${prefix}.`))?.reason;
};

const RoutingEditor = ({ value, error, canEdit, onSave }: { value: RoutingValue; error: unknown; canEdit: boolean; onSave: Saver }) => {
  const [rules, setRules] = useState<RoutingRule[]>(() => structuredClone(value.rules));
  const [fallback, setFallback] = useState(value.fallbackQueue);
  const [local, setLocal] = useState<Record<string, string>>({});
  const update = (i: number, patch: (r: RoutingRule) => RoutingRule) => setRules((rs) => rs.map((r, j) => (j === i ? patch(r) : r)));
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
    if (Object.keys(issues).length === 0) void onSave({ rules, fallbackQueue: fallback });
  };

  return (
    <form onSubmit={submit} aria-label="Routing rules">
      <p class="muted">Rules are tried in order; the first match assigns the lead. Lists are comma-separated.</p>
      <ol class="rules">
        {rules.map((rule, i) => {
          const id = `rule-${i}`;
          const isTeam = 'team' in rule.assign;
          return (
            <li key={id} data-rule-index={i}>
              <fieldset disabled={!canEdit}>
                <legend>
                  Rule {i + 1}
                  {rule.name ? `: ${rule.name}` : ''}
                </legend>
                <label>
                  Name
                  <input value={rule.name ?? ''} onInput={(e) => update(i, (r) => ({ ...r, name: e.currentTarget.value || undefined }))} />
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
                        onChange={(e) => update(i, (r) => ({ ...r, when: { ...r.when, [c.key]: splitList(e.currentTarget.value).length ? splitList(e.currentTarget.value) : undefined } }))}
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
                    onChange={(e) => update(i, (r) => ({ ...r, assign: e.currentTarget.value === 'team' ? { team: '', strategy: 'round-robin' } : { rep: '' } }))}
                  >
                    <option value="team">a team</option>
                    <option value="rep">a rep</option>
                  </select>
                </label>
                {'team' in rule.assign ? (
                  <>
                    <label>
                      Team
                      <input
                        value={rule.assign.team}
                        aria-describedby={`${id}-team-err`}
                        onInput={(e) => update(i, (r) => ({ ...r, assign: { team: e.currentTarget.value, strategy: 'strategy' in r.assign ? r.assign.strategy : 'round-robin' } }))}
                      />
                      {reason(`value.rules.${i}.assign.team`) && (
                        <span class="field-error" id={`${id}-team-err`}>
                          {reason(`value.rules.${i}.assign.team`)}
                        </span>
                      )}
                    </label>
                    <label>
                      Strategy
                      <select
                        value={rule.assign.strategy}
                        onChange={(e) =>
                          update(i, (r) => ({ ...r, assign: { team: 'team' in r.assign ? r.assign.team : '', strategy: e.currentTarget.value as 'round-robin' | 'least-loaded' } }))
                        }
                      >
                        <option value="round-robin">round-robin</option>
                        <option value="least-loaded">least-loaded</option>
                      </select>
                    </label>
                  </>
                ) : (
                  <label>
                    Rep
                    <input value={rule.assign.rep} aria-describedby={`${id}-rep-err`} onInput={(e) => update(i, (r) => ({ ...r, assign: { rep: e.currentTarget.value } }))} />
                    {reason(`value.rules.${i}.assign.rep`) && (
                      <span class="field-error" id={`${id}-rep-err`}>
                        {reason(`value.rules.${i}.assign.rep`)}
                      </span>
                    )}
                  </label>
                )}
                <div class="actions">
                  <button type="button" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move rule ${i + 1} up`}>
                    ↑ Up
                  </button>
                  <button type="button" disabled={i === rules.length - 1} onClick={() => move(i, 1)} aria-label={`Move rule ${i + 1} down`}>
                    ↓ Down
                  </button>
                  <button type="button" onClick={() => setRules((rs) => rs.filter((_, j) => j !== i))} aria-label={`Remove rule ${i + 1}`}>
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
        <input value={fallback} disabled={!canEdit} onInput={(e) => setFallback(e.currentTarget.value)} aria-describedby="fallback-err" />
        <FieldError error={error} field="value.fallbackQueue" id="fallback-err" />
      </label>
      {Object.keys(local).length > 0 && (
        <p class="field-error" role="alert">
          Fix the fields marked above before saving.
        </p>
      )}
      {!(error instanceof ApiProblem && error.status === 409) && error instanceof ApiProblem && <ProblemBanner error={error} />}
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

/** The scoring model card: which model scores leads, how it was trained and how well it ranks. */
const ModelCard = ({ pointsVersion }: { pointsVersion?: number }) => {
  const [card, setCard] = useState<Record<string, unknown>>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let stop = false;
    // Right after a save the scoring API may still hold the previous points model for a moment
    // (configuration reads are cached briefly per function): ask again until it names the saved version.
    const fetchCard = async (attempt: number) => {
      try {
        const next = (await must(api.GET('/scoring/model'))) as Record<string, unknown>;
        if (stop) return;
        setCard(next);
        const shown = (next.points as { model?: string } | undefined)?.model;
        if (pointsVersion !== undefined && shown !== `points@${pointsVersion}` && attempt < 5) setTimeout(() => void fetchCard(attempt + 1), 1000);
      } catch (e) {
        if (!stop) setError(e);
      }
    };
    void fetchCard(1);
    return () => {
      stop = true;
    };
  }, [pointsVersion]);
  if (error) return <ProblemBanner error={error} />;
  if (!card) return <p class="loading">Loading…</p>;
  const scalar = Object.entries(card).filter(([, v]) => v === null || typeof v !== 'object');
  const nested = Object.entries(card).filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <div>
      <h2>Model card</h2>
      <dl class="fields">
        {scalar.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </Fragment>
        ))}
      </dl>
      {nested.map(([k, v]) => (
        <section key={k}>
          <h2>{k}</h2>
          {Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' ? <ObjectTable rows={v as Record<string, unknown>[]} caption={k} /> : <pre>{JSON.stringify(v, null, 2)}</pre>}
        </section>
      ))}
    </div>
  );
};

export const ObjectTable = ({ rows, caption }: { rows: Record<string, unknown>[]; caption: string }) => {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <table>
      <caption class="muted">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {columns.map((c) => (
              <td key={c} class={typeof r[c] === 'number' ? 'num' : undefined}>
                {typeof r[c] === 'object' && r[c] !== null ? JSON.stringify(r[c]) : String(r[c] ?? '')}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
};
