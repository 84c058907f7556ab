import type { Lead } from './lead';
import { describeFactor } from './scoring/score-lead';

/**
 * A lead as callers see it: without the workflow's internals (wait token, pending step), with the
 * actions its stage allows and its top score factors in words.
 */
export const leadView = (lead: Lead & { taskToken?: string }, allowedActions: readonly string[] = []) => {
  const { taskToken: _token, pendingNext: _next, ...visible } = lead;
  return { ...visible, allowedActions, topFactors: (lead.scoreFactors ?? []).slice(0, 3).map(describeFactor) };
};
