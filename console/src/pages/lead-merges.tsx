import { useState } from 'preact/hooks';
import { ApiProblem, api, type Lead, must } from '../api/client';
import { useAction } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { when } from '../format';

type Conflict = { field: string; beforeMerge?: unknown; afterMerge?: unknown; now?: unknown };
const show = (v: unknown) => (v === undefined || v === null ? '(empty)' : String(v));

/**
 * The merges a survivor took leads in, each with its undo. An undo that would overwrite a field
 * changed since the merge is refused with the fields; the rep may then undo keeping those values.
 */
export const LeadMerges = ({ lead, onUndone }: { lead: Lead; onUndone: () => Promise<void> }) => {
  const merges = lead.mergedFrom ?? [];
  if (merges.length === 0) return null;
  return (
    <section aria-labelledby="merges-title" class="merges">
      <h2 id="merges-title">Merged into this lead</h2>
      <ul>
        {[...merges].reverse().map((m) => (
          <MergeEntry key={m.mergeId} merge={m} onUndone={onUndone} />
        ))}
      </ul>
    </section>
  );
};

const MergeEntry = ({
  merge,
  onUndone,
}: {
  merge: { mergeId: string; leadIds: string[]; at: string };
  onUndone: () => Promise<void>;
}) => {
  const [conflicts, setConflicts] = useState<Conflict[]>();
  const undo = useAction(async (keep: string[]) => {
    try {
      await must(api.POST('/merges/{mergeId}/undo', { params: { path: { mergeId: merge.mergeId } }, body: { keep } }));
    } catch (error) {
      const found = error instanceof ApiProblem ? (error.problem as { conflicts?: Conflict[] }).conflicts : undefined;
      if (found?.length) {
        setConflicts(found);
        return;
      }
      throw error;
    }
    setConflicts(undefined);
    await onUndone();
  });
  return (
    <li data-merge-id={merge.mergeId}>
      <time dateTime={merge.at}>{when(merge.at)}</time> — {merge.leadIds.length} lead
      {merge.leadIds.length === 1 ? '' : 's'} merged in{' '}
      <button type="button" disabled={undo.busy} onClick={() => void undo.run([])}>
        Undo merge
      </button>
      {conflicts && (
        <div class="problem" role="alert">
          <strong>Changed since the merge</strong>
          <p>Undoing would overwrite these fields, so nothing was changed:</p>
          <ul>
            {conflicts.map((c) => (
              <li key={c.field}>
                <code>{c.field}</code>: before the merge {show(c.beforeMerge)}, after it {show(c.afterMerge)}, now{' '}
                {show(c.now)}
              </li>
            ))}
          </ul>
          <button type="button" disabled={undo.busy} onClick={() => void undo.run(conflicts.map((c) => c.field))}>
            Undo, keeping the current values
          </button>
        </div>
      )}
      <ProblemBanner error={undo.error} />
    </li>
  );
};
