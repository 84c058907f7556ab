import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { EVENT_RULES } from '../../functions/core/event-rules';
import { eventually, postWebhookLead, useTestRuntime } from '../support/runtime';

const { rt } = useTestRuntime();
const run = promisify(execFile);

/** The AWS CLI ships with the machine image (CLI v1); a machine without it must say so, not skip. */
const awsCli = (() => {
  try {
    execFileSync('aws', ['--version'], { stdio: 'pipe' });
    return 'aws';
  } catch {
    throw new Error('the AWS CLI (`aws`) is not on PATH: install it (pip install awscli) to run the operator checks');
  }
})();

/** The CLI starts Python and botocore per call: seconds each, far more on a loaded machine. */
const CLI_TEST_TIMEOUT_MS = 900_000;

/** One CLI call against the runtime, as the README tells operators to make it (dummy credentials, no profile). */
const aws = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  const { stdout } = await run(awsCli, ['--endpoint-url', rt.url, '--region', 'local', '--output', 'json', ...args], {
    env,
    timeout: 300_000,
  });
  return JSON.parse(stdout || '{}') as T;
};

describe('operators read the local runtime with the AWS CLI', () => {
  it(
    'lists and describes the state machine, its executions and an execution’s history',
    async () => {
      const { leadId } = await postWebhookLead(rt, { email: 'cli-operator@example.com', firstName: 'Ops' });
      const executionArn = `${rt.stateMachineArn.replace(':stateMachine:', ':execution:')}:${leadId}`;
      await eventually(async () =>
        rt.engine.executions.get(executionArn)?.history.some((h) => h.type === 'StateEntered'),
      );

      const machines = await aws<{ stateMachines: { stateMachineArn: string; name: string; type: string }[] }>(
        'stepfunctions',
        'list-state-machines',
      );
      // The lead lifecycle and the quote expiry timer: every machine the stack deploys.
      expect(machines.stateMachines).toEqual([
        expect.objectContaining({ stateMachineArn: rt.stateMachineArn, name: 'leadflow-lifecycle', type: 'STANDARD' }),
        expect.objectContaining({ name: 'leadflow-quote-expiry', type: 'STANDARD' }),
      ]);

      const described = await aws<{ definition: string; status: string }>(
        'stepfunctions',
        'describe-state-machine',
        '--state-machine-arn',
        rt.stateMachineArn,
      );
      expect(described.status).toBe('ACTIVE');
      expect(JSON.parse(described.definition).States).toBeDefined();

      const listed = await aws<{ executions: { executionArn: string; status: string; name: string }[] }>(
        'stepfunctions',
        'list-executions',
        '--state-machine-arn',
        rt.stateMachineArn,
      );
      expect(listed.executions).toContainEqual(
        expect.objectContaining({ executionArn, name: leadId, status: 'RUNNING' }),
      );
      const running = await aws<{ executions: unknown[] }>(
        'stepfunctions',
        'list-executions',
        '--state-machine-arn',
        rt.stateMachineArn,
        '--status-filter',
        'SUCCEEDED',
      );
      expect(running.executions).toEqual([]);

      const history = await aws<{
        events: { id: number; type: string; stateEnteredEventDetails?: { name: string } }[];
      }>('stepfunctions', 'get-execution-history', '--execution-arn', executionArn);
      expect(history.events[0]).toMatchObject({ id: 1, type: 'ExecutionStarted' });
      expect(history.events.find((e) => e.type.endsWith('StateEntered'))?.stateEnteredEventDetails?.name).toEqual(
        expect.any(String),
      );

      await expect(
        aws('stepfunctions', 'describe-state-machine', '--state-machine-arn', `${rt.stateMachineArn}-missing`),
      ).rejects.toThrow(/StateMachineDoesNotExist/);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'lists the bus rules and the secrets (names only, never a value)',
    async () => {
      const rules = await aws<{ Rules: { Name: string; EventPattern: string; State: string }[] }>(
        'events',
        'list-rules',
        '--event-bus-name',
        'leadflow',
      );
      expect(rules.Rules.map((r) => r.Name)).toEqual(EVENT_RULES.map((r) => r.name));
      expect(JSON.parse(rules.Rules[0]?.EventPattern ?? '{}')).toEqual(EVENT_RULES[0]?.pattern);

      const secrets = await aws<{ SecretList: { Name: string; SecretString?: string }[] }>(
        'secretsmanager',
        'list-secrets',
      );
      expect(secrets.SecretList.map((s) => s.Name)).toContain('leadflow/webhooks/campaign-demo');
      expect(JSON.stringify(secrets)).not.toContain(String(rt.webhookSecrets['campaign-demo']));
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'answers a malformed Detail in PutEvents per entry, as EventBridge does, and publishes the good entries',
    async () => {
      const before = rt.bus.log.length;
      const entries = JSON.stringify([
        { Source: 'cli.test', DetailType: 'Probe', Detail: '{"ok":true}', EventBusName: 'leadflow' },
        { Source: 'cli.test', DetailType: 'Probe', Detail: '{not json', EventBusName: 'leadflow' },
        { Source: 'cli.test', DetailType: 'Probe', Detail: '[1,2]', EventBusName: 'leadflow' },
      ]);
      const put = await aws<{
        FailedEntryCount: number;
        Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
      }>('events', 'put-events', '--entries', entries);
      expect(put.FailedEntryCount).toBe(2);
      expect(put.Entries[0]?.EventId).toEqual(expect.any(String));
      expect(put.Entries.slice(1)).toEqual([
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      ]);
      expect(
        rt.bus.log
          .slice(before)
          .filter((e) => e.source === 'cli.test')
          .map((e) => e.detail),
      ).toEqual([{ ok: true }]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
