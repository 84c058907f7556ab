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

/**
 * Answers one AWS JSON protocol call: the result of `call`, or its error as AWS shapes it (an
 * unexpected error is an InternalFailure 500), with the protocol version the service speaks.
 */
export const answerAwsJson = async (
  res: ServerResponse,
  version: '1.0' | '1.1',
  call: () => unknown,
): Promise<void> => {
  const contentType = `application/x-amz-json-${version}`;
  try {
    const body = await call();
    res.writeHead(200, { 'content-type': contentType }).end(JSON.stringify(body));
  } catch (error) {
    const e = error instanceof AwsApiError ? error : new AwsApiError('InternalFailure', (error as Error).message, 500);
    res
      .writeHead(e.status, { 'content-type': contentType, 'x-amzn-errortype': e.type })
      .end(JSON.stringify(awsErrorBody(e)));
  }
};
