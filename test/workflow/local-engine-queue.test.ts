import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { LocalWorkflowEngine } from '../../local/workflow-engine';
import { eventually } from '../support/runtime';

/**
 * The local engine accepts every StartExecution at once but runs a bounded number of executions,
 * and holds them back while an import is being served, so its burst of starts cannot starve it.
 */
const dir = mkdtempSync(join(tmpdir(), 'leadflow-engine-'));
const definition = (resource: string) => {
  const file = join(dir, `${resource.replace(/\W/g, '-')}.asl.json`);
  const parameters = resource.endsWith('waitForTaskToken')
    ? { FunctionName: 'work', Payload: { 'token.$': '$$.Task.Token', 'name.$': '$.name' } }
    : { FunctionName: 'work', Payload: { 'name.$': '$.name' } };
  writeFileSync(
    file,
    JSON.stringify({
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: resource, Parameters: parameters, End: true } },
    }),
  );
  return file;
};

/** Each invocation waits until the test releases it, so "working" can be counted. */
const harness = (maxActive: number) => {
  const calls: { name: string; token?: string; release: () => void }[] = [];
  const engine = new LocalWorkflowEngine(
    {
      dynamodb: {} as DynamoDBClient,
      invokeFunction: (_fn, payload) =>
        new Promise((resolve) => {
          const p = payload as { name: string; token?: string };
          calls.push({ name: p.name, token: p.token, release: () => resolve({}) });
        }),
      putEvents: async () => [],
    },
    'local',
    '000000000000',
    maxActive,
  );
  held.push(calls);
  return { engine, calls };
};

let engines: LocalWorkflowEngine[] = [];
let held: { release: () => void }[][] = [];
afterEach(() => {
  for (const engine of engines) engine.shutdown();
  // A plain task's timeout timer (60 s by default) lives until its invocation answers.
  for (const calls of held) for (const call of calls) call.release();
  engines = [];
  held = [];
});

describe('local engine queue', () => {
  it('runs at most its limit of executions at once and starts the others in order as slots free', async () => {
    const { engine, calls } = harness(2);
    engines.push(engine);
    const arn = engine.register('q', definition('arn:aws:states:::lambda:invoke'), {});

    const records = ['a', 'b', 'c', 'd'].map((name) => engine.start(arn, name, JSON.stringify({ name })));

    expect(records.map((r) => r.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
    await eventually(async () => calls.length === 2);
    expect(engine.backlog).toBe(2);
    calls[0]?.release();
    await eventually(async () => calls.length === 3);
    expect(calls.map((c) => c.name)).toEqual(['a', 'b', 'c']);
  });

  it('gives the slot of an execution parked on a task token to the next one', async () => {
    const { engine, calls } = harness(1);
    engines.push(engine);
    const arn = engine.register('t', definition('arn:aws:states:::lambda:invoke.waitForTaskToken'), {});

    engine.start(arn, 'a', JSON.stringify({ name: 'a' }));
    engine.start(arn, 'b', JSON.stringify({ name: 'b' }));
    await eventually(async () => calls.length === 1);
    calls[0]?.release();

    // a now waits for its token without a slot: b runs.
    await eventually(async () => calls.length === 2);
    expect(engine.backlog).toBe(0);
  });

  it('gives the slot of an execution in a Wait state to the next one, and takes it back after the wait', async () => {
    const { engine, calls } = harness(1);
    engines.push(engine);
    const file = join(dir, 'wait-then-work.asl.json');
    writeFileSync(
      file,
      JSON.stringify({
        StartAt: 'Timer',
        States: {
          Timer: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Work' },
          Work: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'work', Payload: { 'name.$': '$.name' } },
            End: true,
          },
        },
      }),
    );
    const arn = engine.register('w', file, {});

    const timer = engine.start(arn, 'timer', JSON.stringify({ name: 'timer', seconds: 1 }));
    const next = engine.start(arn, 'next', JSON.stringify({ name: 'next', seconds: 0 }));
    // With one slot, the second execution runs while the first waits out its timer.
    await eventually(async () => calls.some((c) => c.name === 'next'), { timeoutMs: 900 });
    expect(timer.status).toBe('RUNNING');
    calls.find((c) => c.name === 'next')?.release();
    await eventually(async () => calls.some((c) => c.name === 'timer'), { timeoutMs: 3000 });
    calls.find((c) => c.name === 'timer')?.release();
    await eventually(async () => timer.status === 'SUCCEEDED' && next.status === 'SUCCEEDED');
  });

  it('while the runtime says it is busy lets one queued execution in per second, and the rest once it is not', async () => {
    const { engine, calls } = harness(8);
    engines.push(engine);
    let busy = true;
    engine.yieldTo(() => busy);
    const arn = engine.register('b', definition('arn:aws:states:::lambda:invoke'), {});

    for (const name of ['a', 'b', 'c', 'd']) engine.start(arn, name, JSON.stringify({ name }));
    await eventually(async () => calls.length === 1);
    await new Promise((r) => setTimeout(r, 500));
    const halfASecondIn = calls.length;
    await eventually(async () => calls.length === 2, { timeoutMs: 2000 });
    busy = false;

    await eventually(async () => calls.length === 4, { timeoutMs: 2000 });
    expect(halfASecondIn).toBe(1);
  });
});

describe('local engine queue figures (/health, leadflow import --wait)', () => {
  it('counts queued, running and parked executions, and the ones settled with their rate', async () => {
    const { engine, calls } = harness(1);
    engines.push(engine);
    const arn = engine.register('s', definition('arn:aws:states:::lambda:invoke.waitForTaskToken'), {});

    for (const name of ['a', 'b', 'c']) engine.start(arn, name, JSON.stringify({ name }));
    await eventually(async () => calls.length === 1);
    expect(engine.stats()).toMatchObject({ queued: 2, running: 1, waitingOnTask: 0, open: 3, settled: 0 });
    expect(engine.stats().drainSeconds).toBeNull();

    calls[0]?.release();
    await eventually(async () => calls.length === 2);
    // a parked on its task token: settled, its slot went to b.
    const s = engine.stats();
    expect(s).toMatchObject({ queued: 1, running: 1, waitingOnTask: 1, settled: 1 });
    expect(s.drainPerSecond).toBe(0.1);
    expect(s.drainSeconds).toBe(20);
    // Outside the 10 s window the rate falls back to 0.
    expect(engine.stats(Date.now() + 11_000).drainPerSecond).toBe(0);
  });
});

describe('local engine shutdown', () => {
  /** A rep's wait: a task token with a day's timeout, caught into a state that would call the function again. */
  const waitingDefinition = () => {
    const file = join(dir, 'caught-wait.asl.json');
    writeFileSync(
      file,
      JSON.stringify({
        StartAt: 'Wait',
        States: {
          Wait: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: 'work', Payload: { 'token.$': '$$.Task.Token', 'name.$': '$.name' } },
            TimeoutSeconds: 86_400,
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Again' }],
            End: true,
          },
          Again: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'work' },
            End: true,
          },
        },
      }),
    );
    return file;
  };
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

  it('ends the waits of stopped and shut-down executions: no task timer keeps the process open, no further state runs', async () => {
    const { engine, calls } = harness(4);
    const arn = engine.register('w', waitingDefinition(), {});

    const stopped = engine.start(arn, 'a', JSON.stringify({ name: 'a' }));
    engine.start(arn, 'b', JSON.stringify({ name: 'b' }));
    await eventually(async () => calls.length === 2);
    for (const call of calls) call.release();
    await eventually(async () => engine.stats().waitingOnTask === 2);
    // Each parked wait holds the library's day-long task timer until its task settles.
    const parked = timers();

    engine.stop(stopped.executionArn);
    expect(stopped.status).toBe('ABORTED');
    engine.shutdown();
    await new Promise((r) => setImmediate(r));

    expect(timers()).toBeLessThanOrEqual(parked - 2);
    expect(calls.map((c) => c.name)).toEqual(['a', 'b']);
  });
});
