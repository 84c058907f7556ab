import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ROUTES } from '../../functions/routes';

/** openapi.yaml read, walked and resolved: the spec tests and the route fuzzer read it through here. */
export const SPEC_FILE = new URL('../../openapi.yaml', import.meta.url);
export const SPEC_ID = 'https://leadflow.dev/openapi.json';
export const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** What the local runtime serves besides ROUTES (local/runtime.ts); described with the tag `local-only`. */
export const LOCAL_ROUTES = [
  'GET /health',
  'GET /_local/events',
  'GET /_local/dlq',
  'GET /_local/outbox',
  'POST /_local/token',
  'GET /_local/executions/{name}',
];
export const LOCAL_TAG = 'local-only';

export type Json = Record<string, unknown>;
export type Parameter = { name?: string; in?: string; $ref?: string };
export type Response = { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> };
export type Operation = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  responses?: Record<string, Response>;
  'x-local-only'?: boolean;
};
export type PathItem = Partial<Record<(typeof METHODS)[number], Operation>> & { parameters?: Parameter[] };
export type Spec = Json & { security?: unknown[]; paths?: Record<string, PathItem>; components?: Json };

/**
 * Paths only the local runtime serves: `/_local/*` (bus log, outbox, dev tokens) and `/health`
 * (its readiness probe). An operation can also say so itself with the `local-only` tag or `x-local-only: true`.
 */
export const isLocalOnly = (path: string, operation: Operation) =>
  path.startsWith('/_local/') ||
  path === '/health' ||
  operation['x-local-only'] === true ||
  (operation.tags ?? []).includes(LOCAL_TAG);

const readText = () => {
  if (!existsSync(SPEC_FILE))
    throw new Error(
      `openapi.yaml is missing: the ${ROUTES.length} routes of functions/routes.ts are described nowhere`,
    );
  return readFileSync(SPEC_FILE, 'utf8');
};
let cached: { text: string; spec: Spec } | undefined;
/** Parsed once per run; a fresh copy each time so no test can change what another reads. */
export const readSpec = (): Spec => {
  const text = readText();
  if (cached?.text !== text) cached = { text, spec: parse(text) as Spec };
  return structuredClone(cached.spec);
};

export const operationsOf = (spec: Spec) =>
  Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ key: `${method.toUpperCase()} ${path}`, path, item, operation }] : [];
    }),
  );

/** Follows a JSON Pointer (`/components/schemas/Lead`) through a document; undefined when it leads nowhere. */
export const follow = (document: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .map((token) => decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, token) => (node !== null && typeof node === 'object' ? (node as Json)[token] : undefined),
      document,
    );

/** Resolves a `$ref` written in openapi.yaml: `#/…` inside it, or `./file.json#/…` next to it. */
export const resolveRef = (spec: Spec, ref: string): unknown => {
  const [file = '', fragment = ''] = ref.split('#');
  if (file === '') return follow(spec, fragment);
  const url = new URL(file, SPEC_FILE);
  if (!existsSync(url)) return undefined;
  const document: unknown = /\.ya?ml$/.test(file)
    ? parse(readFileSync(url, 'utf8'))
    : JSON.parse(readFileSync(url, 'utf8'));
  return fragment === '' ? document : follow(document, fragment);
};

export const deref = <T extends { $ref?: string }>(spec: Spec, value: T): T =>
  value.$ref ? (resolveRef(spec, value.$ref) as T) : value;

/** The spec with every external file reference replaced by the file, for a validator that reads one document. */
export const bundled = (spec: Spec): Spec => {
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as Json).$ref;
    if (typeof ref === 'string' && !ref.startsWith('#')) return resolveRef(spec, ref);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
  };
  return inline(spec) as Spec;
};
