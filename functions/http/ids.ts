import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '../core/errors';

/**
 * What each kind of id in a path looks like. Lead ids are ULIDs (Crockford base32, 26 characters);
 * the records derived from a lead carry its id behind a prefix; sources and forms are configured
 * slugs. An id outside its shape cannot exist, so it is a 404 before any store is asked (an id over
 * DynamoDB's 1024/2048-byte key limits would otherwise make it throw, and answer 500).
 */
const ULID = '[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}';
const SLUG = '[a-z0-9][a-z0-9-]{0,62}';

export const ID_SHAPES = {
  lead: new RegExp(`^${ULID}$`),
  attachment: new RegExp(`^${ULID}$`),
  opportunity: new RegExp(`^opp-${ULID}$`),
  account: new RegExp(`^acc-${ULID}$`),
  contact: new RegExp(`^con-${ULID}$`),
  /** `<lead id>.<approval run>.<step>` (core/lifecycle/workflow-steps.ts `taskIdFor`). */
  /** Or `quote-<quote number>-v<version>-r<run>-s<step>` for a quote-discount task (core/quotes/quote-service.ts). */
  task: new RegExp(`^(${ULID}\\.\\d{1,6}\\.\\d{1,4}|quote-Q-\\d{4}-\\d{6,9}-v\\d{1,6}-r\\d{1,6}-s\\d{1,4})$`),
  /** `Q-<year>-<number>` (core/quotes/quote.ts `formatQuoteNumber`). */
  quote: /^Q-\d{4}-\d{6,9}$/,
  /** `<lead id>.<working stage>.<position>` (core/lifecycle/stage-steps.ts `stepIdFor`). */
  step: new RegExp(`^${ULID}\\.(Assigned|MarketQualified|SalesQualified)\\.\\d{1,2}$`),
  /** `imp-` + 32 hex digits of a hash (core/import/import-job.ts `jobIdOf`). */
  import: /^imp-[0-9a-f]{32}$/,
  subscription: new RegExp(`^sub_${ULID}$`),
  source: new RegExp(`^${SLUG}$`),
  form: new RegExp(`^${SLUG}$`),
  config: new RegExp(`^${SLUG}$`),
  action: /^[a-z]{1,32}$/,
  /** A saved view (functions/core/views.ts): a ULID. */
  view: new RegExp(`^${ULID}$`),
  erasure: new RegExp(`^era_${ULID}$`),
  /** A ULID, or `k` + 25 hex digits of a hash of the caller's Idempotency-Key (lead-merge/handler.ts). */
  merge: new RegExp(`^(${ULID}|k[0-9a-f]{25})$`),
} as const;
export type IdKind = keyof typeof ID_SHAPES;

/** The kind of every path parameter of every route (functions/routes.ts); a test keeps the two in step. */
export const PATH_PARAMETERS: Readonly<Record<string, Readonly<Record<string, IdKind>>>> = {
  '/webhooks/{sourceId}': { sourceId: 'source' },
  '/forms/{formId}': { formId: 'form' },
  '/leads/{id}': { id: 'lead' },
  '/leads/{id}/consents': { id: 'lead' },
  '/privacy/erasures/{id}': { id: 'erasure' },
  '/merges/{mergeId}': { mergeId: 'merge' },
  '/merges/{mergeId}/undo': { mergeId: 'merge' },
  '/merges/{mergeId}/resume': { mergeId: 'merge' },
  '/config/{name}': { name: 'config' },
  '/opportunities/{id}': { id: 'opportunity' },
  '/accounts/{id}': { id: 'account' },
  '/contacts/{id}': { id: 'contact' },
  '/leads/{id}/notes': { id: 'lead' },
  '/leads/{id}/attachments': { id: 'lead' },
  '/leads/{id}/attachments/{attachmentId}': { id: 'lead', attachmentId: 'attachment' },
  '/leads/{id}/followers': { id: 'lead' },
  '/leads/{id}/feed': { id: 'lead' },
  '/config/subscriptions/{subscriptionId}': { subscriptionId: 'subscription' },
  '/leads/{id}/actions/{action}': { id: 'lead', action: 'action' },
  '/leads/{id}/activities': { id: 'lead' },
  '/tasks/{taskId}/decision': { taskId: 'task' },
  '/tasks/{taskId}/complete': { taskId: 'step' },
  '/imports/{id}/rows': { id: 'import' },
  '/imports/{id}': { id: 'import' },
  '/imports/{id}/rejected': { id: 'import' },
  '/sources/{id}/secret': { id: 'source' },
  '/sources/{id}': { id: 'source' },
  '/sources/{id}/retire': { id: 'source' },
  '/sources/{id}/versions': { id: 'source' },
  '/views/{viewId}': { viewId: 'view' },
  '/views/{viewId}/leads': { viewId: 'view' },
  '/views/{viewId}/export': { viewId: 'view' },
  '/leads/{id}/quotes': { id: 'lead' },
  '/opportunities/{id}/quotes': { id: 'opportunity' },
  '/quotes/{quoteId}': { quoteId: 'quote' },
  '/quotes/{quoteId}/actions/{action}': { quoteId: 'quote', action: 'action' },
  '/quotes/{quoteId}/pdf': { quoteId: 'quote' },
};

/** Only the start of a refused id is echoed: the answer must not grow with what was sent. */
const shown = (value: string) => {
  const chars = [...value];
  return chars.length > 64 ? `${chars.slice(0, 64).join('')}…` : value;
};

/** Refuses, as 404, any path parameter outside its kind's shape. The route comes from `routeKey` ("GET /leads/{id}"). */
export const checkPathIds = (event: Pick<APIGatewayProxyEventV2, 'routeKey' | 'pathParameters'>): void => {
  const template = event.routeKey.split(' ')[1] ?? '';
  const kinds = PATH_PARAMETERS[template] ?? {};
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    const kind = kinds[name];
    if (!kind || value === undefined || !ID_SHAPES[kind].test(value))
      throw new NotFoundError(kind ?? name, shown(value ?? ''));
  }
};
