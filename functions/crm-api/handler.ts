import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { type CrmDeps, moveOpportunity, visibleOpportunity } from '../core/conversion/opportunity-moves';
import { fieldIssuesOf, NotFoundError, ValidationError } from '../core/errors';
import { callerOf } from '../http/auth';
import { jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

const pathId = (event: APIGatewayProxyEventV2) => event.pathParameters?.id ?? '';

const moveSchema = z
  .object({ stage: z.string().trim().min(1).max(60), comment: z.string().trim().max(2000).optional() })
  .strict();

/** Opportunities (visible like their lead), accounts and contacts (shared records: any signed-in user reads them); stage moves along the stage set. */
export const makeCrmApi = (deps: CrmDeps) =>
  routeBy({
    'GET /opportunities/{id}': async (event) => {
      const opportunity = await visibleOpportunity(deps, callerOf(event), pathId(event));
      // Notes, attachments and history stay on the lead; the opportunity points there.
      const links = { lead: `/leads/${opportunity.leadId}`, feed: `/leads/${opportunity.leadId}/feed` };
      return json(200, { ...opportunity, links }, { etag: `"${opportunity.version}"` });
    },
    'PATCH /opportunities/{id}': async (event) => {
      const caller = callerOf(event);
      const parsed = moveSchema.safeParse(jsonBody(event));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      const opportunity = await moveOpportunity(deps, caller, { id: pathId(event), ...parsed.data });
      return json(200, opportunity, { etag: `"${opportunity.version}"` });
    },
    'GET /accounts/{id}': async (event) => {
      callerOf(event);
      const account = await deps.crm.account(pathId(event));
      if (!account) throw new NotFoundError('account', pathId(event));
      return json(200, account);
    },
    'GET /contacts/{id}': async (event) => {
      callerOf(event);
      const contact = await deps.crm.contact(pathId(event));
      if (!contact) throw new NotFoundError('contact', pathId(event));
      return json(200, contact);
    },
  });
