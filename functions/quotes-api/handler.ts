import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { fieldIssuesOf, NotFoundError, ValidationError } from '../core/errors';
import { canSee } from '../core/lead-access';
import { QUOTE_ACTIONS, type QuoteAction, quoteInputSchema } from '../core/quotes/quote';
import { actOnQuote, createQuote, editQuote, type QuoteDeps, visibleQuote } from '../core/quotes/quote-service';
import { callerOf } from '../http/auth';
import { jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

/** The body's shape is checked before anything is looked up: bad input is a 422 whatever the ids. */
const checkedBody = (event: APIGatewayProxyEventV2): unknown => {
  const body = jsonBody(event);
  const parsed = quoteInputSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  return body;
};

const param = (event: APIGatewayProxyEventV2, name: string) => event.pathParameters?.[name] ?? '';

const declineSchema = z.object({ reason: z.string().trim().max(500).optional() }).strict();

const versionOf = (event: APIGatewayProxyEventV2): number | undefined => {
  const raw = event.queryStringParameters?.version;
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d{0,5}$/.test(raw))
    throw new ValidationError([{ field: 'version', reason: 'must be a positive integer' }]);
  return Number(raw);
};

/** The links a quote answers with: itself, its PDF once sent, and where it came from. */
const withLinks = <T extends { id: string; version: number; leadId: string; opportunityId?: string; pdf?: unknown }>(
  quote: T,
) => ({
  ...quote,
  links: {
    self: `/quotes/${quote.id}?version=${quote.version}`,
    ...(quote.pdf ? { pdf: `/quotes/${quote.id}/pdf?version=${quote.version}` } : {}),
    lead: `/leads/${quote.leadId}`,
    ...(quote.opportunityId ? { opportunity: `/opportunities/${quote.opportunityId}` } : {}),
  },
});

/** Quick quotes: created from a lead or an opportunity, edited as drafts, sent, accepted or declined. */
export const makeQuotesApi = (deps: QuoteDeps) =>
  routeBy({
    'POST /leads/{id}/quotes': async (event) => {
      const quote = await createQuote(deps, {
        from: { leadId: param(event, 'id') },
        body: checkedBody(event),
        caller: callerOf(event),
      });
      return json(201, withLinks(quote), { location: `/quotes/${quote.id}` });
    },
    'POST /opportunities/{id}/quotes': async (event) => {
      const quote = await createQuote(deps, {
        from: { opportunityId: param(event, 'id') },
        body: checkedBody(event),
        caller: callerOf(event),
      });
      return json(201, withLinks(quote), { location: `/quotes/${quote.id}` });
    },
    'GET /leads/{id}/quotes': async (event) => {
      const caller = callerOf(event);
      const lead = await deps.crm.lead(param(event, 'id'));
      if (!lead) throw new NotFoundError('lead', param(event, 'id'));
      // Visibility follows the lead: visibleQuote checks the first; all share the lead.
      const items = await deps.quotes.listFor({ leadId: lead.id });
      if (items[0]) await visibleQuote(deps, caller, items[0].id);
      else if (!canSee(caller, lead)) throw new NotFoundError('lead', lead.id);
      return json(200, { items: items.map(withLinks) });
    },
    'GET /opportunities/{id}/quotes': async (event) => {
      const caller = callerOf(event);
      const opp = await deps.crm.opportunity(param(event, 'id'));
      if (!opp) throw new NotFoundError('opportunity', param(event, 'id'));
      const [own, fromLead] = await Promise.all([
        deps.quotes.listFor({ opportunityId: opp.id }),
        deps.quotes.listFor({ leadId: opp.leadId }),
      ]);
      // The opportunity's quotes, and those its lead had before it converted.
      const items = [...new Map([...own, ...fromLead].map((q) => [q.id, q])).values()];
      if (items[0]) await visibleQuote(deps, caller, items[0].id);
      return json(200, { items: items.map(withLinks) });
    },
    'GET /quotes/{quoteId}': async (event) => {
      const { quote } = await visibleQuote(deps, callerOf(event), param(event, 'quoteId'), versionOf(event));
      return json(200, withLinks(quote), { etag: `"${quote.version}.${quote.rev}"` });
    },
    'PUT /quotes/{quoteId}': async (event) => {
      const quote = await editQuote(deps, {
        id: param(event, 'quoteId'),
        body: checkedBody(event),
        caller: callerOf(event),
      });
      return json(200, withLinks(quote));
    },
    'POST /quotes/{quoteId}/actions/{action}': async (event) => {
      const caller = callerOf(event);
      const action = param(event, 'action');
      // As on a lead: an action that does not exist is a path that does not exist.
      if (!(QUOTE_ACTIONS as readonly string[]).includes(action)) throw new NotFoundError('quote action', action);
      let reason: string | undefined;
      if (action === 'decline' && event.body) {
        const parsed = declineSchema.safeParse(jsonBody(event));
        if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
        reason = parsed.data.reason;
      }
      const outcome = await actOnQuote(deps, {
        id: param(event, 'quoteId'),
        action: action as QuoteAction,
        caller,
        reason,
      });
      return json(outcome.approvalPending ? 202 : 200, { ...outcome, quote: withLinks(outcome.quote) });
    },
    'GET /quotes/{quoteId}/pdf': async (event) => {
      const { quote } = await visibleQuote(deps, callerOf(event), param(event, 'quoteId'), versionOf(event));
      if (!quote.pdf)
        throw new NotFoundError('PDF of quote', `${quote.id} v${quote.version} (it is made when the quote is sent)`);
      const url = await deps.documents.downloadUrl(quote.pdf.key, quote.pdf.fileName);
      return json(200, { url, fileName: quote.pdf.fileName, size: quote.pdf.size, expiresInSeconds: 7 * 24 * 3600 });
    },
  });
