import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { FUNCTIONS, type FunctionName, ROUTES, routeKey } from '../functions/routes';
import { PROJECT_ROOT } from '../local/config';
import { signDevToken } from '../local/dev-jwt';
import type { BenchScale } from './config';
import { median, ratio, round } from './stats';
import { signedHeaders } from './webhook';

const run = promisify(execFile);

/** The SDK clients a function can use, and the class the floor handler constructs from each. */
const SDK_CLIENTS: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/lib-dynamodb': 'DynamoDBDocumentClient',
  '@aws-sdk/client-sfn': 'SFNClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-s3': 'S3Client',
  '@aws-sdk/client-sesv2': 'SESv2Client',
  '@aws-sdk/client-lambda': 'LambdaClient',
};

type Variant = 'bundled' | 'external';
const EXTERNAL_SDK = ['@aws-sdk/*', '@smithy/*'];

/** As lib/leadflow-function.ts bundles (NodejsFunction): ESM, minified, source maps without sources, platform node, target node24. */
const bundle = async (entry: string, outfile: string, variant: Variant) => {
  const out = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __leadflowCreateRequire } from 'node:module';const require = __leadflowCreateRequire(import.meta.url);",
    },
    external: variant === 'external' ? EXTERNAL_SDK : [],
    metafile: true,
    logLevel: 'silent',
  });
  const clients = new Set<string>();
  for (const input of Object.keys(out.metafile.inputs)) {
    const m = /node_modules\/(@aws-sdk\/(?:client-[a-z0-9-]+|lib-dynamodb))\//.exec(input);
    if (m?.[1] && m[1] in SDK_CLIENTS) clients.add(m[1]);
  }
  // With the SDK external esbuild never reads it; the imports name the packages instead.
  for (const imp of out.metafile.outputs[outfile.replace(`${PROJECT_ROOT}/`, '')]?.imports ?? [])
    if (imp.path in SDK_CLIENTS) clients.add(imp.path);
  // What fills the bundle: output bytes per package (our own code as 'leadflow').
  const byPackage = new Map<string, number>();
  const output = Object.entries(out.metafile.outputs).find(([path]) => path.endsWith('.mjs'))?.[1];
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'leadflow';
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  const largest = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([pkg, bytes]) => ({ pkg, kb: round(bytes / 1024, 1) }));
  return {
    bytes: statSync(outfile).size,
    mapBytes: statSync(`${outfile}.map`).size,
    clients: [...clients].sort(),
    largest,
  };
};

/** A handler that only constructs the same SDK clients and makes one DynamoDB read: the floor. */
const floorSource = (clients: string[]) => {
  const imports = clients
    .filter((c) => c !== '@aws-sdk/client-dynamodb')
    .map((c) => `import { ${SDK_CLIENTS[c]} } from '${c}';`)
    .join('\n');
  const local =
    "process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}";
  const constructs = clients
    .filter((c) => c !== '@aws-sdk/client-dynamodb')
    .map((c, i) =>
      c === '@aws-sdk/lib-dynamodb'
        ? `export const c${i} = DynamoDBDocumentClient.from(dynamo);`
        : `export const c${i} = new ${SDK_CLIENTS[c]}({ region: 'local' });`,
    )
    .join('\n');
  return `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
${imports}
const dynamo = new DynamoDBClient(${local});
${constructs}
export const handler = async () => {
  await dynamo.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { pk: { S: 'FLOOR' }, sk: { S: 'FLOOR' } } }));
  return { statusCode: 200, body: '{}' };
};
`;
};

/** One representative request per function, as API Gateway would hand it over. */
const eventFor = async (name: FunctionName, secrets: Record<string, string>) => {
  const now = new Date();
  const route = ROUTES.find((r) => r.fn === name && r.method === 'GET') ?? ROUTES.find((r) => r.fn === name);
  const base = (
    method: string,
    path: string,
    key: string,
    params: Record<string, string>,
    headers: Record<string, string>,
    body?: string,
  ) => ({
    version: '2.0',
    routeKey: key,
    rawPath: path,
    rawQueryString: '',
    headers,
    pathParameters: params,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'leadflow-bench' },
      requestId: `cold-${now.getTime()}`,
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: {
        jwt: {
          claims: { sub: 'sam', 'cognito:username': 'sam', 'cognito:groups': '[salesops manager]' },
          scopes: null,
        },
      },
    },
  });
  const id = `cold_${now.getTime()}_${Math.random().toString(36).slice(2)}`;
  if (name === 'captureWebhook') {
    const body = JSON.stringify({ email: `${id}@cold.example`, firstName: 'Cold', company: 'Cold Start Ltd' });
    return base(
      'POST',
      '/webhooks/campaign-demo',
      'POST /webhooks/{sourceId}',
      { sourceId: 'campaign-demo' },
      signedHeaders(secrets['campaign-demo'] ?? '', id, body),
      body,
    );
  }
  if (name === 'captureForm') {
    const body = JSON.stringify({ email: `${id}@cold.example`, firstName: 'Cold' });
    return base(
      'POST',
      '/forms/contact-us',
      'POST /forms/{formId}',
      { formId: 'contact-us' },
      { 'content-type': 'application/json', accept: 'application/json' },
      body,
    );
  }
  if (!route) return base('GET', '/', 'GET /', {}, {});
  // Path parameters get harmless values; an authenticated route gets a sales-ops caller.
  const params = Object.fromEntries(
    [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => [
      m[1] ?? '',
      m[1] === 'name' ? 'routing' : `bench-${m[1]}`,
    ]),
  );
  const path = route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, p: string) => params[p] ?? p);
  const token = await signDevToken({ user: 'sam', groups: ['salesops', 'manager'] });
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return base(route.method, path, routeKey(route), params, headers, route.method === 'GET' ? undefined : '{}');
};

type Cold = {
  initMs: number;
  firstEventMs: number;
  initCpuMs: number;
  firstEventCpuMs: number;
  status: number | null;
  error: string | null;
  rssMb: number;
};

/**
 * The functions run without NODE_OPTIONS on AWS (lib/leadflow-function.ts: a failure's stack is mapped on
 * the error path instead); so do the samples. Each is also sampled with the flag, to show what it costs.
 */
const DEPLOYED_NODE_OPTIONS = '';

/**
 * What Lambda sets and the house code reads at a cold start: inside a Lambda environment with active
 * tracing (lib/leadflow-function.ts), Powertools' Tracer and the X-Ray SDK load (functions/http/observability.ts),
 * so the samples load them too. Segments go nowhere (no daemon listens); a missing context is ignored.
 */
const AS_ON_LAMBDA = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
};
const SOURCE_MAPS_FLAG = '--enable-source-maps';

const coldStart = async (bundleFile: string, eventFile: string, nodeOptions = DEPLOYED_NODE_OPTIONS): Promise<Cold> => {
  const { stdout } = await run(process.execPath, [join(import.meta.dirname, 'cold-start.mjs'), bundleFile, eventFile], {
    env: { ...process.env, ...AS_ON_LAMBDA, AWS_EC2_METADATA_DISABLED: 'true', NODE_OPTIONS: nodeOptions },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as Cold;
};

const summary = (runs: Cold[]) => ({
  initMs: round(median(runs.map((r) => r.initMs)), 1),
  firstEventMs: round(median(runs.map((r) => r.firstEventMs)), 1),
  initCpuMs: round(median(runs.map((r) => r.initCpuMs)), 1),
  firstEventCpuMs: round(median(runs.map((r) => r.firstEventCpuMs)), 1),
  rssMb: round(median(runs.map((r) => r.rssMb)), 0),
  status: runs[0]?.status ?? null,
  error: runs[0]?.error ?? undefined,
});

/**
 * Bundle size per function and cold start (fresh process: import the bundle, handle one event)
 * against a floor that only constructs the same SDK clients, each with the SDK bundled and with the
 * SDK external. External loads the SDK from node_modules: the stand-in for the Lambda runtime's copy,
 * which is not available here. Needs the local runtime up (DynamoDB Local, StartExecution, PutEvents).
 */
export const measureFunctions = async (scale: BenchScale, secrets: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-bench-fn-'));
  // External SDK packages resolve from the bundle's directory upwards: give it the project's node_modules.
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  try {
    const names = (Object.keys(FUNCTIONS) as FunctionName[]).filter(
      (n) =>
        existsSync(join(PROJECT_ROOT, 'functions', FUNCTIONS[n].folder, 'index.ts')) &&
        (!scale.functions || scale.functions.includes(n)),
    );
    const built = [];
    for (const name of names) {
      const entry = join(PROJECT_ROOT, 'functions', FUNCTIONS[name].folder, 'index.ts');
      const variants = {} as Record<
        Variant,
        { fn: string; floor: string; size: Awaited<ReturnType<typeof bundle>>; floorSize: number }
      >;
      for (const variant of ['bundled', 'external'] as const) {
        const out = join(dir, name, variant);
        mkdirSync(out, { recursive: true });
        const size = await bundle(entry, join(out, 'index.mjs'), variant);
        writeFileSync(join(out, 'floor-entry.mjs'), floorSource(size.clients));
        const floorSize = await bundle(join(out, 'floor-entry.mjs'), join(out, 'floor.mjs'), variant);
        variants[variant] = {
          fn: join(out, 'index.mjs'),
          floor: join(out, 'floor.mjs'),
          size,
          floorSize: floorSize.bytes,
        };
      }
      built.push({ name, variants });
    }

    const timings = new Map<string, Cold[]>();
    const record = (key: string, cold: Cold) => timings.set(key, [...(timings.get(key) ?? []), cold]);
    // Interleaved: every round runs each function and its floor once, so drift hits both alike.
    for (let r = 0; r < scale.coldRuns; r++) {
      for (const { name, variants } of built) {
        for (const variant of ['bundled', 'external'] as const) {
          const eventFile = join(dir, `${name}-event.json`);
          writeFileSync(eventFile, JSON.stringify(await eventFor(name, secrets)));
          record(`${name}/${variant}/fn`, await coldStart(variants[variant].fn, eventFile));
          record(`${name}/${variant}/floor`, await coldStart(variants[variant].floor, eventFile));
        }
        const eventFile = join(dir, `${name}-event.json`);
        writeFileSync(eventFile, JSON.stringify(await eventFor(name, secrets)));
        record(`${name}/bundled/sourceMapsFlag`, await coldStart(variants.bundled.fn, eventFile, SOURCE_MAPS_FLAG));
      }
    }

    const functions = built.map(({ name, variants }) => {
      const per = (variant: Variant) => {
        const fn = summary(timings.get(`${name}/${variant}/fn`) ?? []);
        const floor = summary(timings.get(`${name}/${variant}/floor`) ?? []);
        return {
          bundleKb: round(variants[variant].size.bytes / 1024, 1),
          sourceMapKb: round(variants[variant].size.mapBytes / 1024, 1),
          floorBundleKb: round(variants[variant].floorSize / 1024, 1),
          init: fn,
          floor,
          initRatio: ratio(fn.initMs, floor.initMs),
          initCpuRatio: ratio(fn.initCpuMs, floor.initCpuMs),
          // A function that rejected the sample event (bus and workflow targets) has no comparable first event.
          coldRatio: fn.error ? undefined : ratio(fn.initMs + fn.firstEventMs, floor.initMs + floor.firstEventMs),
          coldCpuRatio: fn.error
            ? undefined
            : ratio(fn.initCpuMs + fn.firstEventCpuMs, floor.initCpuMs + floor.firstEventCpuMs),
        };
      };
      const withFlag = summary(timings.get(`${name}/bundled/sourceMapsFlag`) ?? []);
      const bundled = {
        ...per('bundled'),
        initWithSourceMapsFlagMs: withFlag.initMs,
        initCpuWithSourceMapsFlagMs: withFlag.initCpuMs,
      };
      const external = per('external');
      console.log(
        `  ${name}: ${bundled.bundleKb} KiB, init ${bundled.init.initMs} ms (CPU ${bundled.init.initCpuMs}) vs floor ${bundled.floor.initMs} ms (CPU ${bundled.floor.initCpuMs}): ×${bundled.initRatio} (CPU ×${bundled.initCpuRatio}); SDK external: init ${external.init.initMs} ms (CPU ${external.init.initCpuMs})`,
      );
      return {
        name,
        sdkClients: variants.bundled.size.clients,
        largestPackages: variants.bundled.size.largest,
        bundled,
        external,
      };
    });
    // Headline on CPU time: on a shared machine wall time measures the neighbours as much as the code.
    const worstRatio = Math.max(...functions.map((f) => f.bundled.initCpuRatio));
    const worstWallRatio = Math.max(...functions.map((f) => f.bundled.initRatio));
    const bundledFaster = functions.filter(
      (f) =>
        f.bundled.init.initCpuMs + f.bundled.init.firstEventCpuMs <
        f.external.init.initCpuMs + f.external.init.firstEventCpuMs,
    ).length;
    return {
      coldRuns: scale.coldRuns,
      method:
        'fresh node process per sample (no NODE_OPTIONS, as deployed; once more with --enable-source-maps): import the bundle, handle one event; medians',
      functions,
      worstInitRatio: worstRatio,
      worstInitWallRatio: worstWallRatio,
      ratioBasis: 'CPU time (user+system) of the import, median of the samples; wall-time ratios are listed beside it',
      target: 1.3,
      meetsTarget: worstRatio <= 1.3,
      sdk: {
        bundledFasterIn: bundledFaster,
        of: functions.length,
        choice:
          bundledFaster * 2 >= functions.length
            ? 'bundle the SDK v3 clients (bundleAwsSDK: true)'
            : 'use the runtime-provided SDK (external)',
        basis: 'CPU time of import + first event, as deployed (no --enable-source-maps)',
        note: 'external = SDK loaded from node_modules as the stand-in for the Lambda runtime copy, which is not available here',
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
