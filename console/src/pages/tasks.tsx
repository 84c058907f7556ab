import { useState } from 'preact/hooks';
import { type ApprovalTask, api, must, type Schemas, type Session } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { CompleteStep } from '../components/complete-step';
import { FieldError, ProblemBanner } from '../components/problem';
import { when } from '../format';
import { href } from '../router';

/** The approver's open tasks (their own and their groups'), each decided with a comment. */
export const TasksPage = ({ session }: { session: Session }) => {
  const { data: list, error, reload } = useResource(async () => await must(api.GET('/tasks')), [], { pollMs: 4000 });
  const tasks = list?.items;
  const steps = list?.steps;

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <p class="muted">
        Open approvals for {session.user} and the groups {session.groups.join(', ') || '(none)'}.
      </p>
      <ProblemBanner error={error} />
      {tasks && tasks.length === 0 && <p class="empty">No open approvals.</p>}
      <ul class="rules">
        {(tasks ?? []).map((t) => (
          <TaskCard key={t.taskId} task={t} onDecided={reload} />
        ))}
      </ul>
      <h2 id="steps-title">Stage steps</h2>
      {steps && steps.length === 0 && <p class="empty">No open steps.</p>}
      <ul class="rules" aria-labelledby="steps-title">
        {(steps ?? []).map((s) => (
          <StepCard key={s.id} step={s} onDone={reload} />
        ))}
      </ul>
    </section>
  );
};

/** A stage step that is the caller's (or their team's) to do, soonest due first. */
const StepCard = ({ step, onDone }: { step: Schemas['StepTask']; onDone: () => Promise<void> }) => (
  <li data-step-id={step.id} data-lead-id={step.leadId}>
    <h3>
      <a href={href(`/leads/${step.leadId}`)}>{step.leadSummary.name || step.leadId}</a>
      {step.leadSummary.company ? ` · ${step.leadSummary.company}` : ''}
    </h3>
    <p class="muted">
      {step.name} ({step.kind}
      {step.required ? ', required' : ''}) · {step.stage} · for {step.assignee.replace(':', ' ')} · due{' '}
      {when(step.dueAt)}
    </p>
    <CompleteStep step={step} onDone={onDone} />
  </li>
);

const TaskCard = ({ task, onDecided }: { task: ApprovalTask; onDecided: () => Promise<void> }) => {
  const [comment, setComment] = useState('');
  const lead = task.leadSummary;
  const name = lead.name || lead.email || task.leadId;
  const {
    run: decide,
    busy,
    error,
  } = useAction(async (decision: 'approve' | 'reject') => {
    await must(
      api.POST('/tasks/{taskId}/decision', {
        params: { path: { taskId: task.taskId } },
        body: { decision, comment: comment || undefined },
      }),
    );
    await onDecided();
  });
  const cid = `comment-${task.taskId}`;
  return (
    <li data-task-id={task.taskId} data-lead-id={task.leadId}>
      <h2>
        <a href={href(`/leads/${task.leadId}`)}>{name}</a>
        {lead.company ? ` · ${lead.company}` : ''}
        {task.escalated && <em class="badge escalated">Escalated</em>}
      </h2>
      <p class="muted">
        {task.chainName}, step {task.stepIndex + 1}: {task.stepName} · for{' '}
        {task.approver ?? `group ${task.group ?? '?'}`}
        {task.escalatedTo ? ` · escalated to ${task.escalatedTo}` : ''} · {lead.leadType} · {lead.stage}
        {lead.expectedValue !== undefined ? ` · expected value ${lead.expectedValue.toLocaleString()}` : ''}
        {lead.owner ? ` · owner ${lead.owner}` : ''} · due {when(task.dueAt)}
      </p>
      <label>
        Comment
        <input
          id={cid}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
          aria-describedby={`err-${cid}`}
        />
        <FieldError error={error} field="comment" id={`err-${cid}`} />
      </label>
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={() => void decide('approve')}>
          Approve
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void decide('reject')}>
          Reject
        </button>
      </div>
      <ProblemBanner error={error} />
    </li>
  );
};
