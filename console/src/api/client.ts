import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** Types generated from openapi.yaml (`console/src/api/schema.d.ts`), never copied by hand. */
export type Schemas = components['schemas'];
export type Lead = Schemas['Lead'];
export type Stage = Schemas['Stage'];
export type LeadAction = Schemas['LeadAction'];
export type AuditEntry = Schemas['AuditEntry'];
export type FeedItem = Schemas['FeedItem'];
export type ApprovalTask = Schemas['ApprovalTask'];
export type ConfigDocument = Schemas['ConfigDocument'];
export type ProblemDetails = Schemas['Problem'];
export type ImportJob = Schemas['Import'];

/** The value of each configuration the console edits, by its name under /config (the spec's schema for that kind). */
export type ConfigValues = {
  routing: Schemas['RoutingConfig'];
  teams: Schemas['TeamsConfig'];
  stages: Schemas['StagesConfig'];
  approvals: Schemas['ApprovalsConfig'];
  scoring: Schemas['ScoringConfig'];
  'opportunity-stages': Schemas['OpportunityStagesConfig'];
  /** openapi.yaml names no schema for `nurture`; this is `nurtureConfigSchema` in functions/core/lifecycle/nurture.ts. */
  nurture: {
    rules: { reason?: string; convertToContact?: boolean; recycleAfter: string; onActivity?: boolean }[];
  };
};
export type ConfigName = keyof ConfigValues;

const TOKEN_KEY = 'leadflow.token';
const USER_KEY = 'leadflow.user';

export type Session = { token: string; user: string; groups: string[] };

export const session = {
  get(): Session | undefined {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const who = sessionStorage.getItem(USER_KEY);
    if (!token || !who) return undefined;
    const parsed = JSON.parse(who) as { user: string; groups: string[] };
    return { token, ...parsed };
  },
  set(s: Session) {
    sessionStorage.setItem(TOKEN_KEY, s.token);
    sessionStorage.setItem(USER_KEY, JSON.stringify({ user: s.user, groups: s.groups }));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

/** An API error as RFC 9457 problem details, with the field errors the UI shows next to fields. */
export class ApiProblem extends Error {
  constructor(readonly problem: ProblemDetails) {
    super(problem.detail || problem.title);
    this.name = 'ApiProblem';
  }
  get status() {
    return this.problem.status;
  }
  /** The reason for one field, matched on its path or its last segment (`value.rules.0.team` → `team`). */
  fieldError(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field)?.reason;
  }
}

const toProblem = (body: unknown, response: Response): ProblemDetails => {
  if (body && typeof body === 'object' && 'status' in body && 'detail' in body) return body as ProblemDetails;
  return {
    type: 'about:blank',
    title: response.statusText || 'Error',
    status: response.status,
    detail: typeof body === 'string' && body ? body : `The server answered ${response.status}`,
  };
};

const onUnauthorized = new Set<() => void>();
export const whenSignedOut = (fn: () => void) => {
  onUnauthorized.add(fn);
  return () => onUnauthorized.delete(fn);
};

const auth: Middleware = {
  onRequest({ request }) {
    const s = session.get();
    if (s) request.headers.set('authorization', `Bearer ${s.token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      session.clear();
      for (const fn of onUnauthorized) fn();
    }
    return response;
  },
};

const makeClient = (baseUrl: string) => {
  const client = createClient<paths>({ baseUrl });
  client.use(auth);
  return client;
};

/** The typed client. Same origin locally; on AWS the runtime config names the API URL. */
export let api = makeClient('');
let base = '';
export const setApiBase = (url: string) => {
  base = url.replace(/\/$/, '');
  api = makeClient(base);
};
export const apiUrl = (path: string) => `${base}${path}`;

/** Awaits an openapi-fetch call: its data, or an ApiProblem carrying the problem+json. */
export const must = async <T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> => {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw new ApiProblem(toProblem(error, response));
  return data as T;
};
export type FunnelReport = Schemas['FunnelReport'];
export type SourcesReport = Schemas['SourcesReport'];
export type AgingReport = Schemas['AgingReport'];
export type RepsReport = Schemas['RepsReport'];
