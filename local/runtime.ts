import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { makeDynamoClient } from '../functions/adapters/aws-clients';
import { formOrigins } from '../functions/http/cors';
import { FUNCTIONS, type FunctionName, ROUTES } from '../functions/routes';
import { makeRouteMatcher, toApiGatewayEvent } from './api-gateway-event';
import { AwsApiError, answerAwsJson } from './aws-json';
import { loadSources, localWebhookSecrets, PROJECT_ROOT } from './config';
import { makeCors } from './cors';
import { signDevToken, verifyDevToken } from './dev-jwt';
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from './dynamodb-local';
import { type BusEnvelope, LocalEventBus } from './event-bus';
import { freePort } from './free-port';
import { LocalSecretsManager, seedWebhookSecrets } from './secrets-manager';
import { LocalWorkflowEngine } from './workflow-engine';
import { METRICS_NAMESPACE } from '../functions/core/metric-facts';

export type LocalRuntimeOptions = {
  /** 0 picks a free port. @default 3000 (or PORT) */
  port?: number;
  host?: string;
  /** On-disk data (DynamoDB, bus archive, blobs) kept across restarts. @default in memory (LEADFLOW_DATA_DIR) */
  dataDir?: string;
  /** Reuse a running DynamoDB Local instead of starting one (tests share one per run). */
  dynamodbEndpoint?: string;
  /** @default 'leadflow' */
  tableName?: string;
  /** Seconds a replaced webhook secret is still accepted after a rotation. @default WEBHOOK_SECRET_GRACE_SECONDS, else 24 h */
  webhookSecretGraceSeconds?: number;
  log?: (line: string) => void;
};

export type LocalRuntime = {
  url: string;
  port: number;
  tableName: string;
  dynamodbEndpoint: string;
  stateMachineArn: string;
  /** Each webhook source's current secret (read live: a rotation shows here at once). */
  readonly webhookSecrets: Record<string, string>;
  secretsManager: LocalSecretsManager;
  engine: LocalWorkflowEngine;
  bus: LocalEventBus;
  stop(): Promise<void>;
};

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export const LIFECYCLE_STATE_MACHINE = 'leadflow-lifecycle';
const REGION = 'local';
const ACCOUNT = '000000000000';
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
let runtimes = 0;

const lambdaContext = (functionName: string): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/** JWT authorizer claims as API Gateway passes them: strings, lists as "[a b]". */
const authorizerClaims = (claims: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new AwsApiError('RequestEntityTooLarge', 'Request Entity Too Large', 413));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Starts leadflow on one machine: DynamoDB Local, the lifecycle definition on the local engine, the
 * local bus, and an HTTP server mounting every route of functions/routes.ts on its real handler.
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const log = options.log ?? (() => undefined);
  const dataDir = options.dataDir ?? process.env.LEADFLOW_DATA_DIR;
  const tableName = options.tableName ?? 'leadflow';
  const dynamo: DynamoDbLocal | undefined = options.dynamodbEndpoint
    ? undefined
    : await startDynamoDbLocal({ dataDir: dataDir ? join(dataDir, 'dynamodb') : undefined });
  const dynamodbEndpoint = options.dynamodbEndpoint ?? (dynamo as DynamoDbLocal).endpoint;
  await ensureTable(dynamodbEndpoint, tableName);

  const port = options.port === 0 ? await freePort() : (options.port ?? Number(process.env.PORT ?? 3000));
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${port}`;
  const sources = loadSources();
  const cors = makeCors(formOrigins(sources));
  const secretsManager = new LocalSecretsManager(dataDir ? join(dataDir, 'secrets-manager.json') : undefined);
  const secretIds = seedWebhookSecrets(secretsManager, localWebhookSecrets(sources));
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${LIFECYCLE_STATE_MACHINE}`;

  // The handlers read their configuration from the environment, as on Lambda.
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    SFN_ENDPOINT: url,
    EVENTS_ENDPOINT: url,
    EVENT_BUS_NAME: 'leadflow',
    STATE_MACHINE_ARN: stateMachineArn,
    LEADFLOW_SOURCES: JSON.stringify(sources),
    // Secrets Manager is served by this server too (local/secrets-manager.ts), as the deployed functions read it.
    WEBHOOK_SECRET_PREFIX: secretIds.prefix,
    SECRETSMANAGER_ENDPOINT: url,
    ...(options.webhookSecretGraceSeconds === undefined ? {} : { WEBHOOK_SECRET_GRACE_SECONDS: String(options.webhookSecretGraceSeconds) }),
    NOTIFY_MODE: 'outbox',
    PUBLIC_URL: url,
    BLOB_DIR: join(dataDir ?? join(PROJECT_ROOT, '.leadflow', `blobs-${port}`), 'blobs'),
    // No StartExecution quota here: the local engine runs a bounded number of executions at once and queues the rest.
    IMPORT_API_STARTS_PER_SECOND: process.env.IMPORT_API_STARTS_PER_SECOND ?? '1000',
    POWERTOOLS_DEV: 'false',
    // One process runs every function: one service name; no X-Ray; EMF metrics on stdout only where someone reads the log.
    POWERTOOLS_SERVICE_NAME: 'leadflow', POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE, POWERTOOLS_TRACE_ENABLED: 'false', POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? String(!options.log),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
  });

  const instance = String(++runtimes);
  const handlers = new Map<string, Promise<LambdaHandler>>();
  const handlerOf = (name: FunctionName): Promise<LambdaHandler> => {
    let h = handlers.get(name);
    if (!h) {
      // A fresh module instance per runtime, as a fresh Lambda container: its clients read this runtime's env.
      const entry = pathToFileURL(join(PROJECT_ROOT, 'functions', FUNCTIONS[name].folder, 'index.ts'));
      entry.searchParams.set('runtime', instance);
      h = import(entry.href).then((m: { handler: LambdaHandler }) => m.handler);
      handlers.set(name, h);
    }
    return h;
  };
  const invoke = async (name: FunctionName, event: unknown) => (await handlerOf(name))(event, lambdaContext(name));

  const bus = new LocalEventBus(
    async (rule, event: BusEnvelope) => {
      await invoke(rule.target, event);
    },
    dataDir ? join(dataDir, 'events.jsonl') : undefined,
  );

  const dynamodb = makeDynamoClient(dynamodbEndpoint);
  const engine = new LocalWorkflowEngine(
    {
      dynamodb,
      invokeFunction: async (functionName, payload) => {
        const name = functionName.split(':').pop() as FunctionName;
        if (!(name in FUNCTIONS)) throw new Error(`no local function '${functionName}'`);
        return JSON.parse(JSON.stringify((await invoke(name, payload)) ?? null));
      },
      putEvents: async (entries) => bus.put(entries),
    },
    REGION,
    ACCOUNT,
  );
  const lambdaArn = (name: FunctionName) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
  const lifecycleFile = join(PROJECT_ROOT, 'statemachines', 'lead-lifecycle.asl.json');
  if (existsSync(lifecycleFile)) {
    engine.register(LIFECYCLE_STATE_MACHINE, lifecycleFile, {
      TableName: tableName,
      TableArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableName}`,
      EventBusName: 'leadflow',
      EventBusArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/leadflow`,
      WorkflowStepsFunctionArn: lambdaArn('workflowSteps' as FunctionName),
    });
  }

  const matchRoute = makeRouteMatcher(ROUTES);
  const consoleDir = join(PROJECT_ROOT, 'console', 'dist');

  const awsApi = async (target: string, body: Record<string, unknown>) => {
    const [, action] = target.split('.');
    switch (action) {
      case 'StartExecution': {
        const record = engine.start(String(body.stateMachineArn), String(body.name ?? crypto.randomUUID()), String(body.input ?? '{}'));
        return { executionArn: record.executionArn, startDate: record.startDate.getTime() / 1000 };
      }
      case 'SendTaskSuccess':
        engine.sendTaskSuccess(String(body.taskToken), String(body.output ?? '{}'));
        return {};
      case 'SendTaskFailure':
        engine.sendTaskFailure(String(body.taskToken), body.error as string | undefined, body.cause as string | undefined);
        return {};
      case 'SendTaskHeartbeat':
        return {};
      case 'StopExecution':
        return { stopDate: (engine.stop(String(body.executionArn)).stopDate ?? new Date()).getTime() / 1000 };
      case 'DescribeExecution': {
        const record = engine.executions.get(String(body.executionArn));
        if (!record) throw new AwsApiError('ExecutionDoesNotExist', `Execution does not exist: '${body.executionArn}'`);
        return {
          executionArn: record.executionArn,
          stateMachineArn: record.stateMachineArn,
          name: record.name,
          status: record.status,
          startDate: record.startDate.getTime() / 1000,
          stopDate: record.stopDate ? record.stopDate.getTime() / 1000 : undefined,
          input: record.input,
          output: record.output,
          error: record.error,
          cause: record.cause,
        };
      }
      case 'PutEvents': {
        const entries = (body.Entries ?? []) as Record<string, unknown>[];
        return { FailedEntryCount: 0, Entries: bus.put(entries) };
      }
      default:
        throw new AwsApiError('UnknownOperationException', `the local runtime does not implement ${target}`);
    }
  };

  const optionalModule = async <T>(path: string): Promise<T | undefined> => {
    const file = join(PROJECT_ROOT, path);
    return existsSync(file) ? ((await import(file)) as T) : undefined;
  };

  let blobRoute: ((req: IncomingMessage, res: ServerResponse, body?: Buffer) => Promise<void>) | undefined;

  const localRoutes = async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean> => {
    const path = url.pathname;
    if (path === '/health' && req.method === 'GET') {
      send(res, 200, { status: 'ok', mode: 'local', tableName, stateMachines: existsSync(lifecycleFile) ? [LIFECYCLE_STATE_MACHINE] : [] });
      return true;
    }
    if (path === '/_local/info' && req.method === 'GET') {
      send(res, 200, { tableName, dynamodbEndpoint, stateMachineArn, dataDir: dataDir ?? null });
      return true;
    }
    if (path === '/_local/events' && req.method === 'GET') {
      const type = url.searchParams.get('detail-type');
      send(res, 200, type ? bus.log.filter((e) => e['detail-type'] === type) : bus.log);
      return true;
    }
    if (path === '/_local/dlq' && req.method === 'GET') {
      send(res, 200, bus.deadLetters);
      return true;
    }
    if (path === '/_local/token' && req.method === 'POST') {
      const { user, groups } = JSON.parse(body.toString('utf8') || '{}') as { user?: string; groups?: string[] };
      if (!user) {
        send(res, 422, { detail: 'user is required' });
        return true;
      }
      send(res, 200, { token: await signDevToken({ user, groups: groups ?? ['rep'] }) });
      return true;
    }
    if (path.startsWith('/_local/executions/') && req.method === 'GET') {
      const name = decodeURIComponent(path.slice('/_local/executions/'.length));
      const found = [...engine.executions.values()].filter((e) => e.name === name || e.name.startsWith(`${name}--`));
      if (found.length === 0) {
        send(res, 404, { detail: `no execution named ${name}` });
        return true;
      }
      send(res, 200, found.map(({ abort: _abort, ...rest }) => rest));
      return true;
    }
    if (path === '/_local/outbox' && req.method === 'GET') {
      const mod = await optionalModule<{ readOutbox: (db: unknown, table: string, q: { user?: string }) => Promise<unknown[]> }>('functions/adapters/outbox-repository.ts');
      const { makeDocumentClient } = await import('../functions/adapters/aws-clients');
      send(res, 200, mod ? await mod.readOutbox(makeDocumentClient(dynamodb), tableName, { user: url.searchParams.get('user') ?? undefined }) : []);
      return true;
    }
    if (path.startsWith('/_local/blobs/')) {
      if (!blobRoute) {
        const mod = await optionalModule<{ makeBlobRoute: (dir: string, secret: string) => typeof blobRoute }>('local/blob-store.ts');
        blobRoute = mod?.makeBlobRoute(String(process.env.BLOB_DIR), process.env.LEADFLOW_LOCAL_JWT_SECRET ?? 'leadflow-local-development-only-secret');
      }
      if (!blobRoute) {
        send(res, 404, { detail: 'no blob store' });
        return true;
      }
      await blobRoute(req, res, body);
      return true;
    }
    return false;
  };

  const serveStatic = (res: ServerResponse, path: string): boolean => {
    if (!existsSync(join(consoleDir, 'index.html'))) return false;
    const file = normalize(join(consoleDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(consoleDir) || !existsSync(file)) return false;
    res.writeHead(200, { 'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': path === '/' ? 'no-cache' : 'max-age=3600' });
    res.end(readFileSync(file));
    return true;
  };

  const inFlight = new Set<Promise<void>>();
  // While an import is being served, the engine holds queued executions back (local/workflow-engine.ts):
  // a 10,000-row file starts 10,000 lifecycles, which follow the import instead of starving it.
  let importRequests = 0;
  let importLastDone = 0;
  // The CLI's next batch follows within milliseconds: the gap between two is not idle time.
  engine.yieldTo(() => importRequests > 0 || Date.now() - importLastDone < 250);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return send(res, 413, { message: 'Request Entity Too Large' });
    }
    const target = req.headers['x-amz-target'];
    if (req.method === 'POST' && url.pathname === '/' && typeof target === 'string') {
      const request = () => JSON.parse(body.toString('utf8') || '{}');
      if (target.startsWith('secretsmanager.')) return answerAwsJson(res, '1.1', () => secretsManager.handle(target.slice('secretsmanager.'.length), request()));
      return answerAwsJson(res, '1.0', () => awsApi(target, request()));
    }
    if (await localRoutes(req, res, url, body)) return;
    if (cors.preflight(req, res)) return;
    const matched = matchRoute(req.method ?? 'GET', url.pathname);
    if (matched === undefined || matched === 'method-not-allowed') {
      if (req.method === 'GET' && serveStatic(res, url.pathname)) return;
      return send(res, 404, { message: 'Not Found' });
    }
    let claims: Record<string, string> | undefined;
    if (!matched.route.public) {
      // What the HTTP API JWT authorizer does: no valid bearer token, no invocation.
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      try {
        if (!token) throw new Error('no token');
        claims = authorizerClaims(await verifyDevToken(token));
      } catch {
        return send(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      }
    }
    const event = toApiGatewayEvent(req, url, body, matched, claims);
    const bulk = matched.route.fn === 'importsApi';
    if (bulk) importRequests++;
    try {
      const result = (await invoke(matched.route.fn, event)) as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
      const headers: Record<string, string | string[]> = cors.responseHeaders(req, { ...(result.headers ?? {}) });
      if (result.cookies?.length) headers['set-cookie'] = result.cookies;
      res.writeHead(result.statusCode ?? 200, headers);
      res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
    } catch (error) {
      log(`handler ${matched.route.fn} failed: ${(error as Error).stack}`);
      send(res, 500, { message: 'Internal Server Error' });
    } finally {
      if (bulk) {
        importRequests--;
        importLastDone = Date.now();
      }
    }
  };

  const server: Server = createServer((req, res) => {
    const p = handle(req, res).catch((error) => {
      log(`request failed: ${(error as Error).stack}`);
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });

  const runtime: LocalRuntime = {
    url,
    port,
    tableName,
    dynamodbEndpoint,
    stateMachineArn,
    get webhookSecrets() {
      return secretIds.current();
    },
    secretsManager,
    engine,
    bus,
    async stop() {
      // Order matters: no new requests, finish the ones in flight, let deliveries land, then the database.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await Promise.allSettled([...inFlight]);
      // Executions still queued or working would keep publishing; the table holds what a restart resumes from.
      engine.shutdown();
      await bus.drain();
      dynamodb.destroy();
      if (dynamo) await dynamo.stop();
    },
  };
  const { resumeInFlightLeads } = (await optionalModule<{ resumeInFlightLeads: (rt: LocalRuntime) => Promise<number> }>('local/resume.ts')) ?? {};
  if (resumeInFlightLeads && dataDir) {
    const resumed = await resumeInFlightLeads(runtime);
    if (resumed > 0) log(`resumed ${resumed} in-flight lead(s) from ${dataDir}`);
  }
  return runtime;
};
