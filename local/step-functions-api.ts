import { AwsApiError } from './aws-json';
import type { ExecutionRecord, LocalWorkflowEngine } from './workflow-engine';

type Request = Record<string, unknown>;

const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);
const ROLE_ARN = 'arn:aws:iam::000000000000:role/local';

/** A page of `items` as the AWS list calls return it: `nextToken` is the offset of the next page. */
const page = <T>(items: T[], body: Request, defaultSize: number): { items: T[]; nextToken?: string } => {
  const size = Number(body.maxResults) > 0 ? Math.min(Number(body.maxResults), 1000) : defaultSize;
  const from =
    typeof body.nextToken === 'string' ? Number(Buffer.from(body.nextToken, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(from) || from < 0)
    throw new AwsApiError('InvalidToken', `Invalid Token: '${String(body.nextToken)}'`);
  const next = from + size;
  return {
    items: items.slice(from, next),
    ...(next < items.length ? { nextToken: Buffer.from(String(next)).toString('base64url') } : {}),
  };
};

const summary = (e: ExecutionRecord) => ({
  executionArn: e.executionArn,
  stateMachineArn: e.stateMachineArn,
  name: e.name,
  status: e.status,
  startDate: seconds(e.startDate),
  stopDate: seconds(e.stopDate),
});

/** The engine's event log as GetExecutionHistory events (AWS names state events after the state's type). */
const historyEvents = (e: ExecutionRecord) =>
  e.history.map((h, index) => {
    const id = index + 1;
    const base = { id, previousEventId: index, timestamp: h.at / 1000 };
    const typed = h.stateType ? `${h.stateType}${h.type}` : h.type;
    switch (h.type) {
      case 'ExecutionStarted':
        return { ...base, type: h.type, executionStartedEventDetails: { input: e.input, roleArn: ROLE_ARN } };
      case 'ExecutionSucceeded':
        return { ...base, type: h.type, executionSucceededEventDetails: { output: e.output } };
      case 'ExecutionFailed':
        return { ...base, type: h.type, executionFailedEventDetails: { error: h.error ?? e.error, cause: e.cause } };
      case 'StateEntered':
        return { ...base, type: typed, stateEnteredEventDetails: { name: h.state } };
      case 'StateExited':
        return { ...base, type: typed, stateExitedEventDetails: { name: h.state } };
      default:
        return {
          ...base,
          type: h.type,
          ...(h.state ? { stateName: h.state } : {}),
          ...(h.error ? { error: h.error } : {}),
        };
    }
  });

/**
 * The Step Functions actions the local engine serves (AWS JSON 1.0, `AWSStepFunctions.<Action>`):
 * what the functions call, and the read calls operators make with the AWS CLI.
 */
export const makeStepFunctionsApi = (engine: LocalWorkflowEngine) => {
  const execution = (arn: unknown) => {
    const record = engine.executions.get(String(arn));
    if (!record) throw new AwsApiError('ExecutionDoesNotExist', `Execution does not exist: '${String(arn)}'`);
    return record;
  };
  const stateMachine = (arn: unknown) => {
    const found = engine.stateMachines().find((m) => m.stateMachineArn === arn);
    if (!found) throw new AwsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return found;
  };
  const actions: Record<string, (body: Request) => unknown> = {
    StartExecution: (body) => {
      const record = engine.start(
        String(body.stateMachineArn),
        String(body.name ?? crypto.randomUUID()),
        String(body.input ?? '{}'),
      );
      return { executionArn: record.executionArn, startDate: seconds(record.startDate) };
    },
    SendTaskSuccess: (body) => {
      engine.sendTaskSuccess(String(body.taskToken), String(body.output ?? '{}'));
      return {};
    },
    SendTaskFailure: (body) => {
      engine.sendTaskFailure(
        String(body.taskToken),
        body.error as string | undefined,
        body.cause as string | undefined,
      );
      return {};
    },
    SendTaskHeartbeat: () => ({}),
    StopExecution: (body) => ({ stopDate: seconds(engine.stop(String(body.executionArn)).stopDate ?? new Date()) }),
    DescribeExecution: (body) => {
      const record = execution(body.executionArn);
      return {
        ...summary(record),
        input: record.input,
        output: record.output,
        error: record.error,
        cause: record.cause,
      };
    },
    ListExecutions: (body) => {
      stateMachine(body.stateMachineArn);
      const matching = [...engine.executions.values()]
        .filter(
          (e) => e.stateMachineArn === body.stateMachineArn && (!body.statusFilter || e.status === body.statusFilter),
        )
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
      const { items, nextToken } = page(matching, body, 100);
      return { executions: items.map(summary), nextToken };
    },
    GetExecutionHistory: (body) => {
      const events = historyEvents(execution(body.executionArn));
      const { items, nextToken } = page(body.reverseOrder === true ? events.reverse() : events, body, 100);
      return { events: items, nextToken };
    },
    ListStateMachines: (body) => {
      const { items, nextToken } = page(engine.stateMachines(), body, 100);
      return {
        stateMachines: items.map((m) => ({
          stateMachineArn: m.stateMachineArn,
          name: m.name,
          type: 'STANDARD',
          creationDate: seconds(m.creationDate),
        })),
        nextToken,
      };
    },
    DescribeStateMachine: (body) => {
      const m = stateMachine(body.stateMachineArn);
      return {
        stateMachineArn: m.stateMachineArn,
        name: m.name,
        status: 'ACTIVE',
        definition: m.definition,
        roleArn: ROLE_ARN,
        type: 'STANDARD',
        creationDate: seconds(m.creationDate),
      };
    },
  };
  return (action: string, body: Request): unknown => {
    const act = actions[action];
    if (!act)
      throw new AwsApiError(
        'UnknownOperationException',
        `the local runtime does not implement AWSStepFunctions.${action}`,
      );
    return act(body);
  };
};
