import type { Lead } from '../api/client';
import { useDirectory } from '../directory';
import { when } from '../format';

/**
 * While a lead waits on approval, says on whom and since when; the API then offers no action, so
 * the buttons are disabled instead of sending a convert that can only be refused.
 */
export const PendingApprovalNote = ({ lead }: { lead: Lead }) => {
  const people = useDirectory();
  const p = lead.pendingApproval;
  if (!p) return null;
  const who = p.escalatedTo
    ? `${people.name(p.escalatedTo)} (escalated)`
    : p.approver
      ? people.name(p.approver)
      : `the ${p.group ?? ''} group`;
  return (
    <p class="notice" role="status" aria-live="polite">
      Waiting on approval: {p.chain}, step {p.stepIndex + 1} of {p.steps} ({p.stepName}) with {who}
      {p.since && <> since {when(p.since)}</>}
      {p.dueAt && <>, due {when(p.dueAt)}</>}.
    </p>
  );
};
