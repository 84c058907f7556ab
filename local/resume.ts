import { makeQuotesRepository } from '../functions/adapters/quotes-repository';
import { quoteTimerName } from '../functions/adapters/quote-timers';
import { QUOTE_TIMER_STATE_MACHINE } from './config';
import { makeDocumentClient } from '../functions/adapters/aws-clients';
import { makeLeadReader } from '../functions/adapters/lead-repository';
import { OPEN_STAGES } from '../functions/core/lead';
import type { PageKey } from '../functions/core/ports';
import type { LocalRuntime } from './runtime';

/**
 * The local engine keeps waits in memory, so a restart loses them. The table still knows every open
 * lead's stage, deadline and approval: start one execution per open lead with `resume: true`, and the
 * definition picks each up where it stood, with its remaining SLA. Names carry a suffix because an
 * execution name is never reused (as on AWS).
 */
export const resumeInFlightLeads = async (rt: LocalRuntime): Promise<number> => {
  const reader = makeLeadReader(makeDocumentClient(), rt.tableName);
  const stamp = Date.now().toString(36);
  let resumed = 0;
  for (const stage of OPEN_STAGES) {
    let next: PageKey | undefined;
    do {
      const page = await reader.list({ stage }, 100, next);
      for (const lead of page.items) {
        // A start parked by the open-execution limit is the due sweep's to make, under its own name.
        if (lead.due?.kind === 'start') continue;
        rt.engine.start(
          rt.stateMachineArn,
          `${lead.id}--resume-${stamp}`,
          JSON.stringify({ leadId: lead.id, resume: true }),
        );
        resumed++;
      }
      next = page.next;
    } while (next);
  }
  return resumed;
};

/**
 * Sent quotes' expiry timers are waits in the local engine too: a restart re-arms one per sent version
 * from the table (the quotes' own index entry), each under a fresh name; an answered quote ends its timer.
 */
export const resumeQuoteTimers = async (rt: LocalRuntime): Promise<number> => {
  const quotes = makeQuotesRepository(makeDocumentClient(), rt.tableName);
  const arn = rt.engine.stateMachineArn(QUOTE_TIMER_STATE_MACHINE);
  const stamp = Date.now().toString(36);
  const sent = await quotes.sentQuotes();
  for (const quote of sent)
    rt.engine.start(
      arn,
      `${quoteTimerName(quote)}--resume-${stamp}`,
      JSON.stringify({ quoteId: quote.id, version: quote.version }),
    );
  return sent.length;
};
