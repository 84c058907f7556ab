import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { AwsApiError } from './aws-json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export type LocalServices = {
  dynamodb: DynamoDBClient;
  invokeFunction(functionName: string, payload: Json): Promise<Json>;
  putEvents(entries: JsonObject[]): Promise<({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[]>;
};

export type ExecutionRecord = {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** States entered, in order: tests assert the path, the bench counts transitions. */
  history: { type: string; state?: string; stateType?: string; at: number; error?: string }[];
  abort?: () => void;
};

type PendingTask = { executionArn: string; resolve: (output: Json) => void; reject: (error: Error) => void };

/** The window of the drain rate `stats()` reports. */
const DRAIN_WINDOW_MS = 10_000;

/** The placeholder the engine resolves `$$.Task.Token` to; the shim swaps in a unique token per task. */
const CONTEXT_TOKEN = 'LOCAL-TASK-TOKEN-PLACEHOLDER';

const replaceToken = (value: Json, token: string): Json => {
  if (value === CONTEXT_TOKEN) return token;
  if (Array.isArray(value)) return value.map((v) => replaceToken(v, token));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceToken(v, token)]));
  return value;
};

const namedError = (name: string, message: string) => {
  const error = new Error(message);
  error.name = name;
  return error;
};

type StateDef = {
  Type: string;
  Resource?: string;
  States?: Record<string, StateDef>;
  Iterator?: { States: Record<string, StateDef> };
  ItemProcessor?: { States: Record<string, StateDef> };
  Branches?: { States: Record<string, StateDef> }[];
};

const taskStates = (states: Record<string, StateDef>): [string, StateDef][] =>
  Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, StateDef]] : []),
    ...(state.Iterator ? taskStates(state.Iterator.States) : []),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor.States) : []),
    ...(state.Branches ?? []).flatMap((b) => taskStates(b.States)),
  ]);

/**
 * Runs the deployed ASL definitions with aws-local-stepfunctions. Each service integration the
 * definitions use is served by a shim on the local parts (DynamoDB Local, the local bus, the local
 * functions), so the definition file is byte-for-byte the one the stack deploys.
 */
/** A registered definition as DescribeStateMachine reports it. */
export type StateMachineRecord = { stateMachineArn: string; name: string; definition: string; creationDate: Date };

export class LocalWorkflowEngine {
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly machines = new Map<
    string,
    { machine: StateMachine; tasks: [string, StateDef][]; record: StateMachineRecord }
  >();
  private readonly pending = new Map<string, PendingTask>();
  /** Each execution's live token (one wait at a time), so dropping it does not scan every parked execution. */
  private readonly tokenOf = new Map<string, string>();
  /** Executions started but not yet running (FIFO), and those running a step (not parked on a task token). */
  private readonly queued: { executionArn: string; launch: () => void }[] = [];
  private readonly active = new Set<string>();
  private readonly parked = new Set<string>();

  /**
   * @param maxActive executions working at once (parked ones waiting on a task token do not count);
   * the rest wait in order. AWS runs executions on its own fleet; here they share two cores and one
   * DynamoDB Local with the API, so a burst of starts (a 10,000-row import) must not starve it.
   * @default LEADFLOW_LOCAL_ACTIVE_EXECUTIONS or 8
   */
  constructor(
    private readonly services: LocalServices,
    private readonly region = 'local',
    private readonly account = '000000000000',
    private readonly maxActive = Number(process.env.LEADFLOW_LOCAL_ACTIVE_EXECUTIONS ?? 8),
  ) {}

  /**
   * Open (RUNNING) executions the account may hold: AWS refuses a start beyond its quota (1,000,000
   * per region for Standard) with `ExecutionLimitExceeded`; a test sets a tiny one to see it.
   * @default LEADFLOW_LOCAL_MAX_OPEN_EXECUTIONS or unlimited
   */
  maxOpen = Number(process.env.LEADFLOW_LOCAL_MAX_OPEN_EXECUTIONS ?? Number.POSITIVE_INFINITY);
  private readonly open = new Set<string>();

  /** Executions started and not yet ended. */
  get openExecutions(): number {
    return this.open.size;
  }

  private apiBusy: () => boolean = () => false;
  private lastAdmit = 0;
  private retry?: NodeJS.Timeout;

  /** Executions started and still waiting for a turn to run. */
  get backlog(): number {
    return this.queued.length;
  }

  /** When executions last settled (parked on a task token or ended after running), for the drain rate. */
  private readonly settledAt: number[] = [];
  private settledTotal = 0;

  private settled() {
    const now = Date.now();
    this.settledTotal++;
    this.settledAt.push(now);
    while (this.settledAt.length > 0 && (this.settledAt[0] ?? now) < now - DRAIN_WINDOW_MS) this.settledAt.shift();
  }

  /**
   * The queue as `/health` and `leadflow import --wait` show it: executions waiting for a turn, working a
   * step, parked on a task token (a rep's or an approver's), and how many settled (parked or ended) per
   * second over the last 10 s, with the time the queue needs at that rate. AWS has no such queue.
   */
  stats(now = Date.now()) {
    const recent = this.settledAt.filter((t) => t >= now - DRAIN_WINDOW_MS).length;
    const perSecond = Math.round((recent / (DRAIN_WINDOW_MS / 1000)) * 10) / 10;
    const ahead = this.queued.length + this.active.size;
    return {
      queued: this.queued.length,
      running: this.active.size,
      waitingOnTask: this.parked.size,
      open: this.open.size,
      settled: this.settledTotal,
      drainPerSecond: perSecond,
      drainSeconds: ahead === 0 ? 0 : perSecond > 0 ? Math.ceil(ahead / perSecond) : null,
    };
  }

  /**
   * Queued executions start while `busy()` is false; while it is true (the runtime: an import is being
   * served), one per second, so the import keeps the two cores and DynamoDB Local and the backlog still moves.
   */
  yieldTo(busy: () => boolean) {
    this.apiBusy = busy;
  }

  stateMachineArn(name: string) {
    return `arn:aws:states:${this.region}:${this.account}:stateMachine:${name}`;
  }

  /** Registers a definition file with its DefinitionSubstitutions applied, as CloudFormation would. */
  register(name: string, definitionFile: string, substitutions: Record<string, string>): string {
    let text = readFileSync(definitionFile, 'utf8');
    for (const [key, value] of Object.entries(substitutions)) text = text.split(`\${${key}}`).join(value);
    const unresolved = text.match(/\$\{[A-Za-z0-9_]+\}/);
    if (unresolved) throw new Error(`${definitionFile}: no substitution for ${unresolved[0]}`);
    const definition = JSON.parse(text);
    const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: false } });
    const arn = this.stateMachineArn(name);
    this.machines.set(arn, {
      machine,
      tasks: taskStates(definition.States),
      record: { stateMachineArn: arn, name, definition: text, creationDate: new Date() },
    });
    return arn;
  }

  /** Every registered definition, in registration order. */
  stateMachines(): StateMachineRecord[] {
    return [...this.machines.values()].map((m) => m.record);
  }

  start(stateMachineArn: string, name: string, input: string): ExecutionRecord {
    const entry = this.machines.get(stateMachineArn);
    if (!entry) throw new AwsApiError('StateMachineDoesNotExist', `State machine does not exist: '${stateMachineArn}'`);
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // Same as AWS for Standard workflows: same name and input is idempotent, different input is an error.
      if (existing.input === input) return existing;
      throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    if (this.open.size >= this.maxOpen)
      throw new AwsApiError(
        'ExecutionLimitExceeded',
        `The maximum number of running executions has been reached (${this.maxOpen})`,
      );
    const record: ExecutionRecord = {
      executionArn,
      name,
      stateMachineArn,
      input,
      status: 'RUNNING',
      startDate: new Date(),
      history: [],
    };
    this.executions.set(executionArn, record);
    this.open.add(executionArn);
    const parsedInput = JSON.parse(input) as Json;
    // Input is parsed now so a bad one fails the start call, as on AWS; the run itself waits for a turn.
    this.queued.push({ executionArn, launch: () => this.launch(entry, record, parsedInput) });
    this.admit();
    return record;
  }

  private admit() {
    while (this.active.size < this.maxActive && this.queued.length > 0) {
      if (this.apiBusy() && Date.now() - this.lastAdmit < 1000) {
        this.retry ??= setTimeout(() => {
          this.retry = undefined;
          this.admit();
        }, 250).unref();
        return;
      }
      const next = this.queued.shift();
      if (!next) return;
      this.lastAdmit = Date.now();
      this.active.add(next.executionArn);
      next.launch();
    }
  }

  /** The execution waits on a task token or in a Wait state: its slot goes to the next one in line. */
  private park(executionArn: string) {
    if (this.active.delete(executionArn)) {
      this.parked.add(executionArn);
      this.settled();
    }
    this.admit();
  }

  private unpark(executionArn: string) {
    if (this.parked.delete(executionArn)) this.active.add(executionArn);
  }

  private finish(executionArn: string) {
    if (this.active.has(executionArn)) this.settled();
    this.open.delete(executionArn);
    this.parked.delete(executionArn);
    this.active.delete(executionArn);
    this.admit();
  }

  private launch(
    entry: { machine: StateMachine; tasks: [string, StateDef][] },
    record: ExecutionRecord,
    parsedInput: Json,
  ) {
    const { executionArn, name, stateMachineArn } = record;
    const handlers = Object.fromEntries(
      entry.tasks.map(([stateName, state]) => [stateName, this.shimFor(state.Resource ?? '', executionArn)]),
    );
    const run = entry.machine.run(parsedInput, {
      overrides: { taskResourceLocalHandlers: handlers },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: parsedInput,
          StartTime: record.startDate.toISOString(),
          RoleArn: 'arn:aws:iam::000000000000:role/local',
        },
        StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(':').pop() },
        Task: { Token: CONTEXT_TOKEN },
      } as never,
    });
    record.abort = run.abort;
    void this.followLog(record, run.eventLogs);
    run.result.then(
      (output: unknown) => {
        if (record.status === 'RUNNING')
          Object.assign(record, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null), stopDate: new Date() });
        this.dropTokens(executionArn);
        this.finish(executionArn);
      },
      (error: Error & { cause?: unknown }) => {
        Object.assign(record, { status: 'FAILED', error: error.name, cause: error.message, stopDate: new Date() });
        this.dropTokens(executionArn);
        this.finish(executionArn);
      },
    );
  }

  stop(executionArn: string) {
    const record = this.executions.get(executionArn);
    if (!record) throw new AwsApiError('ExecutionDoesNotExist', `Execution does not exist: '${executionArn}'`);
    if (record.status === 'RUNNING') {
      record.status = 'ABORTED';
      record.stopDate = new Date();
      const waiting = this.queued.findIndex((q) => q.executionArn === executionArn);
      if (waiting >= 0) this.queued.splice(waiting, 1);
      record.abort?.();
      const token = this.tokenOf.get(executionArn);
      if (token !== undefined) this.abandonTask(token);
      this.finish(executionArn);
    }
    return record;
  }

  /** Ends every running execution without touching the table: a restart resumes from what it holds. */
  shutdown() {
    this.queued.length = 0;
    clearTimeout(this.retry);
    for (const record of this.executions.values()) if (record.status === 'RUNNING') record.abort?.();
    for (const token of [...this.pending.keys()]) this.abandonTask(token);
    this.tokenOf.clear();
    this.open.clear();
    this.active.clear();
    this.parked.clear();
  }

  sendTaskSuccess(taskToken: string, output: string) {
    const task = this.takeToken(taskToken);
    task.resolve(JSON.parse(output) as Json);
  }

  sendTaskFailure(taskToken: string, error = 'States.TaskFailed', cause = '') {
    const task = this.takeToken(taskToken);
    task.reject(namedError(error, cause));
  }

  private takeToken(taskToken: string): PendingTask {
    const task = this.pending.get(taskToken);
    if (!task)
      throw new AwsApiError(
        'TaskTimedOut',
        'Task Timed Out: the token is unknown, already used, or its task has ended',
      );
    this.pending.delete(taskToken);
    if (this.tokenOf.get(task.executionArn) === taskToken) this.tokenOf.delete(task.executionArn);
    return task;
  }

  /**
   * An aborted execution's open task is failed, not just forgotten: the library clears a task's
   * timeout timer (`TimeoutSecondsPath`, days for a rep's wait) only when the task settles, and until
   * then that timer holds the process open after a shutdown. The run is aborted already, so the
   * failure goes nowhere: no Retry names it, and a Catch only picks a next state, which an aborted run
   * never enters.
   */
  private abandonTask(token: string) {
    if (this.pending.has(token))
      this.takeToken(token).reject(namedError('Leadflow.ExecutionAborted', 'the execution was stopped'));
  }

  private dropTokens(executionArn: string) {
    const token = this.tokenOf.get(executionArn);
    if (token === undefined) return;
    this.pending.delete(token);
    this.tokenOf.delete(executionArn);
  }

  private async followLog(record: ExecutionRecord, log: AsyncGenerator<unknown>) {
    try {
      for await (const raw of log) {
        const event = raw as {
          type: string;
          timestamp: number;
          state?: { name?: string; type?: string };
          Error?: string;
          error?: string;
        };
        record.history.push({
          type: event.type,
          state: event.state?.name,
          stateType: event.state?.type,
          at: event.timestamp,
          error: event.Error ?? event.error,
        });
        // A Wait state holds no worker on AWS; here it gives its slot away too, or a handful of
        // long timers (quote expiry, approval escalation) would queue every lead behind them.
        if (event.state?.type === 'Wait') {
          if (event.type === 'StateEntered') this.park(record.executionArn);
          else if (event.type === 'StateExited') this.unpark(record.executionArn);
        }
      }
    } catch {
      // The log ends with the execution; an aborted run may close it abruptly.
    }
  }

  private shimFor(resource: string, executionArn: string): (input: Json) => Promise<Json> {
    const service = resource.replace(/^arn:aws:states:[^:]*:[^:]*:/, '');
    const params = (input: Json) => input as JsonObject;
    switch (service) {
      case 'lambda:invoke':
        return async (input) => {
          const { FunctionName, Payload } = params(input);
          const result = await this.services.invokeFunction(String(FunctionName), Payload ?? null);
          return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
        };
      case 'lambda:invoke.waitForTaskToken':
        return async (input) => {
          // A new wait in this execution supersedes any earlier token (there is one wait at a time).
          this.dropTokens(executionArn);
          const token = `${executionArn.split(':').pop()}.${randomBytes(24).toString('base64url')}`;
          const { FunctionName, Payload } = params(replaceToken(input, token));
          const outcome = new Promise<Json>((resolve, reject) =>
            this.pending.set(token, { executionArn, resolve, reject }),
          );
          // Aborted while the function is still being invoked: the failure is awaited below or not at all.
          outcome.catch(() => undefined);
          this.tokenOf.set(executionArn, token);
          await this.services.invokeFunction(String(FunctionName), Payload ?? null);
          this.park(executionArn);
          try {
            return await outcome;
          } finally {
            this.unpark(executionArn);
          }
        };
      case 'dynamodb:updateItem':
        return async (input) =>
          JSON.parse(
            JSON.stringify(await this.services.dynamodb.send(new UpdateItemCommand(params(input) as never))),
          ) as Json;
      case 'dynamodb:getItem':
        return async (input) =>
          JSON.parse(
            JSON.stringify(await this.services.dynamodb.send(new GetItemCommand(params(input) as never))),
          ) as Json;
      case 'dynamodb:putItem':
        return async (input) =>
          JSON.parse(
            JSON.stringify(await this.services.dynamodb.send(new PutItemCommand(params(input) as never))),
          ) as Json;
      case 'events:putEvents':
        return async (input) => {
          const entries = (params(input).Entries ?? []) as JsonObject[];
          const results = await this.services.putEvents(entries);
          return { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length };
        };
      default:
        return async () => {
          throw namedError('States.Runtime', `the local runtime has no shim for ${resource}`);
        };
    }
  }
}
