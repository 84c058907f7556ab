import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localOverrides } from '../env/function-env';
import { withFormerIndexFallback } from './former-index-fallback';
import { localEndpointConfig } from './local-signer';
import { withRequestObserver } from './request-observer';
import { withoutSdkLogger } from './sdk-logging';

/** Locally `DYNAMODB_ENDPOINT` points at DynamoDB Local; on AWS it is unset. Requests can be observed (request-observer). */
export const makeDynamoClient = (endpoint = localOverrides().DYNAMODB_ENDPOINT): DynamoDBClient =>
  withFormerIndexFallback(
    withRequestObserver(
      withoutSdkLogger(
        new DynamoDBClient({ ...localEndpointConfig(endpoint, localOverrides().AWS_REGION), maxAttempts: 5 }),
      ),
    ),
  );

export const makeDocumentClient = (client: DynamoDBClient = makeDynamoClient()): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
