import * as z from 'zod';
import { actOnLead, isRepAction, whenSettled } from '../core/lifecycle/act-on-lead';
import { type EditPorts, editLead } from '../core/lifecycle/edit-lead';
import { pendingApprovalOf } from '../core/lifecycle/pending-approval';
import { allowedActions } from '../core/lifecycle/transitions';
import { leadView } from '../core/lead-view';
import { fieldIssuesOf, NotFoundError, ValidationError } from '../core/errors';
import { callerOf } from '../http/auth';
import { jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

const bodySchema = z
  .object({
    reason: z.string().trim().min(1).max(500).optional(),
    convertToContact: z.boolean().optional(),
    comment: z.string().max(2000).optional(),
    owner: z.string().trim().min(1).max(128).optional(),
  })
  .strict();

/** POST /leads/{id}/actions/{action}: qualify, handoff, distribute, disqualify, convert. */
export const makeLeadActionsApi = (ports: EditPorts) =>
  routeBy({
    'POST /leads/{id}/actions/{action}': async (event) => {
      const caller = callerOf(event);
      const action = event.pathParameters?.action ?? '';
      if (!isRepAction(action)) throw new NotFoundError('action', action);
      const parsed = bodySchema.safeParse(jsonBody(event, { optional: true }));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      if (parsed.data.owner !== undefined && action !== 'distribute')
        throw new ValidationError([{ field: 'owner', reason: 'only distribute assigns to a named user' }]);
      const { lead, next } = await whenSettled(() =>
        actOnLead(ports, { leadId: event.pathParameters?.id ?? '', action, input: parsed.data, caller }),
      );
      const pending = pendingApprovalOf(lead, await ports.config.approvals());
      return json(200, {
        lead: leadView(lead, allowedActions(lead, await ports.config.stages()), pending),
        stage: lead.stage,
        next,
      });
    },

    /** Corrects a lead's fields (null clears one); the answer is the lead as it now stands. */
    'PATCH /leads/{id}': async (event) => {
      const caller = callerOf(event);
      const body = jsonBody(event) as Record<string, unknown>;
      const lead = await editLead(ports, { leadId: event.pathParameters?.id ?? '', changes: body, caller });
      return json(200, leadView(lead, allowedActions(lead, await ports.config.stages())));
    },
  });
