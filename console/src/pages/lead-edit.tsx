import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { ApiProblem, api, type Lead, must } from '../api/client';
import { useAction } from '../api/use-resource';
import { Reason, reasonUnder } from '../components/config-fields';
import { FieldError, ProblemBanner } from '../components/problem';
import { when } from '../format';

type TextField =
  | 'firstName'
  | 'lastName'
  | 'email'
  | 'phone'
  | 'company'
  | 'jobTitle'
  | 'website'
  | 'country'
  | 'productInterest'
  | 'notes';
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

type Row = { key: string; value: string };
type ConsentChoice = '' | 'yes' | 'no';

const rowsOf = (lead: Lead): Row[] => Object.entries(lead.customFields ?? {}).map(([key, value]) => ({ key, value }));
const consentOf = (lead: Lead): ConsentChoice =>
  lead.consent === undefined ? '' : lead.consent.marketing ? 'yes' : 'no';

/** The rows as the record the API stores; blank rows are dropped, a key given twice is the browser's error. */
const customFieldsOf = (rows: Row[]): { fields: Record<string, string>; issues: Record<string, string> } => {
  const fields: Record<string, string> = {};
  const issues: Record<string, string> = {};
  rows.forEach((row, i) => {
    const key = row.key.trim();
    if (!key && !row.value.trim()) return;
    if (!key) issues[`row-${i}`] = 'name the field';
    else if (key in fields) issues[`row-${i}`] = `'${key}' appears twice`;
    else fields[key] = row.value;
  });
  return { fields, issues };
};

const asText = (lead: Lead, field: Field): string => {
  const value = lead[field];
  return value === undefined || value === null ? '' : String(value);
};

/**
 * The lead's editable fields as a form: only changed fields are sent, an emptied field is sent as
 * `null` (cleared), and the API's per-field reasons are shown next to their fields.
 */
export const LeadEditForm = ({
  lead,
  onSaved,
  onCancel,
}: {
  lead: Lead;
  onSaved: (lead: Lead) => void;
  onCancel: () => void;
}) => {
  const [values, setValues] = useState<Record<Field, string>>(
    () => Object.fromEntries(FIELDS.map(({ field }) => [field, asText(lead, field)])) as Record<Field, string>,
  );
  const [rows, setRows] = useState<Row[]>(() => rowsOf(lead));
  const [consent, setConsent] = useState<ConsentChoice>(() => consentOf(lead));
  const [local, setLocal] = useState<Record<string, string>>({});
  const {
    run: send,
    busy,
    error,
  } = useAction(async (changes: Record<string, unknown>) => {
    onSaved(await must(api.PATCH('/leads/{id}', { params: { path: { id: lead.id } }, body: changes as never })));
  });

  const save = async (e: Event) => {
    e.preventDefault();
    const changes: Record<string, unknown> = {};
    for (const { field } of FIELDS) {
      const value = values[field].trim();
      if (value === asText(lead, field)) continue;
      if (value === '') changes[field] = null;
      else if (field === 'expectedValue') changes[field] = Number(value);
      else changes[field] = value;
    }
    const custom = customFieldsOf(rows);
    setLocal(custom.issues);
    if (Object.keys(custom.issues).length > 0) return;
    if (JSON.stringify(custom.fields) !== JSON.stringify(lead.customFields ?? {}))
      changes.customFields = Object.keys(custom.fields).length > 0 ? custom.fields : null;
    // A changed answer is recorded now; an unchanged one keeps the time it was first given.
    if (consent !== consentOf(lead))
      changes.consent = consent === '' ? null : { marketing: consent === 'yes', capturedAt: new Date().toISOString() };
    if (Object.keys(changes).length === 0) {
      onCancel();
      return;
    }
    await send(changes);
  };

  const set = (field: Field, value: string) => setValues((v) => ({ ...v, [field]: value }));
  const named = error instanceof ApiProblem ? (error.problem.errors ?? []).map((f) => f.field) : [];
  const placed = (f: string) =>
    FIELDS.some((x) => x.field === f) ||
    f === 'customFields' ||
    f.startsWith('customFields.') ||
    f === 'consent' ||
    f.startsWith('consent.');
  const unplaced = error instanceof ApiProblem && named.length > 0 && named.every(placed) ? undefined : error;
  const setRow = (i: number, patch: Partial<Row>) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <form onSubmit={save} aria-label="Edit lead" class="edit-lead" noValidate>
      {FIELDS.map(({ field, label, mode }) => {
        const errId = `err-edit-${field}`;
        const invalid = error instanceof ApiProblem && Boolean(error.fieldError(field));
        return (
          <label key={field} htmlFor={`edit-${field}`}>
            {label}
            {field === 'leadType' ? (
              <select
                id={`edit-${field}`}
                value={values[field]}
                onChange={(e) => set(field, e.currentTarget.value)}
                aria-describedby={errId}
                aria-invalid={invalid}
              >
                <option value="B2B">B2B</option>
                <option value="B2C">B2C</option>
              </select>
            ) : field === 'notes' ? (
              <textarea
                id={`edit-${field}`}
                value={values[field]}
                rows={3}
                onInput={(e) => set(field, e.currentTarget.value)}
                aria-describedby={errId}
                aria-invalid={invalid}
              />
            ) : (
              <input
                id={`edit-${field}`}
                inputMode={mode ?? 'text'}
                name={field}
                value={values[field]}
                onInput={(e) => set(field, e.currentTarget.value)}
                aria-describedby={errId}
                aria-invalid={invalid}
              />
            )}
            <FieldError error={error} field={field} id={errId} />
          </label>
        );
      })}
      <fieldset>
        <legend>Marketing consent</legend>
        <label htmlFor="edit-consent">
          Marketing opt-in
          <select
            id="edit-consent"
            value={consent}
            onChange={(e) => setConsent(e.currentTarget.value as ConsentChoice)}
            aria-describedby="err-edit-consent consent-when"
            aria-invalid={reasonUnder(error, 'consent') ? true : undefined}
          >
            <option value="">not recorded</option>
            <option value="yes">opted in</option>
            <option value="no">opted out</option>
          </select>
          <Reason error={error} path="consent" id="err-edit-consent" />
        </label>
        <p class="muted" id="consent-when">
          {consent !== consentOf(lead)
            ? 'The new answer is recorded with the time you save.'
            : lead.consent?.capturedAt
              ? `Recorded ${when(lead.consent.capturedAt)}.`
              : lead.consent
                ? 'Recorded at capture, without a time.'
                : 'The lead has not said.'}
        </p>
      </fieldset>
      <fieldset data-testid="custom-fields">
        <legend>Custom fields</legend>
        <Reason error={error} exact path="customFields" id="err-edit-customFields" />
        {rows.length === 0 && <p class="muted">None.</p>}
        <table hidden={rows.length === 0}>
          <caption class="muted">Custom fields</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span class="muted">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const errId = `err-edit-custom-${i}`;
              const reason =
                local[`row-${i}`] ??
                (row.key.trim() ? reasonUnder(error, `customFields.${row.key.trim()}`) : undefined);
              return (
                <tr key={`cf-${i}`}>
                  <td>
                    <input
                      aria-label={`Custom field ${i + 1} name`}
                      value={row.key}
                      onInput={(e) => setRow(i, { key: e.currentTarget.value })}
                      aria-describedby={errId}
                      aria-invalid={reason ? true : undefined}
                    />
                    {reason && (
                      <span class="field-error" id={errId}>
                        {reason}
                      </span>
                    )}
                  </td>
                  <td>
                    <input
                      aria-label={`Custom field ${i + 1} value`}
                      value={row.value}
                      onInput={(e) => setRow(i, { value: e.currentTarget.value })}
                      aria-describedby={errId}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Remove custom field ${row.key || i + 1}`}
                      onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button type="button" onClick={() => setRows((rs) => [...rs, { key: '', value: '' }])}>
          Add a custom field
        </button>
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
      {unplaced ? (
        <ProblemBanner error={unplaced} />
      ) : (
        error instanceof ApiProblem && <p class="field-error">{error.problem.detail}</p>
      )}
    </form>
  );
};

/** Consent and custom fields as `dt`/`dd` pairs for the lead page's field list. */
export const ConsentAndCustomFields = ({ lead }: { lead: Lead }) => (
  <>
    <dt>Marketing consent</dt>
    <dd data-testid="consent">
      {lead.consent === undefined ? 'not recorded' : lead.consent.marketing ? 'opted in' : 'opted out'}
      {lead.consent?.capturedAt ? ` (${when(lead.consent.capturedAt)})` : ''}
    </dd>
    {Object.entries(lead.customFields ?? {}).map(([key, value]) => (
      <Fragment key={key}>
        <dt>
          {key} <small>(custom)</small>
        </dt>
        <dd>{value}</dd>
      </Fragment>
    ))}
  </>
);
