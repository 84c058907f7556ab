import { useState } from 'preact/hooks';
import { type ApprovalTask, api, must, type Session } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { FieldError, ProblemBanner } from '../components/problem';
import { when } from '../format';
import { href } from '../router';

/** The approver's open tasks (their own and their groups'), each decided with a comment. */
export const TasksPage = ({ session }: { session: Session }) => {
  const {
    data: tasks,
    error,
    reload,
  } = useResource(async () => (await must(api.GET('/tasks'))).items, [], { pollMs: 4000 });

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Approval tasks</h1>
      <p class="muted">
        Open approvals for {session.user} and the groups {session.groups.join(', ') || '(none)'}.
      </p>
      <ProblemBanner error={error} />
      {tasks && tasks.length === 0 && <p class="empty">No open tasks.</p>}
      <ul class="rules">
        {(tasks ?? []).map((t) => (
          <TaskCard key={t.taskId} task={t} onDecided={reload} />
        ))}
      </ul>
    </section>
  );
};

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
