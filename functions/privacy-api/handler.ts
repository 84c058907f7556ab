import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '../core/errors';
import type { Actor } from '../core/lead';
import type { Clock, EventPublisher, IdGenerator } from '../core/ports';
import {
  continueErasure,
  emptyCounts,
  type ErasureJob,
  type ExecutionStopper,
  type HashedKey,
  parseSubject,
  type PrivacyStore,
  progressOf,
} from '../core/privacy/erasure';
import { type ExportFile, exportFiles } from '../core/privacy/export';
import type { PrivacyPolicy } from '../core/privacy/privacy-config';
import { runRetention } from '../core/privacy/retention';
import { canSee } from '../core/lead-access';
import {
  type ConsentRecord,
  type ConsentStore,
  consentHistory,
  consentsTo,
  MARKETING_EMAIL,
  parseConsentRequest,
} from '../core/privacy/consent';
import { timestampIssue } from '../core/dates';
import { ValidationError } from '../core/errors';
import type { DedupeKey } from '../core/dedupe';
import { callerOf, requireGroup } from '../http/auth';
import { headerOf, jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

/** Seconds a subject-access download link works. */
export const EXPORT_URL_SECONDS = 15 * 60;

export type PrivacyApiDeps = {
  store: PrivacyStore;
  executions: ExecutionStopper;
  events: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
  hashKey: (key: DedupeKey) => Promise<string>;
  /** The erasure id a client's `Idempotency-Key` stands for (a retried request resumes the same erasure). */
  idForKey: (idempotencyKey: string) => string;
  consents: ConsentStore;
  /** The privacy policy (configuration kind `privacy`) with its version. */
  policy: () => Promise<{ version: number; value: PrivacyPolicy }>;
  exports: {
    put(key: string, body: string, contentType: string): Promise<void>;
    downloadUrl(key: string, fileName: string, contentType: string, expiresIn: number): Promise<string>;
  };
};

const requestIdOf = (event: APIGatewayProxyEventV2) => event.requestContext?.requestId ?? 'unknown';

/** Sales ops, or the privacy officer's own group. */
const privacyCaller = (event: APIGatewayProxyEventV2) => {
  const caller = callerOf(event);
  requireGroup(caller, 'salesops', 'privacy');
  return caller;
};

/** The lead, if the caller may see it (the privacy group sees every lead's consent); else a 404 as for any lead. */
const visibleLead = async (deps: PrivacyApiDeps, event: APIGatewayProxyEventV2) => {
  const caller = callerOf(event);
  const id = event.pathParameters?.id ?? '';
  const lead = await deps.consents.lead(id);
  if (!lead || !(caller.groups.includes('privacy') || canSee(caller, lead))) throw new NotFoundError('lead', id);
  return { caller, lead };
};

/**
 * Data-subject requests: erase everything held about a person (idempotent, resumable, logged by ids
 * and hashes only) and export everything held about them as a short-lived download.
 */
export const makePrivacyApi = (deps: PrivacyApiDeps) =>
  routeBy({
    'POST /privacy/erasures': async (event, context) => {
      const caller = privacyCaller(event);
      const { request, subject } = parseSubject(jsonBody(event));
      const key = headerOf(event, 'idempotency-key');
      const id = key ? deps.idForKey(key) : `era_${deps.ids.next()}`;
      const actor: Actor = { kind: 'user', id: caller.userId, source: 'API' };
      let job = await deps.store.erasure(id);
      if (!job) {
        const holdings = await deps.store.holdings(subject);
        const at = deps.clock.now().toISOString();
        const targets: HashedKey[] = await Promise.all(
          subject.keys.map(async (k) => ({ on: k.on, hash: await deps.hashKey(k) })),
        );
        const fresh: ErasureJob = {
          id,
          status: 'running',
          reason: request.reason,
          requestedBy: caller.userId,
          requestId: requestIdOf(event),
          createdAt: at,
          updatedAt: at,
          targets,
          leadIds: holdings.leadIds,
          contactIds: holdings.contactIds,
          ...(holdings.rejectedRows?.length ? { rejectedRows: holdings.rejectedRows } : {}),
          erasedLeadIds: [],
          counts: emptyCounts(),
        };
        job = await deps.store.createErasure(fresh);
      }
      job = await continueErasure(
        {
          store: deps.store,
          executions: deps.executions,
          events: deps.events,
          clock: deps.clock,
          timeLeftMs: () => context?.getRemainingTimeInMillis?.() ?? 60_000,
        },
        job,
        actor,
      );
      return json(job.status === 'done' ? 200 : 202, progressOf(job), { location: `/privacy/erasures/${job.id}` });
    },

    'POST /privacy/retention': async (event, context) => {
      const caller = privacyCaller(event);
      const body = (event.body ? jsonBody(event) : {}) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new ValidationError([{ field: 'body', reason: 'must be an object' }]);
      const unknown = Object.keys(body).filter((k) => k !== 'dryRun');
      if (unknown.length)
        throw new ValidationError(unknown.map((field) => ({ field, reason: 'not a field of this request' })));
      if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean')
        throw new ValidationError([{ field: 'dryRun', reason: 'must be true or false' }]);
      const dryRun = body.dryRun !== false;
      const { run, job } = await runRetention(
        {
          store: deps.store,
          executions: deps.executions,
          events: deps.events,
          clock: deps.clock,
          timeLeftMs: () => context?.getRemainingTimeInMillis?.() ?? 60_000,
          policy: deps.policy,
          newErasureId: () => `era_${deps.ids.next()}`,
        },
        {
          dryRun,
          actor: { kind: 'user', id: caller.userId, source: 'API' },
          requestedBy: caller.userId,
          requestId: requestIdOf(event),
        },
      );
      return json(job && job.status !== 'done' ? 202 : 200, run);
    },

    'GET /leads/{id}/consents': async (event) => {
      const { lead } = await visibleLead(deps, event);
      const history = consentHistory(lead, await deps.consents.records(lead.id));
      const purposes = [...new Set([MARKETING_EMAIL, ...history.map((r) => r.purpose)])];
      return json(200, {
        leadId: lead.id,
        current: Object.fromEntries(purposes.map((p) => [p, consentsTo(lead, p)])),
        history,
      });
    },

    'POST /leads/{id}/consents': async (event) => {
      const { caller, lead } = await visibleLead(deps, event);
      const request = parseConsentRequest(jsonBody(event));
      const now = deps.clock.now();
      const late = request.at ? timestampIssue(request.at, now) : undefined;
      if (late) throw new ValidationError([{ field: 'at', reason: late }]);
      if (lead.erased) throw new NotFoundError('lead', lead.id);
      const record: ConsentRecord = {
        id: deps.ids.next(),
        leadId: lead.id,
        purpose: request.purpose,
        granted: request.granted,
        ...(request.textVersion ? { textVersion: request.textVersion } : {}),
        ...(request.text ? { text: request.text } : {}),
        channel: request.channel,
        source: request.source,
        at: request.at ? new Date(request.at).toISOString() : now.toISOString(),
        recordedBy: { kind: 'user', id: caller.userId, source: 'API' },
        origin: 'api',
      };
      const updated = await deps.consents.record(lead, record);
      return json(201, { record, current: { [record.purpose]: consentsTo(updated, record.purpose) } });
    },

    'GET /privacy/erasures/{id}': async (event) => {
      privacyCaller(event);
      const id = event.pathParameters?.id ?? '';
      const job = await deps.store.erasure(id);
      if (!job) throw new NotFoundError('erasure', id);
      return json(200, progressOf(job));
    },

    'POST /privacy/exports': async (event) => {
      const caller = privacyCaller(event);
      const { subject } = parseSubject(jsonBody(event));
      const holdings = await deps.store.holdings(subject);
      const held = await deps.store.held(holdings);
      const id = `exp_${deps.ids.next()}`;
      const at = deps.clock.now().toISOString();
      const files: ExportFile[] = exportFiles(held, { exportId: id, at, holdings });
      const prefix = `privacy-exports/${id}/`;
      for (const f of files) await deps.exports.put(`${prefix}${f.name}`, f.body, f.contentType);
      await deps.store.recordExport(
        {
          id,
          at,
          by: caller.userId,
          requestId: requestIdOf(event),
          leadIds: holdings.leadIds,
          objectKeys: files.map((f) => `${prefix}${f.name}`),
        },
        { kind: 'user', id: caller.userId, source: 'API' },
      );
      const downloads = await Promise.all(
        files.map(async (f) => ({
          name: f.name,
          contentType: f.contentType,
          url: await deps.exports.downloadUrl(`${prefix}${f.name}`, f.name, f.contentType, EXPORT_URL_SECONDS),
        })),
      );
      const counts: Record<string, number> = {};
      for (const h of held) counts[h.label] = (counts[h.label] ?? 0) + 1;
      return json(201, {
        id,
        createdAt: at,
        leadIds: holdings.leadIds,
        contactIds: holdings.contactIds,
        counts,
        expiresInSeconds: EXPORT_URL_SECONDS,
        files: downloads,
      });
    },
  });
