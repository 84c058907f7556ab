import { useState } from 'preact/hooks';
import { ApiProblem, api, type ConfigName, type ConfigValues, must, type Session } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { refreshDirectory, useDirectory } from '../directory';
import { when } from '../format';
import { href, type Route } from '../router';
import { ApprovalsEditor } from './approvals-editor';
import { ModelCard } from './model-card';
import { NurtureEditor } from './nurture-editor';
import { OpportunityStagesEditor } from './opportunity-stages-editor';
import { RoutingEditor } from './routing-editor';
import { ScoringEditor } from './scoring-editor';
import { SourcesView } from './sources';
import { StagesEditor } from './stages-editor';
import { Subscriptions } from './subscriptions';
import { TeamsEditor } from './teams-editor';

const KINDS = [
  { name: 'routing', label: 'Routing rules' },
  { name: 'teams', label: 'Teams' },
  { name: 'stages', label: 'Stages & SLAs' },
  { name: 'approvals', label: 'Approval chains' },
  { name: 'nurture', label: 'Nurture' },
  { name: 'scoring', label: 'Scoring rules' },
  { name: 'opportunity-stages', label: 'Opportunity stages' },
  { name: 'subscriptions', label: 'Subscriptions' },
  { name: 'sources', label: 'Sources' },
  { name: 'model', label: 'Model card' },
] as const;
type KindName = (typeof KINDS)[number]['name'];

/** Sales ops: every versioned configuration, edited without a deploy; a stale save is refused (409). */
export const SalesOpsPage = ({ route, session }: { route: Route; session: Session }) => {
  const tab = (route.query.get('tab') as KindName | null) ?? 'routing';
  // Managers may edit their teams (availability); everything else is for sales ops.
  const isSalesOps = session.groups.includes('salesops');
  const canEdit = isSalesOps || (tab === 'teams' && session.groups.includes('manager'));
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Sales ops</h1>
      <nav class="tabs" aria-label="Configuration">
        {KINDS.filter((k) => k.name !== 'subscriptions' || isSalesOps).map((k) => (
          <a key={k.name} href={href('/sales-ops', { tab: k.name })} aria-current={tab === k.name ? 'page' : undefined}>
            {k.label}
          </a>
        ))}
      </nav>
      {!canEdit && tab !== 'model' && tab !== 'sources' && tab !== 'subscriptions' && (
        <p class="read-only-note" data-testid="read-only">
          You can read this configuration; changing it is for sales ops.
        </p>
      )}
      {tab === 'model' ? (
        <ModelCard />
      ) : tab === 'sources' ? (
        <SourcesView />
      ) : tab === 'subscriptions' ? (
        isSalesOps ? (
          <Subscriptions canEdit={canEdit} />
        ) : (
          <p>Outbound subscriptions are managed by sales ops.</p>
        )
      ) : (
        <ConfigEditor key={tab} name={tab} canEdit={canEdit} />
      )}
    </section>
  );
};

/** One configuration kind: its version line, a stale save explained, and the kind's own editor. */
const ConfigEditor = ({ name, canEdit }: { name: ConfigName; canEdit: boolean }) => {
  const doc = useResource(() => must(api.GET('/config/{name}', { params: { path: { name } } })), [name]);
  const [saved, setSaved] = useState<string>();
  const people = useDirectory();
  const save = useAction(async (value: ConfigValues[ConfigName]) => {
    const current = doc.data;
    if (!current) return;
    setSaved(undefined);
    const next = await must(
      api.PUT('/config/{name}', { params: { path: { name } }, body: { version: current.version, value } }),
    );
    doc.setData(() => next);
    if (name === 'teams') refreshDirectory();
    setSaved(`Saved as version ${next.version}.`);
  });
  const onSave = async (value: ConfigValues[ConfigName]) => void (await save.run(value));

  if (!doc.data) return doc.error ? <ProblemBanner error={doc.error} /> : <p class="loading">Loading…</p>;
  const { version, value, updatedBy, updatedAt } = doc.data;
  const error = save.error ?? doc.error;
  const stale = error instanceof ApiProblem && error.status === 409 ? error : undefined;
  // Each saved or reloaded version mounts a fresh editor, so the form starts from what is stored.
  const props = { error, canEdit, onSave };
  return (
    <div>
      <p class="muted" data-testid="config-version">
        {version === 0
          ? 'The built-in defaults: nobody has changed this yet.'
          : `Version ${version} · saved by ${people.name(updatedBy)} on ${when(updatedAt)}`}
      </p>
      {stale && (
        <div class="problem" role="alert">
          <strong>Someone saved a newer version</strong>
          <p>{stale.message}</p>
          <button type="button" onClick={() => void doc.reload().then(save.reset)}>
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
        <RoutingEditor key={version} {...props} value={value as ConfigValues['routing']} />
      ) : name === 'stages' ? (
        <StagesEditor key={version} {...props} value={value as ConfigValues['stages']} />
      ) : name === 'teams' ? (
        <TeamsEditor key={version} {...props} value={value as ConfigValues['teams']} />
      ) : name === 'approvals' ? (
        <ApprovalsEditor key={version} {...props} value={value as ConfigValues['approvals']} />
      ) : name === 'nurture' ? (
        <NurtureEditor key={version} {...props} value={value as ConfigValues['nurture']} />
      ) : name === 'opportunity-stages' ? (
        <OpportunityStagesEditor key={version} {...props} value={value as ConfigValues['opportunity-stages']} />
      ) : (
        <ScoringEditor
          key={version}
          {...props}
          value={value as ConfigValues['scoring']}
          aside={
            <aside aria-label="Scoring model card" style={{ overflowX: 'auto', minWidth: 0 }}>
              <ModelCard pointsVersion={version} />
            </aside>
          }
        />
      )}
    </div>
  );
};
