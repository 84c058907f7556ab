/** Where the run's one DynamoDB Local listens: the global setup puts it here before jest starts its workers. */
export const DYNAMODB_ENDPOINT_VARIABLE = 'LEADFLOW_TEST_DYNAMODB_ENDPOINT';

export const testDynamoEndpoint = (): string => {
  const endpoint = process.env[DYNAMODB_ENDPOINT_VARIABLE];
  if (!endpoint)
    throw new Error(
      `${DYNAMODB_ENDPOINT_VARIABLE} is not set: run the tests through jest (its global setup starts DynamoDB Local)`,
    );
  return endpoint;
};
