import { useMemo, useState } from 'preact/hooks';
import { api, apiUrl, type Lead, must, type Schemas, type Session, type Stage } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { BulkActions } from '../components/bulk-actions';
import { ProblemBanner } from '../components/problem';
import { useDirectory } from '../directory';
import { leadName, STAGE_LABEL, when } from '../format';
import { href, type Route, setQuery } from '../router';

type ListQuery = Schemas['ListQuery'];
type SavedView = Schemas['SavedView'];

const STAGES: Stage[] = ['Creation', 'Assigned', 'MarketQualified', 'SalesQualified', 'Converted', 'Disqualified'];
const TEXT_FILTERS = ['owner', 'team', 'source', 'campaign'] as const;
const FIELDS = [...TEXT_FILTERS, 'stage', 'scoreBand', 'duplicate', 'createdFrom', 'createdTo', 'sort'] as const;

/** The filters in the page's address (so a list can be bookmarked and shared as a link). */
const queryOfRoute = (route: Route): ListQuery => {
  const q: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = route.query.get(field);
    if (!value) continue;
    q[field] = field === 'duplicate' ? value === 'true' : value;
  }
  return q as ListQuery;
};

const params = (query: ListQuery): Record<string, string | undefined> =>
  Object.fromEntries(FIELDS.map((f) => [f, query[f] === undefined ? undefined : String(query[f])]));

const sameQuery = (a: ListQuery, b: ListQuery) => JSON.stringify(params(a)) === JSON.stringify(params(b));

/** Downloads a CSV the API answers (the token goes in a header, so a plain link cannot). */
const download = async (session: Session, path: string, name: string) => {
  const response = await fetch(apiUrl(path), {
    headers: { authorization: `Bearer ${session.token}`, accept: 'text/csv' },
  });
  if (!response.ok) throw new Error(`The export answered ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
};

/** Every lead the user may see, filtered and sorted; saved and team-shared views; CSV export. */
export const LeadsListPage = ({ route, session }: { route: Route; session: Session }) => {
  const query = queryOfRoute(route);
  const viewId = route.query.get('view') ?? '';
  const key = JSON.stringify(params(query));
  const setFilter = (patch: Partial<Record<(typeof FIELDS)[number], string | undefined>>) =>
    setQuery('/list', { ...params(query), view: viewId || undefined, ...patch });

  const list = useResource(
    () => must(api.GET('/leads', { params: { query: { ...params(query), limit: 50 } as never } })),
    [key],
  );
  const [extra, setExtra] = useState<{ key: string; items: Lead[]; cursor?: string }>();
  const loaded = extra?.key === key ? extra : undefined;
  const items = useMemo(() => [...(list.data?.items ?? []), ...(loaded?.items ?? [])], [list.data, loaded]);
  const cursor = loaded ? loaded.cursor : list.data?.cursor;
  const more = useAction(async () => {
    if (!cursor) return;
    const next = await must(api.GET('/leads', { params: { query: { ...params(query), limit: 50, cursor } as never } }));
    setExtra({ key, items: [...(loaded?.items ?? []), ...next.items], cursor: next.cursor });
  });

  const views = useResource(() => must(api.GET('/views')), []);
  const current = views.data?.items.find((v) => v.id === viewId);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const save = useAction(async () => {
    const saved = await must(api.POST('/views', { body: { name, query, shared } }));
    await views.reload();
    setName('');
    setQuery('/list', { ...params(saved.query), view: saved.id });
  });
  const update = useAction(async (view: SavedView) => {
    await must(
      api.PUT('/views/{viewId}', {
        params: { path: { viewId: view.id }, header: { 'If-Match': `"${view.version}"` } },
        body: { name: view.name, query, shared: view.shared ?? false },
      }),
    );
    await views.reload();
  });
  const remove = useAction(async (view: SavedView) => {
    await must(api.DELETE('/views/{viewId}', { params: { path: { viewId: view.id } } }));
    await views.reload();
    setQuery('/list', params(query));
  });
  const exported = useAction(async () => {
    if (current && sameQuery(current.query, query))
      await download(session, `/views/${encodeURIComponent(current.id)}/export`, `${current.name}.csv`);
    else {
      const search = new URLSearchParams({ format: 'csv' });
      for (const [k, v] of Object.entries(params(query))) if (v) search.set(k, v);
      await download(session, `/leads?${search}`, 'leads.csv');
    }
  });
  // A selection of loaded rows, for the same bulk bar as the inbox (assign, follow, disqualify, merge).
  const people = useDirectory();
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const selected = items.filter((l) => picked.has(l.id));
  const allPicked = items.length > 0 && selected.length === items.length;
  const pick = (id: string, on: boolean) =>
    setPicked((before) => {
      const after = new Set(before);
      if (on) after.add(id);
      else after.delete(id);
      return after;
    });
  const error = list.error ?? more.error ?? views.error ?? save.error ?? update.error ?? remove.error ?? exported.error;

  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">{current ? current.name : 'All leads'}</h1>
      <div class="views">
        <label>
          Saved views
          <select
            value={viewId}
            onChange={(e) => {
              const view = views.data?.items.find((v) => v.id === e.currentTarget.value);
              setQuery('/list', view ? { ...params(view.query), view: view.id } : {});
            }}
          >
            <option value="">All leads (no view)</option>
            {(views.data?.items ?? []).map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
                {v.shared ? ` (team${v.owner === session.user ? '' : `, by ${v.owner}`})` : ''}
              </option>
            ))}
          </select>
        </label>
        <form
          class="views"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <label>
            View name
            <input value={name} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label class="check">
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
            Share with my team
          </label>
          <button type="submit" disabled={save.busy}>
            Save view
          </button>
        </form>
        {current && current.owner === session.user && (
          <>
            <button type="button" disabled={sameQuery(current.query, query)} onClick={() => void update.run(current)}>
              Update “{current.name}”
            </button>
            <button type="button" onClick={() => void remove.run(current)}>
              Delete view
            </button>
          </>
        )}
        <button type="button" onClick={() => void exported.run()} disabled={exported.busy}>
          Export CSV
        </button>
      </div>
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        {TEXT_FILTERS.map((field) => (
          <label key={field}>
            {field === 'owner' ? 'Owner' : field === 'team' ? 'Team' : field === 'source' ? 'Source' : 'Campaign'}
            <input
              value={query[field] ?? ''}
              placeholder={field === 'owner' ? 'me, UNASSIGNED or a user' : undefined}
              onChange={(e) => setFilter({ [field]: e.currentTarget.value.trim() || undefined })}
            />
          </label>
        ))}
        <label>
          Stage
          <select value={query.stage ?? ''} onChange={(e) => setFilter({ stage: e.currentTarget.value || undefined })}>
            <option value="">Any stage</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {STAGE_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Score band
          <select
            value={query.scoreBand ?? ''}
            onChange={(e) => setFilter({ scoreBand: e.currentTarget.value || undefined })}
          >
            <option value="">Any band</option>
            {['A', 'B', 'C', 'D'].map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label>
          Duplicates
          <select
            value={query.duplicate === undefined ? '' : String(query.duplicate)}
            onChange={(e) => setFilter({ duplicate: e.currentTarget.value || undefined })}
          >
            <option value="">Any</option>
            <option value="true">Possible duplicates</option>
            <option value="false">No duplicates</option>
          </select>
        </label>
        <label>
          Created from
          <input
            type="date"
            value={query.createdFrom ?? ''}
            onChange={(e) => setFilter({ createdFrom: e.currentTarget.value || undefined })}
          />
        </label>
        <label>
          Created to
          <input
            type="date"
            value={query.createdTo ?? ''}
            onChange={(e) => setFilter({ createdTo: e.currentTarget.value || undefined })}
          />
        </label>
        <label>
          Sort
          <select value={query.sort ?? '-createdAt'} onChange={(e) => setFilter({ sort: e.currentTarget.value })}>
            <option value="-createdAt">Newest first</option>
            <option value="createdAt">Oldest first</option>
          </select>
        </label>
      </form>
      <ProblemBanner error={error} />
      <p class="muted" aria-live="polite" data-testid="list-count">
        {list.loading
          ? 'Loading…'
          : `${items.length} lead${items.length === 1 ? '' : 's'}${cursor ? ' (more available)' : ''}`}
      </p>
      <BulkActions
        selected={selected}
        session={session}
        onClear={() => setPicked(new Set())}
        onDone={() => {
          setPicked(new Set());
          setExtra(undefined);
          void list.reload();
        }}
      />
      <table class="lead-table">
        <thead>
          <tr>
            <th scope="col" class="pick">
              <input
                type="checkbox"
                aria-label={`Select all ${items.length} loaded`}
                checked={allPicked}
                disabled={items.length === 0}
                onChange={(e) => setPicked(e.currentTarget.checked ? new Set(items.map((l) => l.id)) : new Set())}
              />
            </th>
            <th scope="col">Lead</th>
            <th scope="col" class="wide">
              Company
            </th>
            <th scope="col">Stage</th>
            <th scope="col" class="wide">
              Owner
            </th>
            <th scope="col" class="wide">
              Band
            </th>
            <th scope="col" class="wide">
              Created
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((lead) => (
            <tr key={lead.id} data-lead-id={lead.id}>
              <td class="pick">
                <input
                  type="checkbox"
                  aria-label={`Select ${leadName(lead)}`}
                  checked={picked.has(lead.id)}
                  onChange={(e) => pick(lead.id, e.currentTarget.checked)}
                />
              </td>
              <td>
                <a href={href(`/leads/${lead.id}`)}>{leadName(lead)}</a>
              </td>
              <td class="wide">{lead.company}</td>
              <td>{STAGE_LABEL[lead.stage]}</td>
              <td class="wide">{lead.owner ? people.name(lead.owner) : 'Unassigned'}</td>
              <td class="wide">{lead.scoreBand}</td>
              <td class="wide">{when(lead.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && (
        <button type="button" onClick={() => void more.run()} disabled={more.busy}>
          Load more
        </button>
      )}
    </section>
  );
};
