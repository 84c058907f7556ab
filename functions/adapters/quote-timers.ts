import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { QuoteTimers } from '../core/quotes/ports';

/** The execution of a quote version's timer: named after it, so a retried send cannot start a second. */
export const quoteTimerName = (quote: { id: string; version: number }) => `${quote.id}-v${quote.version}`;

/** One Standard execution of the quote-expiry state machine per sent version (statemachines/quote-expiry.asl.json). */
export const makeQuoteTimers = (client: SFNClient, stateMachineArn: string): QuoteTimers => ({
  async arm(quote) {
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: quoteTimerName(quote),
          input: JSON.stringify({ quoteId: quote.id, version: quote.version }),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') return;
      throw error;
    }
  },
});
