import type { ApprovalChain } from './approvals-config';

/** What a lead's approval run remembers about who acted: who asked to convert, who decided earlier steps. */
export type ApprovalActors = { requestedBy?: string; deciders?: string[] };

/**
 * Four eyes: whoever asked for the conversion, or decided an earlier step of the same run, may not
 * decide this step, unless the chain allows it (`allowSelfApproval`).
 */
export const excludedDecidersOf = (
  chain: Pick<ApprovalChain, 'allowSelfApproval'>,
  actors: ApprovalActors | null | undefined,
): string[] => {
  if (chain.allowSelfApproval) return [];
  return [...new Set([actors?.requestedBy, ...(actors?.deciders ?? [])].filter((u): u is string => Boolean(u)))];
};

/** Why this user may not decide the task for having acted on it; undefined when nothing stands against it. */
export const selfDecisionRefusal = (
  task: { excludedDeciders?: string[]; requestedBy?: string },
  userId: string,
): string | undefined => {
  if (!task.excludedDeciders?.includes(userId)) return undefined;
  const role = task.requestedBy === userId ? 'requested this conversion' : 'decided an earlier step of this approval';
  return `you ${role}, so another approver must decide this step (four-eyes rule); the task stays open for them`;
};

/** The first candidate who is not excluded: the step moves past its named approver to someone eligible. */
export const firstEligible = (candidates: (string | undefined)[], excluded: readonly string[]): string | undefined =>
  candidates.find((c): c is string => Boolean(c) && !excluded.includes(c as string));
