import type { ServerResponse } from 'node:http';

/** Errors in the AWS JSON protocol shape, so the real SDK clients raise the real exception classes. */
export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export const awsErrorBody = (error: AwsApiError) => ({ __type: error.type, message: error.message });

/** One AWS JSON protocol answer: what the HTTP front writes, and what an in-process client reads. */
export type AwsJsonReply = { status: number; headers: Record<string, string>; body: string };

/**
 * One AWS JSON protocol call's answer: the result of `call`, or its error as AWS shapes it (an
 * unexpected error is an InternalFailure 500), with the protocol version the service speaks.
 */
export const awsJsonReply = async (version: '1.0' | '1.1', call: () => unknown): Promise<AwsJsonReply> => {
  const contentType = `application/x-amz-json-${version}`;
  try {
    const body = await call();
    return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
  } catch (error) {
    const e = error instanceof AwsApiError ? error : new AwsApiError('InternalFailure', (error as Error).message, 500);
    return {
      status: e.status,
      headers: { 'content-type': contentType, 'x-amzn-errortype': e.type },
      body: JSON.stringify(awsErrorBody(e)),
    };
  }
};

/** Answers one AWS JSON protocol call over HTTP ({@link awsJsonReply}). */
export const answerAwsJson = async (
  res: ServerResponse,
  version: '1.0' | '1.1',
  call: () => unknown,
): Promise<void> => {
  const reply = await awsJsonReply(version, call);
  res.writeHead(reply.status, reply.headers).end(reply.body);
};
