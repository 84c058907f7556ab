import { useState } from 'preact/hooks';
import { ApiProblem, api, type Lead, must } from '../api/client';
import { FieldError, ProblemBanner } from '../components/problem';

type TextField = 'firstName' | 'lastName' | 'email' | 'phone' | 'company' | 'jobTitle' | 'website' | 'country' | 'productInterest' | 'notes';
type Field = TextField | 'leadType' | 'expectedValue';

/** The fields the form offers, in order, with their labels (`PATCH /leads/{id}` accepts these and more). */
const FIELDS: { field: Field; label: string; mode?: 'email' | 'tel' | 'decimal' }[] = [
  { field: 'firstName', label: 'First name' },
  { field: 'lastName', label: 'Last name' },
  { field: 'email', label: 'Email', mode: 'email' },
  { field: 'phone', label: 'Phone', mode: 'tel' },
  { field: 'company', label: 'Company' },
  { field: 'jobTitle', label: 'Job title' },
  { field: 'website', label: 'Website' },
  { field: 'country', label: 'Country' },
  { field: 'productInterest', label: 'Product interest' },
  { field: 'leadType', label: 'Type' },
  { field: 'expectedValue', label: 'Expected value', mode: 'decimal' },
  { field: 'notes', label: 'Notes' },
];

const asText = (lead: Lead, field: Field): string => {
  const value = lead[field];
  return value === undefined || value === null ? '' : String(value);
};

/**
 * The lead's editable fields as a form: only changed fields are sent, an emptied field is sent as
 * `null` (cleared), and the API's per-field reasons are shown next to their fields.
 */
export const LeadEditForm = ({ lead, onSaved, onCancel }: { lead: Lead; onSaved: (lead: Lead) => void; onCancel: () => void }) => {
  const [values, setValues] = useState<Record<Field, string>>(() => Object.fromEntries(FIELDS.map(({ field }) => [field, asText(lead, field)])) as Record<Field, string>);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const save = async (e: Event) => {
    e.preventDefault();
    const changes: Record<string, string | number | null> = {};
    for (const { field } of FIELDS) {
      const value = values[field].trim();
      if (value === asText(lead, field)) continue;
      if (value === '') changes[field] = null;
      else if (field === 'expectedValue') changes[field] = Number(value);
      else changes[field] = value;
    }
    if (Object.keys(changes).length === 0) {
      onCancel();
      return;
    }
    setBusy(true);
    try {
      const saved = await must(api.PATCH('/leads/{id}', { params: { path: { id: lead.id } }, body: changes as never }));
      setError(undefined);
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const set = (field: Field, value: string) => setValues((v) => ({ ...v, [field]: value }));
  const named = error instanceof ApiProblem ? (error.problem.errors ?? []).map((f) => f.field) : [];
  const unplaced = error instanceof ApiProblem && named.length > 0 && named.every((f) => FIELDS.some((x) => x.field === f)) ? undefined : error;

  return (
    <form onSubmit={save} aria-label="Edit lead" class="edit-lead" noValidate>
      {FIELDS.map(({ field, label, mode }) => {
        const errId = `err-edit-${field}`;
        const invalid = error instanceof ApiProblem && Boolean(error.fieldError(field));
        return (
          <label key={field} htmlFor={`edit-${field}`}>
            {label}
            {field === 'leadType' ? (
              <select id={`edit-${field}`} value={values[field]} onChange={(e) => set(field, e.currentTarget.value)} aria-describedby={errId} aria-invalid={invalid}>
                <option value="B2B">B2B</option>
                <option value="B2C">B2C</option>
              </select>
            ) : field === 'notes' ? (
              <textarea id={`edit-${field}`} value={values[field]} rows={3} onInput={(e) => set(field, e.currentTarget.value)} aria-describedby={errId} aria-invalid={invalid} />
            ) : (
              <input id={`edit-${field}`} inputMode={mode ?? 'text'} name={field} value={values[field]} onInput={(e) => set(field, e.currentTarget.value)} aria-describedby={errId} aria-invalid={invalid} />
            )}
            <FieldError error={error} field={field} id={errId} />
          </label>
        );
      })}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
      {unplaced ? <ProblemBanner error={unplaced} /> : error instanceof ApiProblem && <p class="field-error">{error.problem.detail}</p>}
    </form>
  );
};
