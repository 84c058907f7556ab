import { useState } from 'preact/hooks';
import { ApiProblem, api, type Lead, must, type Session } from '../api/client';
import { useAction } from '../api/use-resource';
import { useDirectory } from '../directory';
import { isManager, leadName } from '../format';
import { href } from '../router';

type BulkKind = 'assign' | 'follow' | 'disqualify';
type Outcome = { id: string; name: string; ok: boolean; message: string };

/** At most this many requests at once, so a large selection neither floods the API nor takes forever. */
const PARALLEL = 4;

/** Runs `each` over the items, a few at a time, collecting every outcome (one failure stops nothing). */
const perItem = async <T, R>(items: readonly T[], each: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await each(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return results;
};

const reasonOf = (e: unknown) =>
  e instanceof ApiProblem
    ? (e.problem.errors?.map((x) => `${x.field}: ${x.reason}`).join('; ') ?? '') || e.message
    : String(e);

/**
 * The bar under a selection of leads: assign to someone, follow, or disqualify with a reason. Each lead
 * goes through its own endpoint with the usual guards (owner or manager, the stage's allowed actions,
 * conditional writes), so the outcome is per lead: done, or refused with the API's reason.
 */
export const BulkActions = ({
  selected,
  session,
  onDone,
  onClear,
}: {
  selected: Lead[];
  session: Session;
  onDone: () => void;
  onClear: () => void;
}) => {
  const people = useDirectory();
  const [kind, setKind] = useState<BulkKind>('assign');
  const [owner, setOwner] = useState('');
  const [reason, setReason] = useState('');
  const [outcomes, setOutcomes] = useState<{ kind: BulkKind; items: Outcome[] }>();
  const manager = isManager(session);
  const assignee = manager ? owner : session.user;

  const apply = useAction(async () => {
    const leads = selected;
    const items = await perItem(leads, async (lead): Promise<Outcome> => {
      const id = lead.id;
      const name = leadName(lead);
      try {
        if (kind === 'follow') {
          await must(api.POST('/leads/{id}/followers', { params: { path: { id } }, body: { user: session.user } }));
          return { id, name, ok: true, message: 'followed' };
        }
        if (kind === 'assign') {
          const r = await must(
            api.POST('/leads/{id}/actions/{action}', {
              params: { path: { id, action: 'distribute' } },
              body: { owner: assignee },
            }),
          );
          return { id, name, ok: true, message: `assigned to ${people.name(r.lead.owner ?? assignee)}` };
        }
        await must(
          api.POST('/leads/{id}/actions/{action}', {
            params: { path: { id, action: 'disqualify' } },
            body: { reason: reason.trim() },
          }),
        );
        return { id, name, ok: true, message: 'disqualified' };
      } catch (e) {
        return { id, name, ok: false, message: reasonOf(e) };
      }
    });
    setOutcomes({ kind, items });
    onDone();
  });

  const missing =
    kind === 'assign' && !assignee ? 'choose who' : kind === 'disqualify' && !reason.trim() ? 'give a reason' : '';
  const done = outcomes?.items.filter((o) => o.ok).length ?? 0;
  return (
    <>
      {selected.length > 0 && (
        <form
          class="bulk-bar"
          aria-label="Bulk actions"
          onSubmit={(e) => {
            e.preventDefault();
            if (!missing) void apply.run();
          }}
        >
          <strong>{selected.length} selected</strong>
          <label>
            Action
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value as BulkKind)}>
              <option value="assign">{manager ? 'Assign to…' : 'Assign to me'}</option>
              <option value="follow">Follow</option>
              <option value="disqualify">Disqualify…</option>
            </select>
          </label>
          {kind === 'assign' && manager && (
            <label>
              Assign to
              <select aria-label="Assign to" value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
                <option value="">Choose a person</option>
                {people.users.map((u) => (
                  <option key={u.user} value={u.user}>
                    {u.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {kind === 'disqualify' && (
            <label>
              Reason
              <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
          )}
          <button type="submit" class="primary" disabled={apply.busy || Boolean(missing)}>
            {apply.busy ? 'Applying…' : `Apply to ${selected.length}`}
          </button>
          <button type="button" onClick={onClear}>
            Clear selection
          </button>
          {selected.length >= 2 && (
            <a class="button" href={href('/merge', { ids: selected.map((l) => l.id).join(',') })}>
              Merge {selected.length} leads…
            </a>
          )}
          {missing && <small class="muted">First {missing}.</small>}
        </form>
      )}
      {outcomes && (
        <section class="notice bulk-results" role="status" aria-label="Bulk results" data-testid="bulk-results">
          <p>
            <strong>
              {outcomes.kind === 'assign' ? 'Assign' : outcomes.kind === 'follow' ? 'Follow' : 'Disqualify'}: {done} of{' '}
              {outcomes.items.length} done
            </strong>{' '}
            <button type="button" onClick={() => setOutcomes(undefined)}>
              Dismiss
            </button>
          </p>
          <ul>
            {outcomes.items.map((o) => (
              <li key={o.id} class={o.ok ? 'ok' : 'failed'} data-lead-id={o.id}>
                {o.ok ? '✓' : '✗'} {o.name}: {o.message}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
};
