import { useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useAction } from '../api/use-resource';
import { FieldError, ProblemBanner } from './problem';

export type StepState = Schemas['StepState'];

/**
 * Completes a stage step with one of its outcomes (POST /tasks/{taskId}/complete). An outcome that
 * sales ops mapped to an action lets the lifecycle move the lead itself when the criteria allow.
 */
export const CompleteStep = ({ step, onDone }: { step: StepState; onDone: (woken: boolean) => Promise<void> }) => {
  const [outcome, setOutcome] = useState(step.outcomes[0] ?? '');
  const { run, busy, error } = useAction(async () => {
    const done = await must(
      api.POST('/tasks/{taskId}/complete', { params: { path: { taskId: step.id } }, body: { outcome } }),
    );
    await onDone(done.workflowWoken);
  });
  const id = `outcome-${step.id}`;
  return (
    <form
      class="actions"
      aria-label={`Complete ${step.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <label>
        Outcome
        <select
          id={id}
          value={outcome}
          onChange={(e) => setOutcome(e.currentTarget.value)}
          aria-describedby={`err-${id}`}
        >
          {step.outcomes.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <FieldError error={error} field="outcome" id={`err-${id}`} />
      </label>
      <button type="submit" disabled={busy}>
        Complete step
      </button>
      <ProblemBanner error={error} />
    </form>
  );
};
