import { whenSettled } from '../core/lifecycle/act-on-lead';
import {
  type ActivityOutcome,
  type ActivityPorts,
  activityTypes,
  parseActivity,
  recordActivity,
} from '../core/scoring/activities';
import { callerOf } from '../http/auth';
import { jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

/** What a caller sees of a recorded activity (never the events kept for a retry). */
export const activityView = ({ activity: a, duplicate }: ActivityOutcome) => ({
  leadId: a.leadId,
  activityId: a.activityId,
  type: a.type,
  occurredAt: a.activityAt,
  recordedAt: a.recordedAt,
  by: a.by.id,
  ...(a.note ? { note: a.note } : {}),
  count: a.count,
  score: a.score ?? null,
  scoreBand: a.scoreBand ?? null,
  scoreModel: a.scoreModel ?? null,
  topFactors: a.topFactors,
  duplicate,
});

/**
 * POST /leads/{id}/activities: replies, opens, meetings pushed by reps or integrations. 201 when
 * recorded, 200 with the first answer when the same activity id comes again.
 */
export const makeLeadActivitiesApi = (ports: ActivityPorts) =>
  routeBy({
    'POST /leads/{id}/activities': async (event) => {
      const caller = callerOf(event);
      const scoring = await ports.config.scoring();
      const activity = parseActivity(jsonBody(event), activityTypes(scoring.config.value.rules), ports.clock.now());
      const outcome = await whenSettled(() =>
        recordActivity(ports, {
          leadId: event.pathParameters?.id ?? '',
          activity,
          actor: { kind: 'user', id: caller.userId, source: 'API' },
          viewer: caller,
        }),
      );
      return json(outcome.duplicate ? 200 : 201, activityView(outcome));
    },
  });
