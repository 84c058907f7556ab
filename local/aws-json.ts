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
