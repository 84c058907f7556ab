/** One AWS JSON protocol answer, as the local runtime's services give it. */
export type InProcessReply = { status: number; headers: Record<string, string>; body: string };
/** The local runtime's AWS JSON services (Step Functions, EventBridge, Secrets Manager) by `X-Amz-Target`. */
export type InProcessAwsJson = (target: string, body: string) => Promise<InProcessReply>;

const REGISTRY = Symbol.for('leadflow.inProcessAwsEndpoints');
/** A global, so every module copy in the process (the local runtime's containers, test runners) sees one registry. */
const registry = (): Map<string, InProcessAwsJson> => {
  const g = globalThis as { [REGISTRY]?: Map<string, InProcessAwsJson> };
  g[REGISTRY] ??= new Map();
  return g[REGISTRY];
};

/**
 * The local runtime registers its AWS JSON services under its URL; SDK clients made afterwards in the same
 * process for that endpoint send their requests straight to them (below). Returns the unregistration.
 */
export const registerInProcessEndpoint = (url: string, serve: InProcessAwsJson): (() => void) => {
  const origin = new URL(url).origin;
  registry().set(origin, serve);
  return () => {
    if (registry().get(origin) === serve) registry().delete(origin);
  };
};

const decoder = new TextDecoder();
const encoder = new TextEncoder();

const headerOf = (headers: Record<string, string>, name: string) =>
  Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];

/**
 * An SDK request handler that hands a request to the local runtime of this process instead of sending it over
 * a loopback socket: the SDK still serialises the request, and parses the answer and its errors (the same
 * status, `x-amzn-errortype` and body the HTTP front sends), so the client behaves as over HTTP; only the
 * socket, the HTTP parsing on both sides and the runtime's HTTP routing are skipped (a capture's
 * StartExecution, a lifecycle step's PutEvents). After the runtime stops, a request fails as a refused connection.
 */
const inProcessRequestHandler = (origin: string) => ({
  metadata: { handlerProtocol: 'http/1.1' },
  async handle(request: { headers: Record<string, string>; body?: unknown }) {
    const serve = registry().get(origin);
    if (!serve)
      throw Object.assign(new Error(`connect ECONNREFUSED ${origin}: the local runtime has stopped`), {
        code: 'ECONNREFUSED',
      });
    const body =
      typeof request.body === 'string'
        ? request.body
        : request.body instanceof Uint8Array
          ? decoder.decode(request.body)
          : '';
    const reply = await serve(headerOf(request.headers, 'x-amz-target') ?? '', body);
    return { response: { statusCode: reply.status, headers: reply.headers, body: encoder.encode(reply.body) } };
  },
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
  destroy: () => undefined,
});

/**
 * A client's `requestHandler` for a local endpoint served by a runtime in this process, or nothing (on AWS,
 * where there is no endpoint, and against a runtime in another process: the SDK's HTTP handler then).
 */
export const inProcessConfig = (endpoint: string | undefined): { requestHandler?: never } => {
  if (!endpoint) return {};
  const origin = new URL(endpoint).origin;
  return registry().has(origin) ? { requestHandler: inProcessRequestHandler(origin) as never } : {};
};
