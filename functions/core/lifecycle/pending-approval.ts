import type { Lead } from '../lead';
import type { ApprovalsConfig } from './approvals-config';
import type { ApprovalTaskRecord } from './ports';
import { isWorking } from './transitions';

/** What a lead waiting on approval is waiting for, as the API and the console show it. */
export type PendingApproval = {
  chain: string;
  stepIndex: number;
  stepName: string;
  steps: number;
  approver?: string;
  group?: string;
  escalatedTo?: string;
  taskId?: string;
  /** When this step's task opened, or the conversion was requested while the task is being opened. */
  since?: string;
  dueAt?: string;
};

/**
 * A lead is waiting on approval from the conversion request until the chain ends (converted,
 * returned or disqualified clear `approval`); while it waits, the execution holds no rep token.
 */
export const isApprovalPending = (lead: Pick<Lead, 'stage' | 'approval'>): boolean =>
  Boolean(lead.approval) && isWorking(lead.stage);

export const pendingApprovalOf = (
  lead: Pick<Lead, 'stage' | 'approval'>,
  approvals: ApprovalsConfig | undefined,
  task?: ApprovalTaskRecord,
): PendingApproval | null => {
  if (!lead.approval || !isApprovalPending(lead)) return null;
  const { chainName, chainIndex, stepIndex, taskId, requestedAt } = lead.approval;
  const chain = approvals?.chains[chainIndex];
  const step = chain?.name === chainName ? chain.steps[stepIndex] : undefined;
  const current = task && task.taskId === taskId && task.status === 'open' ? task : undefined;
  return {
    chain: chainName,
    stepIndex,
    stepName: current?.stepName ?? step?.name ?? `step ${stepIndex + 1}`,
    steps: chain?.steps.length ?? stepIndex + 1,
    approver: current ? current.approver : step?.approver,
    group: current ? current.group : step?.group,
    escalatedTo: current?.escalatedTo,
    taskId,
    since: current?.createdAt ?? requestedAt,
    dueAt: current?.dueAt,
  };
};

/** One line naming the approval, for a 409 and the audit. */
export const describePendingApproval = (p: PendingApproval): string =>
  `${p.chain}, step ${p.stepIndex + 1} of ${p.steps} (${p.stepName}) with ${p.escalatedTo ?? p.approver ?? `group ${p.group ?? '?'}`}${p.since ? ` since ${p.since}` : ''}`;
