/**
 * DynamoDB Local reads the access key from the Authorization header and never checks the signature (nor
 * does the local runtime's own AWS endpoint, for Step Functions and EventBridge),
 * so locally a constant header stands in for SigV4: signing (an HMAC key chain and a SHA-256 of every
 * body) was a quarter of the SDK's CPU per request on one machine that runs every function at once.
 * Only with an explicit endpoint; on AWS the default signer runs.
 */
export const localSigner = {
  sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
    request.headers.authorization =
      'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0';
    return request;
  },
};

/**
 * A client's settings for an explicit local endpoint (DynamoDB Local, the local runtime's Step Functions
 * and EventBridge), or none on AWS, where the SDK finds its region, credentials and endpoint itself.
 */
export const localEndpointConfig = (endpoint: string | undefined, region = 'local') =>
  endpoint
    ? { endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, signer: localSigner }
    : {};
