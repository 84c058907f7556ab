import { waitSecondsUntil } from '../core/lifecycle/duration';
import {
  type QuoteApprovalTimerDeps,
  type QuoteDeps,
  tickQuoteApproval,
  tickQuoteExpiry,
} from '../core/quotes/quote-service';

/** A sent version's expiry timer, or (with `approvalRun` and `approvalStep`) the timer of a discount approval step. */
export type QuoteTimerEvent = { quoteId: string; version: number; approvalRun?: number; approvalStep?: number };

/**
 * The quote-expiry state machine's step. Expiry: expire the version if its validity has ended,
 * otherwise say how long to wait. Approval: escalate the open step if it is overdue, and wait until
 * the step's due time. A wait is one slice of at most 20 days, at least 1 s.
 */
export const makeQuoteTimerHandler =
  (deps: Pick<QuoteDeps, 'quotes' | 'crm' | 'publisher' | 'clock'> & Partial<QuoteApprovalTimerDeps>) =>
  async (event: QuoteTimerEvent): Promise<{ done: boolean; waitSeconds: number; status?: string }> => {
    const quoteId = String(event.quoteId);
    const version = Number(event.version);
    if (event.approvalRun !== undefined) {
      const { tasks, approvals, teams } = deps;
      if (!tasks || !approvals || !teams)
        throw new Error('the quote timer has no tasks, approvals or teams to escalate');
      const tick = await tickQuoteApproval(
        { ...deps, tasks, approvals, teams },
        {
          quoteId,
          version,
          run: Number(event.approvalRun),
          step: event.approvalStep === undefined ? undefined : Number(event.approvalStep),
        },
      );
      return { done: tick.done, waitSeconds: tick.dueAt ? waitSecondsUntil(tick.dueAt, deps.clock.now()) : 1 };
    }
    const tick = await tickQuoteExpiry(deps, { quoteId, version });
    return {
      done: tick.done,
      status: tick.status,
      waitSeconds: tick.expiresAt ? waitSecondsUntil(tick.expiresAt, deps.clock.now()) : 1,
    };
  };
