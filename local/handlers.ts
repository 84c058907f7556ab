import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionName } from '../functions/routes';
import { LOCAL_ACCOUNT, LOCAL_REGION, PROJECT_ROOT } from './config';

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

const lambdaContext = (functionName: string, deadline: number): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

let containers = 0;

const invocations = new AsyncLocalStorage<string>();

/** What an event or payload says about itself: a bus event's detail-type, or a workflow step's `op`. */
const invocationLabel = (name: string, event: unknown) => {
  const e = (event ?? {}) as { 'detail-type'?: unknown; op?: unknown };
  const what = typeof e['detail-type'] === 'string' ? e['detail-type'] : typeof e.op === 'string' ? e.op : undefined;
  return what ? `${name}:${what}` : name;
};

/**
 * The local function invocation the caller runs inside (e.g. `workflowSteps:begin`,
 * `notifications:LeadAssigned`), for the bench's request counts; undefined outside one.
 */
export const currentLocalInvocation = (): string | undefined => invocations.getStore();

/**
 * The functions of one runtime, each loaded on first use from `functions/<folder>/index.ts` as a
 * fresh module instance — a cold Lambda container. Each index.ts composes its handler at module scope
 * from the environment, so a module instance shared by two runtimes in one process (a restart test)
 * would keep the first one's table and endpoints; the `?container=` query gives each its own.
 */
export const makeLocalFunctions = () => {
  const container = String(++containers);
  const handlers = new Map<FunctionName, Promise<LambdaHandler>>();
  const handlerOf = (name: FunctionName): Promise<LambdaHandler> => {
    let h = handlers.get(name);
    if (!h) {
      const entry = pathToFileURL(join(PROJECT_ROOT, 'functions', FUNCTIONS[name].folder, 'index.ts'));
      entry.searchParams.set('container', container);
      h = import(entry.href).then((m: { handler: LambdaHandler }) => m.handler);
      handlers.set(name, h);
    }
    return h;
  };
  return {
    /** Loads a function (its init phase, which Lambda bounds apart from the invocation's timeout). */
    prepare: async (name: FunctionName): Promise<void> => {
      await handlerOf(name);
    },
    /**
     * Invokes a function as Lambda does; `timeoutMs` is what the context reports as remaining time, which
     * the house middleware (middy) turns into its own timeout. Bus and workflow invocations get 30 s, as
     * always here: the local machine is slower than Lambda, and nothing waits on them.
     */
    invoke: async (name: FunctionName, event: unknown, timeoutMs = 30_000): Promise<unknown> => {
      const handler = await handlerOf(name);
      return invocations.run(invocationLabel(name, event), () =>
        handler(event, lambdaContext(name, Date.now() + timeoutMs)),
      );
    },
    /** A function named in an ARN or by name, as the state machine's Lambda tasks name it. */
    byArn: (functionName: string): FunctionName => {
      const name = functionName.split(':').pop() ?? '';
      if (!Object.hasOwn(FUNCTIONS, name)) throw new Error(`no local function '${functionName}'`);
      return name as FunctionName;
    },
  };
};

export type LocalFunctions = ReturnType<typeof makeLocalFunctions>;
