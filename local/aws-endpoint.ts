import type { ServerResponse } from 'node:http';
import { EVENT_BUS_NAME } from '../functions/core/events';
import type { EventRule } from '../functions/core/event-rules';
import { AwsApiError, type AwsJsonReply, awsJsonReply } from './aws-json';
import type { LocalEventBus, PutEntry } from './event-bus';
import type { LocalSecretsManager } from './secrets-manager';
import { makeStepFunctionsApi } from './step-functions-api';
import type { LocalWorkflowEngine } from './workflow-engine';

type Request = Record<string, unknown>;

const ruleArn = (name: string) => `arn:aws:events:local:000000000000:rule/${EVENT_BUS_NAME}/${name}`;

/** The EventBridge actions of the local bus (AWS JSON 1.1, `AWSEvents.<Action>`). */
const makeEventsApi =
  (bus: LocalEventBus, rules: readonly EventRule[]) =>
  (action: string, body: Request): unknown => {
    switch (action) {
      case 'PutEvents': {
        const entries = Array.isArray(body.Entries) ? (body.Entries as PutEntry[]) : [];
        const results = bus.put(entries);
        return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
      }
      case 'ListRules': {
        const prefix = typeof body.NamePrefix === 'string' ? body.NamePrefix : '';
        const onBus = body.EventBusName === undefined || body.EventBusName === EVENT_BUS_NAME;
        const listed = onBus ? rules.filter((r) => r.name.startsWith(prefix)) : [];
        return {
          Rules: listed.map((r) => ({
            Name: r.name,
            Arn: ruleArn(r.name),
            EventPattern: JSON.stringify(r.pattern),
            State: 'ENABLED',
            Description: r.description,
            EventBusName: EVENT_BUS_NAME,
          })),
        };
      }
      default:
        throw new AwsApiError('UnknownOperationException', `the local runtime does not implement AWSEvents.${action}`);
    }
  };

const parse = (body: Buffer | string): Request => {
  try {
    const value: unknown = JSON.parse((typeof body === 'string' ? body : body.toString('utf8')) || '{}');
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Request;
  } catch {
    // answered below
  }
  throw new AwsApiError('SerializationException', 'the request body is not a JSON object');
};

/**
 * The AWS JSON protocol services of the local runtime: Step Functions, EventBridge or Secrets Manager by
 * `X-Amz-Target`. Each answers with the protocol version it speaks on AWS, so its real exception classes
 * surface in the SDK clients and the AWS CLI.
 */
export const makeAwsJsonServices = (parts: {
  engine: LocalWorkflowEngine;
  bus: LocalEventBus;
  rules: readonly EventRule[];
  secretsManager: LocalSecretsManager;
}) => {
  const states = makeStepFunctionsApi(parts.engine);
  const events = makeEventsApi(parts.bus, parts.rules);
  return (target: string, body: Buffer | string): Promise<AwsJsonReply> => {
    const dot = target.indexOf('.');
    const service = target.slice(0, dot);
    const action = target.slice(dot + 1);
    if (service === 'secretsmanager')
      return awsJsonReply('1.1', () => parts.secretsManager.handle(action, parse(body)));
    if (service === 'AWSEvents') return awsJsonReply('1.1', () => events(action, parse(body)));
    return awsJsonReply('1.0', () => {
      if (service !== 'AWSStepFunctions')
        throw new AwsApiError('UnknownOperationException', `the local runtime does not implement ${target}`);
      return states(action, parse(body));
    });
  };
};

/**
 * The AWS JSON protocol front of the local runtime: `POST /` with `X-Amz-Target`, as the AWS CLI and the SDK
 * clients of other processes send it (the functions in the runtime's own process call the services directly:
 * functions/adapters/in-process-endpoint.ts).
 */
export const makeAwsEndpoint = (services: ReturnType<typeof makeAwsJsonServices>) => {
  return async (res: ServerResponse, target: string, body: Buffer): Promise<void> => {
    const reply = await services(target, body);
    res.writeHead(reply.status, reply.headers).end(reply.body);
  };
};
