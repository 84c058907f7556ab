import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fieldIssuesOf, ValidationError } from '../core/errors';
import {
  addNote,
  attachmentDownload,
  changeFollower,
  type CollabDeps,
  leadFeed,
  startAttachment,
} from '../core/feed/lead-collab';
import { type NotificationPreferences, preferencesSchema } from '../core/notifications/preferences';
import { callerOf } from '../http/auth';
import { headerOf, jsonBody } from '../http/body';
import { json } from '../http/responses';
import { cursorCodec } from '../http/cursor';
import { routeBy } from '../http/router';

const FEED_CURSOR = cursorCodec('feed');

export type LeadCollabDeps = CollabDeps & {
  preferences: {
    get(user: string): Promise<NotificationPreferences>;
    put(user: string, prefs: NotificationPreferences, at: string): Promise<NotificationPreferences>;
  };
};

const leadId = (event: APIGatewayProxyEventV2) => event.pathParameters?.id ?? '';

/** The follower to add or remove: `{ "user" }` in the body, `?user=` on DELETE, or the caller. */
const followerBody = (event: APIGatewayProxyEventV2) => {
  const body = jsonBody(event, { optional: true }) as Record<string, unknown>;
  const user = event.queryStringParameters?.user;
  return user && body.user === undefined ? { ...body, user } : body;
};

/** Notes, attachments, followers and the feed of a lead; the caller's notification preferences. */
export const makeLeadCollabApi = (deps: LeadCollabDeps) =>
  routeBy({
    'POST /leads/{id}/notes': async (event) => {
      const note = await addNote(
        deps,
        callerOf(event),
        leadId(event),
        jsonBody(event),
        headerOf(event, 'idempotency-key'),
      );
      return json(201, note);
    },
    'POST /leads/{id}/attachments': async (event) => {
      const answer = await startAttachment(deps, callerOf(event), leadId(event), jsonBody(event));
      return json(201, answer, { location: `/leads/${leadId(event)}/attachments/${answer.attachment.id}` });
    },
    'GET /leads/{id}/attachments/{attachmentId}': async (event) =>
      json(
        200,
        await attachmentDownload(deps, callerOf(event), leadId(event), event.pathParameters?.attachmentId ?? ''),
      ),
    'POST /leads/{id}/followers': async (event) =>
      json(200, await changeFollower(deps, callerOf(event), leadId(event), followerBody(event), true)),
    'DELETE /leads/{id}/followers': async (event) =>
      json(200, await changeFollower(deps, callerOf(event), leadId(event), followerBody(event), false)),
    'GET /leads/{id}/feed': async (event) => {
      const caller = callerOf(event);
      const q = event.queryStringParameters ?? {};
      // Bound to the lead: a cursor of another lead's feed (or of another list) is refused.
      const start = FEED_CURSOR.decode(q.cursor, leadId(event));
      const page = await leadFeed(deps, caller, leadId(event), { limit: q.limit, start });
      return json(200, { items: page.items, cursor: FEED_CURSOR.encode(page.next, leadId(event)) });
    },
    'GET /me/notifications': async (event) => {
      const caller = callerOf(event);
      return json(200, { user: caller.userId, preferences: await deps.preferences.get(caller.userId) });
    },
    'PUT /me/notifications': async (event) => {
      const caller = callerOf(event);
      const parsed = preferencesSchema.safeParse(jsonBody(event));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      return json(200, {
        user: caller.userId,
        preferences: await deps.preferences.put(caller.userId, parsed.data, deps.clock.now().toISOString()),
      });
    },
  });
