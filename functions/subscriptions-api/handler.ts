import { fieldIssuesOf, NotFoundError, ValidationError } from '../core/errors';
import type { IdGenerator, Clock } from '../core/ports';
import type { SubscriptionsStore } from '../core/outbound/ports';
import { type OutboundPolicy, type ResolveAll, urlTargetProblem } from '../core/outbound/address-policy';
import { newSigningSecret, subscriptionRequestSchema } from '../core/outbound/subscriptions';
import { callerOf, requireGroup } from '../http/auth';
import { jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

export type SubscriptionsApiDeps = {
  repo: SubscriptionsStore;
  ids: IdGenerator;
  clock: Clock;
  outbound: { policy: OutboundPolicy; resolve: ResolveAll };
};

/** Outbound webhook subscriptions, managed by sales ops. The secret is shown once, on creation. */
export const makeSubscriptionsApi = (deps: SubscriptionsApiDeps) =>
  routeBy({
    'GET /config/subscriptions': async (event) => {
      requireGroup(callerOf(event), 'salesops');
      const subscriptions = await deps.repo.subscriptions();
      const items = await Promise.all(
        subscriptions.map(async ({ secret: _secret, ...s }) => ({
          ...s,
          lastDeliveries: await deps.repo.lastDeliveries(s.id, 10),
        })),
      );
      return json(200, { items });
    },
    'POST /config/subscriptions': async (event) => {
      const caller = callerOf(event);
      requireGroup(caller, 'salesops');
      const parsed = subscriptionRequestSchema(deps.outbound.policy.allowHttp).safeParse(jsonBody(event));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      const refused = await urlTargetProblem(parsed.data.url, deps.outbound.policy, deps.outbound.resolve);
      if (refused) throw new ValidationError([{ field: 'url', reason: refused }]);
      const subscription = {
        id: deps.ids.next(),
        ...parsed.data,
        createdAt: deps.clock.now().toISOString(),
        createdBy: caller.userId,
        secret: newSigningSecret(),
      };
      await deps.repo.create(subscription);
      return json(201, subscription, { location: `/config/subscriptions/${subscription.id}` });
    },
    'DELETE /config/subscriptions/{subscriptionId}': async (event) => {
      requireGroup(callerOf(event), 'salesops');
      const id = event.pathParameters?.subscriptionId ?? '';
      if (!(await deps.repo.remove(id))) throw new NotFoundError('subscription', id);
      return { statusCode: 204, headers: {}, body: '' };
    },
  });
