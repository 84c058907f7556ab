import { useState } from 'preact/hooks';
import { type DurationUnit, fromIso, toIso } from '../iso-duration';

/**
 * A duration as a number and a unit (4 hours, 2 days) for a field the API keeps as ISO-8601. A value
 * that is not a whole number above zero is sent as '' so the API refuses it; the reason shown then
 * speaks of the number, not of ISO-8601.
 */
export const DurationInput = ({
  label,
  value,
  onChange,
  reason,
  id,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (iso: string) => void;
  reason?: string;
  id: string;
  disabled?: boolean;
}) => {
  const parsed = fromIso(value);
  const [amount, setAmount] = useState(parsed ? String(parsed.amount) : '');
  const [unit, setUnit] = useState<DurationUnit>(parsed?.unit ?? 'hours');
  const emit = (a: string, u: DurationUnit) => onChange(toIso(Number(a.trim() === '' ? Number.NaN : a), u));
  const shown = reason && value === '' ? 'enter a whole number above zero' : reason;
  return (
    <fieldset class="duration" disabled={disabled}>
      <legend>{label}</legend>
      <input
        type="number"
        min={1}
        step={1}
        inputMode="numeric"
        aria-label={`${label} amount`}
        value={amount}
        aria-invalid={shown ? true : undefined}
        aria-describedby={`${id}-err`}
        onInput={(e) => {
          setAmount(e.currentTarget.value);
          emit(e.currentTarget.value, unit);
        }}
      />
      <select
        aria-label={`${label} unit`}
        value={unit}
        onChange={(e) => {
          const u = e.currentTarget.value as DurationUnit;
          setUnit(u);
          emit(amount, u);
        }}
      >
        {unit === 'seconds' && <option value="seconds">seconds</option>}
        <option value="minutes">minutes</option>
        <option value="hours">hours</option>
        <option value="days">days</option>
      </select>
      {shown && (
        <span class="field-error" id={`${id}-err`}>
          {shown}
        </span>
      )}
    </fieldset>
  );
};
