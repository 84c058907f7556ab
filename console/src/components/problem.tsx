import { ApiProblem } from '../api/client';

/** Shows an API problem's `detail` (and its title), or any other error's message, as an alert. */
export const ProblemBanner = ({ error, id }: { error: unknown; id?: string }) => {
  if (!error) return null;
  const title = error instanceof ApiProblem ? `${error.problem.title} (${error.status})` : 'Something went wrong';
  const detail = error instanceof Error ? error.message : String(error);
  const fields = error instanceof ApiProblem ? (error.problem.errors ?? []) : [];
  return (
    <div class="problem" role="alert" id={id}>
      <strong>{title}</strong>
      <p>{detail}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f.field}>
              <code>{f.field}</code>: {f.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
};

/** The reason the API gave for one field, placed next to it and linked with aria-describedby. */
export const FieldError = ({ error, field, id }: { error: unknown; field: string; id: string }) => {
  const reason = error instanceof ApiProblem ? error.fieldError(field) : undefined;
  return reason ? (
    <span class="field-error" id={id} role="alert">
      {reason}
    </span>
  ) : null;
};
