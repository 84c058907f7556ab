import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { makeCors } from './cors';
import { isLoopbackHost, readBody, sendJson, sendProblem } from './http-edge';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<boolean>;

export type LocalHttpParts = {
  /** The AWS JSON protocol front (`POST /` with `X-Amz-Target`). */
  awsEndpoint: (res: ServerResponse, target: string, body: Buffer) => Promise<void>;
  /** Lambda `Invoke` (`POST /2015-03-31/functions/{name}/invocations`), as Amazon Lex calls a code hook. */
  lambdaInvoke: Route;
  devRoutes: Route;
  cors: ReturnType<typeof makeCors>;
  gateway: Route;
  staticFiles: (res: ServerResponse, path: string) => boolean;
  log: (line: string) => void;
};

/**
 * The one HTTP server of the local runtime, on loopback. Every request is first checked at the edge
 * (a loopback Host, a body within API Gateway's limit), then offered in turn to the AWS endpoint, the
 * `/_local` routes, CORS preflight, the API routes and the console's files.
 */
export const serveLocalHttp = async (host: string, port: number, parts: LocalHttpParts) => {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!isLoopbackHost(req.headers.host)) {
      return sendProblem(
        res,
        421,
        'misdirected-request',
        'Misdirected Request',
        'the local runtime answers only requests addressed to localhost, 127.0.0.1 or [::1]',
      );
    }
    const body = await readBody(req);
    // The connection closes after a 413: keeping alive a socket that just carried a huge upload makes
    // some clients (undici, Node's fetch) see a reset on their next request instead of this answer.
    if (body === 'too-large') {
      return sendProblem(
        res,
        413,
        'payload-too-large',
        'Payload Too Large',
        'the body exceeds 10 MiB, the most API Gateway accepts',
        { connection: 'close' },
      );
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    const target = req.headers['x-amz-target'];
    if (req.method === 'POST' && url.pathname === '/' && typeof target === 'string')
      return parts.awsEndpoint(res, target, body);
    if (await parts.lambdaInvoke(req, res, url, body)) return;
    if (await parts.devRoutes(req, res, url, body)) return;
    if (parts.cors.preflight(req, res)) return;
    if (await parts.gateway(req, res, url, body)) return;
    if (req.method === 'GET' && parts.staticFiles(res, url.pathname)) return;
    sendJson(res, 404, { message: 'Not Found' });
  };

  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const p = handle(req, res).catch((error) => {
      parts.log(`request failed: ${(error as Error).stack}`);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    /** Stops accepting requests and resolves when the ones in flight have been answered. */
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await Promise.allSettled([...inFlight]);
    },
  };
};
