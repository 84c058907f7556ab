import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * Calls an HTTP handler as API Gateway would for a signed-in user: `call('POST /imports/{id}/rows', body, id)`
 * sends the JSON body with the user's Cognito claims and answers the status and the parsed body.
 */
export const apiCaller =
  (api: HttpHandler, caller: { user: string; groups: string[] }) =>
  async (routeKey: string, body: unknown, id?: string) => {
    const [method, path] = routeKey.split(' ') as [string, string];
    const res = (await api(
      {
        version: '2.0',
        routeKey,
        rawPath: path.replace('{id}', id ?? ''),
        rawQueryString: '',
        headers: { 'content-type': 'application/json' },
        pathParameters: id ? { id } : undefined,
        body: JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: {
          http: { method },
          authorizer: {
            jwt: {
              claims: { 'cognito:username': caller.user, 'cognito:groups': `[${caller.groups.join(' ')}]` },
              scopes: [],
            },
          },
        },
      } as unknown as APIGatewayProxyEventV2,
      {} as Context,
    )) as { statusCode: number; body: string };
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
