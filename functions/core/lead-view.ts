import type { Lead } from './lead';
import type { PendingApproval } from './lifecycle/pending-approval';
import { describeFactor } from './scoring/score-lead';

/**
 * A lead as callers see it: without the workflow's internals (wait token, pending step), with the
 * actions its stage allows and its top score factors in words.
 */
export const leadView = (
  lead: Lead & { taskToken?: string },
  allowedActions: readonly string[] = [],
  pendingApproval: PendingApproval | null = null,
) => {
  const {
    taskToken: _token,
    pendingNext: _next,
    searchIndexed: _indexed,
    sameBodyHash: _bodyHash,
    ...visible
  } = lead as typeof lead & {
    searchIndexed?: boolean;
  };
  return {
    ...visible,
    allowedActions,
    pendingApproval,
    topFactors: (lead.scoreFactors ?? []).slice(0, 3).map(describeFactor),
  };
};
