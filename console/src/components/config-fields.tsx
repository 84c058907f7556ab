import type { ComponentChildren } from 'preact';
import { ApiProblem, type ConfigName, type ConfigValues } from '../api/client';
import { ProblemBanner } from './problem';

/** What every configuration editor is given: the saved value of its kind, the last problem, and how to save. */
export type EditorProps<N extends ConfigName> = {
  value: ConfigValues[N];
  error: unknown;
  canEdit: boolean;
  onSave: (value: ConfigValues[N]) => Promise<void>;
};

/** The API's reason for a field, or for any field under it (`value.chains.0.steps` matches `value.chains.0.steps.1.timeout`). */
export const reasonUnder = (error: unknown, path: string): string | undefined =>
  error instanceof ApiProblem
    ? error.problem.errors?.find((e) => e.field === path || e.field.startsWith(`${path}.`))?.reason
    : undefined;

/** The API's reason for exactly this path (a rule about a whole step or set, not one of its fields). */
export const reasonAt = (error: unknown, path: string): string | undefined =>
  error instanceof ApiProblem ? error.problem.errors?.find((e) => e.field === path)?.reason : undefined;

/**
 * A field's reason shown next to it: the browser's own check (`local`) first, then the API's. Give the
 * input `aria-describedby={id}` so a screen reader reads the reason with the field.
 */
export const Reason = ({
  error,
  path,
  id,
  local,
  exact,
}: {
  error: unknown;
  path: string;
  id: string;
  local?: Record<string, string>;
  exact?: boolean;
}) => {
  const reason = local?.[path] ?? (exact ? reasonAt(error, path) : reasonUnder(error, path));
  return reason ? (
    <span class="field-error" id={id}>
      {reason}
    </span>
  ) : null;
};

/** Whether the API or the browser named this field (for `aria-invalid`). */
export const invalid = (error: unknown, path: string, local?: Record<string, string>): true | undefined =>
  (local?.[path] ?? reasonUnder(error, path)) ? true : undefined;

/** A copy of `items` with the item at `i` moved `by` places (out-of-range moves change nothing). */
export const moveItem = <T,>(items: readonly T[], i: number, by: number): T[] => {
  const j = i + by;
  if (j < 0 || j >= items.length) return [...items];
  const next = [...items];
  const [item] = next.splice(i, 1);
  if (item !== undefined) next.splice(j, 0, item);
  return next;
};

/** "a, b ,c" → ["a", "b", "c"]; an empty list is `undefined` so optional lists stay absent. */
export const splitList = (text: string): string[] | undefined => {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
};

/** The config editors' shared problem banner: a stale save (409) is explained by the page, everything else here. */
export const hasProblem = (error: unknown): error is ApiProblem => error instanceof ApiProblem && error.status !== 409;

/** Up, Down and Remove for one item of an ordered list, labelled with what they move (`noun` is shown on Remove when lists nest). */
export const RowButtons = ({
  label,
  noun,
  index,
  count,
  onMove,
  onRemove,
}: {
  label: string;
  noun?: string;
  index: number;
  count: number;
  onMove: (by: number) => void;
  onRemove: () => void;
}) => (
  <div class="actions">
    <button type="button" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move ${label} up`}>
      ↑ Up
    </button>
    <button type="button" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move ${label} down`}>
      ↓ Down
    </button>
    <button type="button" onClick={onRemove} aria-label={`Remove ${label}`}>
      {noun ? `Remove ${noun}` : 'Remove'}
    </button>
  </div>
);

/**
 * The foot of a configuration form: a note when the browser found fields to fix, the API's problem
 * (a stale version is explained by the page above), and for editors the form's extra buttons and save.
 */
export const SaveBar = ({
  local,
  error,
  canEdit,
  children,
}: {
  local: Record<string, string>;
  error: unknown;
  canEdit: boolean;
  children?: ComponentChildren;
}) => (
  <>
    {Object.keys(local).length > 0 && (
      <p class="field-error" role="alert">
        Fix the fields marked above before saving.
      </p>
    )}
    {hasProblem(error) && <ProblemBanner error={error} />}
    {canEdit && (
      <div class="actions">
        {children}
        <button type="submit" class="primary">
          Validate and save
        </button>
      </div>
    )}
  </>
);
