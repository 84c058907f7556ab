import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  UserPoolDomain,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GROUPS } from '../functions/http/auth';
import { CORS } from '../functions/http/cors';
import type { Route } from '../functions/routes';

export type LeadflowApiProps = {
  /** The routes to serve (`functions/routes.ts` ROUTES). */
  readonly routes: readonly Route[];
  /** The function behind each FUNCTIONS name a route uses. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * Origins the browser may call the API from (the console, website forms).
   * @default - none: no CORS headers
   */
  readonly corsOrigins?: readonly string[];
  /**
   * URLs Cognito may redirect to after sign-in/sign-out (the console). Cognito accepts `http://` only
   * for `localhost`.
   * @default ['http://localhost:3000/']
   */
  readonly callbackUrls?: readonly string[];
  /**
   * Prefix of the Cognito hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`), where
   * the console signs people in (authorization code with PKCE). Unique per region across AWS.
   * @default - `<stack name in lower case>-<account id>`
   */
  readonly cognitoDomainPrefix?: string;
  /**
   * Steady-state requests per second.
   * @default 50
   */
  readonly rateLimit?: number;
  /**
   * Burst above the rate.
   * @default 100
   */
  readonly burstLimit?: number;
  /**
   * Days the access log group keeps logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
};

/** HTTP API access log line (JSON): ids, route, status, latencies and authorizer errors; no bodies. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    user: '$context.authorizer.claims.username',
  }),
);

/**
 * The HTTP API built from ROUTES: every route on its function's Lambda integration, non-public ones
 * behind a JWT authorizer that trusts only the user pool (groups `rep`, `manager`, `salesops`),
 * stage throttling, JSON access logs and CORS for the console.
 */
export class LeadflowApi extends Construct {
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly userPool: UserPool;
  public readonly userPoolClient: UserPoolClient;
  public readonly accessLogs: LogGroup;
  /** The hosted sign-in domain. */
  public readonly userPoolDomain: UserPoolDomain;
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  public readonly signInUrl: string;
  public readonly routes: HttpRoute[] = [];
  /** The API's base URL (no trailing slash). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: LeadflowApiProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      featurePlan: FeaturePlan.ESSENTIALS,
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan is billed per monthly active user; Essentials with required MFA (TOTP) and a strong password policy is the default. Set featurePlan PLUS to upgrade.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        'Threat protection (advanced security) needs the Plus feature plan, billed per monthly active user; MFA is required instead. Switch featurePlan to PLUS to enable it.',
    });
    for (const group of GROUPS)
      new UserPoolGroup(this, `Group-${group}`, {
        userPool: this.userPool,
        groupName: group,
        description: `leadflow ${group}`,
      });

    const callbackUrls = [...(props.callbackUrls ?? ['http://localhost:3000/'])];
    this.userPoolClient = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls,
        logoutUrls: callbackUrls,
      },
    });
    const domainPrefix = props.cognitoDomainPrefix ?? `${stack.stackName.toLowerCase()}-${stack.account}`;
    this.userPoolDomain = new UserPoolDomain(this, 'Domain', {
      userPool: this.userPool,
      cognitoDomain: { domainPrefix },
    });
    this.signInUrl = this.userPoolDomain.baseUrl();

    const authorizer = new HttpJwtAuthorizer(
      'Cognito',
      `https://cognito-idp.${stack.region}.amazonaws.com/${this.userPool.userPoolId}`,
      {
        jwtAudience: [this.userPoolClient.userPoolClientId],
        identitySource: ['$request.header.Authorization'],
      },
    );

    this.api = new HttpApi(this, 'HttpApi', {
      description: 'leadflow HTTP API',
      createDefaultStage: false,
      corsPreflight: props.corsOrigins?.length
        ? {
            allowOrigins: [...props.corsOrigins],
            allowMethods: [CorsHttpMethod.ANY],
            allowHeaders: [...CORS.allowHeaders],
            exposeHeaders: [...CORS.exposeHeaders],
            maxAge: Duration.seconds(CORS.maxAgeSeconds),
          }
        : undefined,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: ACCESS_LOG_FORMAT },
    });
    this.url = this.api.apiEndpoint;

    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationFor = (name: string): HttpLambdaIntegration => {
      const fn = props.functions[name];
      if (!fn)
        throw new Error(
          `a route names function "${name}", which is not among the stack's functions: ${Object.keys(props.functions).join(', ')}`,
        );
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${name}Integration`, fn);
        integrations.set(name, integration);
      }
      return integration;
    };

    const seen = new Set<string>();
    for (const route of props.routes) {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) throw new Error(`route ${key} is listed twice in ROUTES`);
      seen.add(key);
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationFor(route.fn),
        authorizer: route.public ? new HttpNoneAuthorizer() : authorizer,
      });
      if (!created) continue;
      this.routes.push(created);
      if (route.public) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${key} is public by design (ROUTES public: true): senders authenticate per request (webhook signature, form origin and honeypot), not with a user token.`,
        });
      }
    }
  }
}
