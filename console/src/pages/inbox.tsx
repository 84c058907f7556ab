import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type Lead, must, type Session, type Stage } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { BulkActions } from '../components/bulk-actions';
import { ProblemBanner } from '../components/problem';
import { type Directory, useDirectory } from '../directory';
import { ageing, duration, isManager, leadName, STAGE_LABEL } from '../format';
import { href, type Route, setQuery } from '../router';

const POLL_MS = 3000;
const ROW_HEIGHT = 56;
/** On a phone each lead is a card of four short lines instead of a six-column row. */
const CARD_HEIGHT = 112;
const NARROW = '(max-width: 700px)';
const OPEN: Stage[] = ['Creation', 'Assigned', 'MarketQualified', 'SalesQualified'];
const ALL: Stage[] = [...OPEN, 'Converted', 'Disqualified'];

type View = 'mine' | 'unassigned' | 'team';
type Sort = 'newest' | 'age' | 'score';

/** The query the API answers for a view: my leads, the unassigned queue, or (managers) a stage or a rep. */
const queryOf = (view: View, stage: string, aging: boolean, rep: string) => {
  const q: { owner?: string; stage?: Stage; aging?: 'true' } = {};
  if (view === 'mine') q.owner = 'me';
  if (view === 'unassigned') q.owner = 'UNASSIGNED';
  if (view === 'team' && rep) q.owner = rep;
  if (stage) q.stage = stage as Stage;
  if (view === 'team' && !rep && !stage) q.stage = 'Assigned';
  if (aging) q.aging = 'true';
  return q;
};

const sorters: Record<Sort, (a: Lead, b: Lead) => number> = {
  newest: (a, b) => b.createdAt.localeCompare(a.createdAt),
  age: (a, b) => (a.stageDeadline ?? '9').localeCompare(b.stageDeadline ?? '9'),
  score: (a, b) => (b.score ?? -1) - (a.score ?? -1),
};

/** What the inbox shows for a view: the leads loaded so far, the cursor of the next page, and when it was refreshed. */
type Loaded = { items: Lead[]; cursor?: string; updatedAt: number };
const EMPTY: Loaded = { items: [], updatedAt: Date.now() };

/**
 * Fetches the first page and merges it over what is loaded: new leads appear, changed ones update,
 * and a lead that left the view (moved on, reassigned) disappears. The list is newest first, so a
 * loaded lead at least as new as the page's oldest must be on that page if it is still in view.
 * Nothing loaded yet (a new view) takes the first page as it is.
 */
const mergeFirstPage = (loaded: Loaded | undefined, first: { items: Lead[]; cursor?: string }): Loaded => {
  const fresh = new Map(first.items.map((l) => [l.id, l]));
  const oldest = first.items[first.items.length - 1]?.createdAt;
  const beyondFirstPage = (l: Lead) => first.cursor !== undefined && oldest !== undefined && l.createdAt < oldest;
  const rest = loaded ? loaded.items.filter((l) => !fresh.has(l.id) && beyondFirstPage(l)) : [];
  return {
    items: [...first.items, ...rest],
    cursor: loaded ? (loaded.cursor ?? first.cursor) : first.cursor,
    updatedAt: Date.now(),
  };
};

/** The rep's inbox: their leads and the unassigned queue, refreshed every few seconds without a reload. */
export const InboxPage = ({ route, session }: { route: Route; session: Session }) => {
  const view = (route.query.get('view') as View | null) ?? 'mine';
  const stage = route.query.get('stage') ?? '';
  const agingOnly = route.query.get('aging') === 'true';
  const rep = route.query.get('rep') ?? '';
  const sort = (route.query.get('sort') as Sort | null) ?? 'newest';
  const setFilter = (patch: Record<string, string | undefined>) =>
    setQuery('/inbox', { view, stage, aging: agingOnly ? 'true' : undefined, rep, sort, ...patch });

  const key = `${view}|${stage}|${agingOnly}|${rep}`;
  const query = useMemo(() => queryOf(view, stage, agingOnly, rep), [key]);
  const inbox = useResource(() => must(api.GET('/leads', { params: { query: { ...query, limit: 100 } } })), [query], {
    pollMs: POLL_MS,
    merge: mergeFirstPage,
  });
  const pages = inbox.data ?? EMPTY;
  const { loading } = inbox;

  const more = useAction(async () => {
    const cursor = pages.cursor;
    if (!cursor) return;
    const next = await must(api.GET('/leads', { params: { query: { ...query, limit: 100, cursor } } }));
    inbox.setData((prev = EMPTY) => {
      const seen = new Set(prev.items.map((l) => l.id));
      return {
        items: [...prev.items, ...next.items.filter((l) => !seen.has(l.id))],
        cursor: next.cursor,
        updatedAt: prev.updatedAt,
      };
    });
  });
  const loadMore = () => void more.run();
  const error = inbox.error ?? more.error;

  const items = useMemo(() => [...pages.items].sort(sorters[sort]), [pages.items, sort]);
  const updatedAt = pages.updatedAt;
  const now = updatedAt;
  const people = useDirectory();
  // The selection for bulk actions: ids, kept across refreshes; a lead that leaves the view leaves it.
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const selected = items.filter((l) => picked.has(l.id));
  const toggle = (id: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allPicked = items.length > 0 && selected.length === items.length;

  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      <nav class="tabs" aria-label="Inbox views">
        <a href={href('/inbox', { view: 'mine' })} aria-current={view === 'mine' ? 'page' : undefined}>
          My leads
        </a>
        <a href={href('/inbox', { view: 'unassigned' })} aria-current={view === 'unassigned' ? 'page' : undefined}>
          Unassigned
        </a>
        {isManager(session) && (
          <a href={href('/inbox', { view: 'team' })} aria-current={view === 'team' ? 'page' : undefined}>
            Team
          </a>
        )}
      </nav>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Stage
          <select value={stage} onChange={(e) => setFilter({ stage: e.currentTarget.value || undefined })}>
            <option value="">{view === 'team' ? 'Assigned (default)' : 'Any stage'}</option>
            {ALL.map((s) => (
              <option key={s} value={s}>
                {STAGE_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        {view === 'team' && (
          <label>
            Rep
            <input
              value={rep}
              placeholder="user id"
              onChange={(e) => setFilter({ rep: e.currentTarget.value || undefined })}
            />
          </label>
        )}
        <label class="check">
          <input
            type="checkbox"
            checked={agingOnly}
            onChange={(e) => setFilter({ aging: e.currentTarget.checked ? 'true' : undefined })}
          />
          Ageing or overdue only
        </label>
        <label>
          Sort
          <select value={sort} onChange={(e) => setFilter({ sort: e.currentTarget.value })}>
            <option value="newest">Newest first</option>
            <option value="age">Closest to SLA first</option>
            <option value="score">Highest score first</option>
          </select>
        </label>
      </form>
      <ProblemBanner error={error} />
      <p class="muted" aria-live="polite" data-testid="inbox-count">
        {loading
          ? 'Loading…'
          : `${items.length} lead${items.length === 1 ? '' : 's'}${pages.cursor ? ' (more available)' : ''}`}{' '}
        · updated {new Date(updatedAt).toLocaleTimeString()}
      </p>
      {items.length > 0 && (
        <label class="check">
          <input
            type="checkbox"
            checked={allPicked}
            onChange={(e) => setPicked(e.currentTarget.checked ? new Set(items.map((l) => l.id)) : new Set())}
          />
          Select all {items.length} loaded
        </label>
      )}
      <BulkActions
        selected={selected}
        session={session}
        onClear={() => setPicked(new Set())}
        onDone={() => {
          setPicked(new Set());
          void inbox.reload();
        }}
      />
      <LeadList
        items={items}
        now={now}
        onEnd={pages.cursor ? loadMore : undefined}
        people={people}
        picked={picked}
        onPick={toggle}
      />
      {pages.cursor && (
        <button type="button" onClick={loadMore}>
          Load more
        </button>
      )}
    </section>
  );
};

/** A virtualised list: only the rows in view are in the DOM, so 1,000 leads scroll smoothly. */
export const LeadList = ({
  items,
  now,
  onEnd,
  people,
  picked,
  onPick,
}: {
  items: Lead[];
  now: number;
  onEnd?: () => void;
  people?: Directory;
  picked?: ReadonlySet<string>;
  onPick?: (id: string, on: boolean) => void;
}) => {
  const parent = useRef<HTMLDivElement>(null);
  const narrow = useMedia(NARROW);
  const height = narrow ? CARD_HEIGHT : ROW_HEIGHT;
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => parent.current,
    estimateSize: () => height,
    overscan: 8,
  });
  // A new row height (the window crossed the phone width) moves every row.
  useEffect(() => virtualizer.measure(), [height]);
  const rows = virtualizer.getVirtualItems();
  const last = rows[rows.length - 1];
  useEffect(() => {
    if (onEnd && last && last.index >= items.length - 5) onEnd();
  }, [last?.index, items.length]);

  // Arrow keys move between rows (Tab works too: every row is a link). A row off screen is scrolled in
  // and focused once rendered; the target is kept so fast repeated presses do not lose steps.
  const target = useRef<number | null>(null);
  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const focusWhenRendered = (index: number, tries = 10) => {
      const row = el.querySelector<HTMLElement>(`[data-index="${index}"]`);
      if (row) {
        row.focus();
        if (target.current === index) target.current = null;
      } else if (tries > 0) requestAnimationFrame(() => focusWhenRendered(index, tries - 1));
    };
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      const current = target.current ?? Number((document.activeElement as HTMLElement | null)?.dataset.index ?? -1);
      const next = Math.min(items.length - 1, Math.max(0, current + (e.key === 'ArrowDown' ? 1 : -1)));
      e.preventDefault();
      target.current = next;
      virtualizer.scrollToIndex(next);
      requestAnimationFrame(() => focusWhenRendered(next));
    };
    el.addEventListener('keydown', onKeyDown);
    return () => el.removeEventListener('keydown', onKeyDown);
  }, [items.length, virtualizer]);

  if (items.length === 0) return <p class="empty">No leads here yet.</p>;
  return (
    <div class={onPick ? 'lead-list pickable' : 'lead-list'} ref={parent}>
      <div class="lead-row head" aria-hidden="true">
        <span>Lead</span>
        <span>Stage</span>
        <span>Score</span>
        <span>Source</span>
        <span>Owner</span>
        <span>Age vs SLA</span>
      </div>
      <ul aria-label="Leads" style={{ height: `${virtualizer.getTotalSize()}px` }}>
        {rows.map((row) => {
          const lead = items[row.index];
          if (!lead) return null;
          const state = ageing(lead, now);
          const inStage = duration(now - Date.parse(lead.stageEnteredAt));
          const sla = lead.stageDeadline
            ? duration(Date.parse(lead.stageDeadline) - Date.parse(lead.stageEnteredAt))
            : '—';
          return (
            <li
              key={lead.id}
              aria-setsize={items.length}
              aria-posinset={row.index + 1}
              style={{ transform: `translateY(${row.start}px)`, height: `${height}px` }}
            >
              <div class="lead-item">
                {onPick && (
                  <input
                    type="checkbox"
                    class="pick"
                    aria-label={`Select ${leadName(lead)}`}
                    checked={picked?.has(lead.id) ?? false}
                    onChange={(e) => onPick(lead.id, e.currentTarget.checked)}
                  />
                )}
                <a
                  class={`lead-row ${state}`}
                  href={href(`/leads/${lead.id}`)}
                  data-index={row.index}
                  data-lead-id={lead.id}
                >
                  <span class="name">
                    <strong>{leadName(lead)}</strong>
                    {lead.duplicate && (
                      <em class="badge duplicate" title="Matches another lead (exactly or as a possible duplicate)">
                        Duplicate?
                      </em>
                    )}
                    <small>{lead.company ?? lead.email ?? ''}</small>
                  </span>
                  <span>{STAGE_LABEL[lead.stage]}</span>
                  <span>{lead.scoreBand ? `${lead.scoreBand} · ${lead.score ?? ''}` : '—'}</span>
                  <span>{lead.sourceId}</span>
                  <span>{lead.owner ? (people?.name(lead.owner) ?? lead.owner) : 'unassigned'}</span>
                  <span class="age">
                    {inStage} / {sla}
                    {state !== 'ok' && <em class={`badge ${state}`}>{state === 'overdue' ? 'Overdue' : 'Ageing'}</em>}
                  </span>
                </a>
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
};

/** Whether a media query matches now, following changes (the inbox's cards on a phone). */
const useMedia = (query: string) => {
  const [matches, setMatches] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const update = () => setMatches(list.matches);
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matches;
};
