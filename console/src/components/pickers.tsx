import type { ComponentChildren } from 'preact';
import { useDirectory } from '../directory';

type SelectProps = {
  /** The label wrapping the select; `children` follow the select inside it (the field's reason). */
  label: string;
  children?: ComponentChildren;
  value: string;
  onChange: (value: string) => void;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
  'aria-label'?: string;
  disabled?: boolean;
};

/**
 * A person chosen by name from the teams configuration (members, managers, people); a value it does
 * not know is kept as an option, so an older configuration still shows what it holds.
 */
export const UserPicker = ({ label, children, value, onChange, ...rest }: SelectProps) => {
  const { users } = useDirectory();
  const known = users.some((u) => u.user === value);
  return (
    <label>
      {label}
      <select {...rest} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Choose a person</option>
        {!known && value && <option value={value}>{value} (not in Teams)</option>}
        {users.map((u) => (
          <option key={u.user} value={u.user}>
            {u.name === u.user ? u.user : `${u.name} (${u.user})`}
          </option>
        ))}
      </select>
      {children}
    </label>
  );
};

/** A team chosen by name from the teams configuration. */
export const TeamPicker = ({ label, children, value, onChange, ...rest }: SelectProps) => {
  const { teams } = useDirectory();
  const known = teams.some((t) => t.id === value);
  return (
    <label>
      {label}
      <select {...rest} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Choose a team</option>
        {!known && value && <option value={value}>{value} (not in Teams)</option>}
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      {children}
    </label>
  );
};
