import { useState } from 'preact/hooks';
import { ApiProblem, api, must } from '../api/client';
import { useAction } from '../api/use-resource';
import { FieldError, ProblemBanner } from '../components/problem';

/** Adds a note to the lead's feed; the API's reason for the text is shown next to it. */
export const LeadNoteForm = ({ id, onAdded }: { id: string; onAdded: () => Promise<void> }) => {
  const [text, setText] = useState('');
  const add = useAction(async () => {
    await must(api.POST('/leads/{id}/notes', { params: { path: { id } }, body: { text } }));
    setText('');
    await onAdded();
  });
  const { error } = add;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
      class="actions"
    >
      <label>
        Add a note
        <textarea
          value={text}
          rows={2}
          cols={50}
          onInput={(e) => setText(e.currentTarget.value)}
          aria-describedby="err-text"
        />
        <FieldError error={error} field="text" id="err-text" />
      </label>
      <button type="submit" disabled={!text.trim()}>
        Add note
      </button>
      {!(error instanceof ApiProblem && error.fieldError('text')) && <ProblemBanner error={error} />}
    </form>
  );
};
