import { useState } from 'preact/hooks';
import { ApiProblem, api, type Lead, must } from '../api/client';
import { useAction } from '../api/use-resource';
import { FieldError, ProblemBanner } from '../components/problem';

const TYPES = [
  ['call', 'Call'],
  ['meeting', 'Meeting'],
  ['email-reply', 'Email reply'],
] as const;

/** Activities counted on the lead (replies, meetings, form revisits…), which behaviour scoring rules read. */
export const BehaviourCounts = ({ lead }: { lead: Lead }) => {
  const counts = Object.entries(lead.behaviour ?? {});
  return (
    <p>
      <strong>Activity:</strong>{' '}
      {counts.length === 0 ? 'none recorded' : counts.map(([type, n]) => `${n} × ${type}`).join(', ')}
    </p>
  );
};

/**
 * Logs a call, meeting or reply on the lead (POST /leads/{id}/activities); the lead is rescored.
 * One activity id per entry, kept until it is accepted, so a retried save never counts twice.
 */
export const ActivityForm = ({ id, onAdded }: { id: string; onAdded: () => Promise<void> }) => {
  const [type, setType] = useState<string>('call');
  const [note, setNote] = useState('');
  const [activityId, setActivityId] = useState(() => crypto.randomUUID());
  const { run: log, error } = useAction(async () => {
    await must(
      api.POST('/leads/{id}/activities', {
        params: { path: { id } },
        body: { activityId, type, ...(note.trim() ? { note: note.trim() } : {}) },
      }),
    );
    setNote('');
    setActivityId(crypto.randomUUID());
    await onAdded();
  });
  const submit = (e: Event) => {
    e.preventDefault();
    void log();
  };
  return (
    <form onSubmit={submit} class="actions" aria-label="Log an activity">
      <label>
        Activity
        <select value={type} onChange={(e) => setType(e.currentTarget.value)} aria-describedby="err-activity-type">
          {TYPES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <FieldError error={error} field="type" id="err-activity-type" />
      </label>
      <label>
        What happened
        <input
          value={note}
          maxLength={500}
          onInput={(e) => setNote(e.currentTarget.value)}
          aria-describedby="err-activity-note"
        />
        <FieldError error={error} field="note" id="err-activity-note" />
      </label>
      <button type="submit">Log activity</button>
      {!(error instanceof ApiProblem && (error.fieldError('type') || error.fieldError('note'))) && (
        <ProblemBanner error={error} />
      )}
    </form>
  );
};
