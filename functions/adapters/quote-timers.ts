import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { QuoteTimers } from '../core/quotes/ports';

/** The execution of a quote version's timer: named after it, so a retried send cannot start a second. */
export const quoteTimerName = (quote: { id: string; version: number }) => `${quote.id}-v${quote.version}`;

/** The execution that escalates a quote approval step when overdue: one per step of an approval run. */
export const quoteApprovalTimerName = (quote: { id: string; version: number }, run: number, step: number) =>
  `${quoteTimerName(quote)}-approval-r${run}-s${step}`;

/**
 * Standard executions of the quote-expiry state machine (statemachines/quote-expiry.asl.json): one per
 * sent version, and one per step of a discount approval run (its input names `approvalRun`, `approvalStep`).
 */
export const makeQuoteTimers = (client: SFNClient, stateMachineArn: string): QuoteTimers => {
  const start = async (name: string, input: Record<string, unknown>) => {
    try {
      await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') return;
      throw error;
    }
  };
  return {
    arm: (quote) => start(quoteTimerName(quote), { quoteId: quote.id, version: quote.version }),
    armApproval: (quote, run, step) =>
      start(quoteApprovalTimerName(quote, run, step), {
        quoteId: quote.id,
        version: quote.version,
        approvalRun: run,
        approvalStep: step,
      }),
  };
};
