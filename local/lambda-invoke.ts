import type { IncomingMessage, ServerResponse } from 'node:http';
import { FUNCTIONS, type FunctionName } from '../functions/routes';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The function a Lambda `Invoke` call names (by name or ARN), as the AWS SDK and CLI send it:
 * `POST /2015-03-31/functions/{name}/invocations`. This is how Amazon Lex reaches a code hook, so the
 * local runtime delivers Lex V2 events here exactly as Lex would.
 */
export const invokedFunction = (
  method: string | undefined,
  path: string,
): { name: string; known?: FunctionName } | undefined => {
  const m = method === 'POST' ? INVOKE_PATH.exec(path) : null;
  if (!m?.[1]) return undefined;
  const name = decodeURIComponent(m[1]).split(':function:').pop()?.split(':')[0] ?? '';
  return { name, known: Object.hasOwn(FUNCTIONS, name) ? (name as FunctionName) : undefined };
};

/** Lambda's answer: the payload, or a function error as a 200 with `X-Amz-Function-Error` (as Lambda does). */
export const answerInvoke = async (
  res: ServerResponse,
  target: { name: string; known?: FunctionName },
  body: Buffer,
  invoke: (name: FunctionName, event: unknown) => Promise<unknown>,
) => {
  if (!target.known) {
    res
      .writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
      .end(JSON.stringify({ Type: 'User', message: `Function not found: ${target.name}` }));
    return;
  }
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    res
      .writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'InvalidRequestContentException' })
      .end(JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }));
    return;
  }
  try {
    const result = await invoke(target.known, event);
    res
      .writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' })
      .end(JSON.stringify(result ?? null));
  } catch (error) {
    const e = error as Error;
    res
      .writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' })
      .end(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
  }
};

/** The runtime's Lambda `Invoke` route: answers (and returns true) only for an invoke path. */
export const makeLambdaInvoke =
  (invoke: (name: FunctionName, event: unknown) => Promise<unknown>) =>
  async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean> => {
    const target = invokedFunction(req.method, url.pathname);
    if (!target) return false;
    await answerInvoke(res, target, body, invoke);
    return true;
  };
