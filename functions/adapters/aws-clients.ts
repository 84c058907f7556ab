import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localOverrides } from '../env/function-env';
import { withRequestObserver } from './request-observer';

/**
 * DynamoDB Local reads the access key from the Authorization header and never checks the signature,
 * so locally a constant header stands in for SigV4: signing (an HMAC key chain and a SHA-256 of every
 * body) was a quarter of the SDK's CPU per request on one machine that runs every function at once.
 * Only with an explicit endpoint; on AWS the default signer runs.
 */
const localSigner = {
  sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
    request.headers.authorization =
      'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0';
    return request;
  },
};

/** Locally `DYNAMODB_ENDPOINT` points at DynamoDB Local; on AWS it is unset. Requests can be observed (request-observer). */
export const makeDynamoClient = (endpoint = localOverrides().DYNAMODB_ENDPOINT): DynamoDBClient =>
  withRequestObserver(
    new DynamoDBClient(
      endpoint
        ? {
            endpoint,
            region: localOverrides().AWS_REGION ?? 'local',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            maxAttempts: 5,
            signer: localSigner,
          }
        : { maxAttempts: 5 },
    ),
  );

export const makeDocumentClient = (client: DynamoDBClient = makeDynamoClient()): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
