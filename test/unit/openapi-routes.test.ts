import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROUTES } from '../../functions/routes';

const SPEC_FILE = new URL('../../openapi.yaml', import.meta.url);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Paths only the local runtime serves: `/_local/*` (bus log, outbox, dev tokens) and `/health`
 * (its readiness probe). An operation can also say so itself with `x-local-only: true`.
 */
const isLocalOnly = (path: string, operation: Operation) => path.startsWith('/_local/') || path === '/health' || operation['x-local-only'] === true;

type Operation = { security?: unknown[]; 'x-local-only'?: boolean };
type Spec = { security?: unknown[]; paths?: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>> };

const readSpec = (): Spec => {
  if (!existsSync(SPEC_FILE)) throw new Error(`openapi.yaml is missing: the ${ROUTES.length} routes of functions/routes.ts are described nowhere`);
  return parse(readFileSync(SPEC_FILE, 'utf8')) as Spec;
};

const operationsOf = (spec: Spec) =>
  Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ key: `${method.toUpperCase()} ${path}`, path, operation }] : [];
    }),
  );

describe('openapi.yaml and ROUTES', () => {
  it('describes every route of ROUTES with the same path and method', () => {
    const described = new Set(operationsOf(readSpec()).map((o) => o.key));
    const missing = ROUTES.map((r) => `${r.method} ${r.path}`).filter((key) => !described.has(key));
    expect(missing).toEqual([]);
  });

  it('describes no deployed operation that ROUTES does not serve', () => {
    const served = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    const extra = operationsOf(readSpec())
      .filter((o) => !isLocalOnly(o.path, o.operation) && !served.has(o.key))
      .map((o) => o.key);
    expect(extra).toEqual([]);
  });

  it('marks exactly the public routes as needing no token (security: [])', () => {
    const spec = readSpec();
    const byKey = new Map(operationsOf(spec).map((o) => [o.key, o.operation]));
    const wrong = ROUTES.flatMap((route) => {
      const operation = byKey.get(`${route.method} ${route.path}`);
      if (!operation) return [];
      const security = operation.security ?? spec.security ?? [];
      const open = security.length === 0 || security.some((s) => typeof s === 'object' && s !== null && Object.keys(s).length === 0);
      return open === Boolean(route.public) ? [] : [`${route.method} ${route.path}: ROUTES public=${Boolean(route.public)}, spec ${open ? 'open' : 'requires a token'}`];
    });
    expect(wrong).toEqual([]);
  });
});
