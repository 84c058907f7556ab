import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DynamoRequestRecord, observeDynamoRequests } from '../functions/adapters/request-observer';
import { EVENT_RULES } from '../functions/core/event-rules';
import { ROUTES } from '../functions/routes';
import { PROJECT_ROOT } from '../local/config';
import { signDevToken } from '../local/dev-jwt';
import { matchesPattern } from '../local/event-pattern';
import type { LocalRuntime } from '../local/runtime';
import type { BenchScale } from './config';
import { costPer1000Leads, type LeadUsage } from './cost-model';
import { benchPayload } from './lead-factory';
import { round } from './stats';
import { postWebhook } from './webhook';

type Json = Record<string, unknown>;
type Scenario = BenchScale['workflowScenarios'][number];

const TRANSACTIONS = /^Transact(Write|Get)Items/;

/** `LEAD/LEAD`-style names of the items a write touches: the key prefixes, without ids. */
const itemKinds = (input: Record<string, unknown>) => {
  const kind = (key: unknown) => {
    const k = (key ?? {}) as Record<string, unknown>;
    return [k.pk, k.sk].map((v) => String(v ?? '').split(/[#:]/)[0]).join('/');
  };
  const items = Array.isArray(input.TransactItems)
    ? (input.TransactItems as Record<string, { Item?: unknown; Key?: unknown }>[]).map((t) => {
        const op = Object.keys(t)[0] ?? '';
        return `${op}:${kind(t[op]?.Item ?? t[op]?.Key)}`;
      })
    : [kind(input.Item ?? input.Key)];
  return `[${items.join(' ')}]`;
};

/**
 * Counts a lead's billable units while it runs alone: HTTP requests the scenario makes, state
 * transitions and Lambda task invocations from the execution's history, bus deliveries to Lambda
 * targets, events on the bus and DynamoDB units (ReturnConsumedCapacity) from every client in the process.
 */
class UsageMeter {
  httpRequests = 0;
  readUnits = 0;
  writeUnits = 0;
  requests = 0;
  readonly byCommand: Record<string, { requests: number; read: number; write: number }> = {};
  /** Every write in order: command, the kinds of item it touches (key prefixes) and the write units billed. */
  readonly writes: string[] = [];
  private paused = false;
  private stop?: () => void;

  start() {
    this.stop = observeDynamoRequests({
      consumedCapacity: true,
      onRequest: (r: DynamoRequestRecord) => {
        if (this.paused) return;
        this.requests++;
        const name = r.command.replace(/Command$/, '');
        const tally = this.byCommand[name] ?? { requests: 0, read: 0, write: 0 };
        this.byCommand[name] = tally;
        tally.requests++;
        let read = r.consumed.reduce((sum, c) => sum + c.read, 0);
        let write = r.consumed.reduce((sum, c) => sum + c.write, 0);
        if (TRANSACTIONS.test(r.command)) {
          // DynamoDB Local doubles a transaction's size-based units but does not round per item;
          // AWS bills at least 2 units per item in a transaction, so take the larger of the two.
          const items = Array.isArray(r.input.TransactItems) ? r.input.TransactItems.length : 0;
          if (r.command.startsWith('TransactWrite')) write = Math.max(write, 2 * items);
          else read = Math.max(read, 2 * items);
        }
        if (write > 0 || /Update|Put|Delete|Write/.test(name))
          this.writes.push(`${name} ${itemKinds(r.input)} = ${round(write, 1)}`);
        this.readUnits += read;
        this.writeUnits += write;
        tally.read += read;
        tally.write += write;
      },
    });
  }

  async uncounted<T>(fn: () => Promise<T>): Promise<T> {
    this.paused = true;
    try {
      return await fn();
    } finally {
      this.paused = false;
    }
  }

  end() {
    this.stop?.();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The slow rep's SLAs: each action comes within its stage's SLA, but after the wait that was running
 * when the rep last acted has run out (Assigned's 3 s after the qualify, MarketQualified's 10 s from
 * the qualify after the handoff): with quiet actions on, each of those timers fires (Aging, Dispatch,
 * WaitForRep); with them off, each action re-armed the wait and no timer fires.
 */
const SLOW = { assignedMs: 3_000, marketQualifiedMs: 10_000, marginMs: 1_000 };

export const measureWorkflowCost = async (rt: LocalRuntime, scale: BenchScale) => {
  const needed = ['POST /leads/{id}/actions/{action}', 'GET /tasks', 'POST /tasks/{taskId}/decision'];
  const missing = needed.filter((key) => !ROUTES.some((r) => `${r.method} ${r.path}` === key));
  const definition = JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'statemachines', 'lead-lifecycle.asl.json'), 'utf8'),
  ) as { States: Record<string, { Type: string; Resource?: string }> };
  const lambdaStates = new Set(
    Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Task' && s.Resource?.startsWith('arn:aws:states:::lambda:invoke'))
      .map(([n]) => n),
  );
  const priceOnly = {
    prices: costPer1000Leads({
      stateTransitions: 12,
      lambdaInvocations: 8,
      httpRequests: 4,
      readUnits: 12,
      writeUnits: 40,
      events: 4,
    }),
  };
  if (missing.length > 0) {
    return {
      measured: false,
      reason: `the lifecycle routes are not registered yet: ${missing.join(', ')}`,
      exampleAtTargetCounts: priceOnly,
    };
  }

  const tokens = new Map<string, string>();
  const tokenFor = async (user: string, groups: string[]) => {
    const key = `${user}:${groups.join(',')}`;
    if (!tokens.has(key)) tokens.set(key, await signDevToken({ user, groups }));
    return tokens.get(key) as string;
  };
  const salesops = () => tokenFor('sam', ['salesops', 'manager']);

  let meter = new UsageMeter();
  const http = async (method: string, path: string, token: string, body?: unknown, { counted = true } = {}) => {
    if (counted) meter.httpRequests++;
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : {}) as Json;
  };
  const putConfig = async (name: string, value: unknown) => {
    const current = await http('GET', `/config/${name}`, await salesops(), undefined, { counted: false });
    await http(
      'PUT',
      `/config/${name}`,
      await salesops(),
      { version: current.version ?? 0, value },
      { counted: false },
    );
  };

  const execution = (leadId: string) => [...rt.engine.executions.values()].find((e) => e.name === leadId);
  /** Waits until the execution has entered `state` `times` times (or finished) and nothing moved for a moment. */
  const settle = async (
    leadId: string,
    until: (h: { type: string; state?: string }[], status: string) => boolean,
    timeoutMs = 30_000,
  ) => {
    const started = Date.now();
    for (;;) {
      const e = execution(leadId);
      if (e && until(e.history, e.status)) {
        const length = e.history.length;
        await sleep(150);
        await rt.bus.drain();
        if (e.history.length === length) return e;
      }
      if (Date.now() - started > timeoutMs) {
        const last = e?.history
          .slice(-4)
          .map((h) => `${h.type}:${h.state ?? ''}`)
          .join(', ');
        throw new Error(
          `lead ${leadId} did not get there within ${timeoutMs} ms (status ${e?.status ?? 'no execution'}; last: ${last})`,
        );
      }
      await sleep(50);
    }
  };
  const entered =
    (state: string, times = 1) =>
    (h: { type: string; state?: string }[]) =>
      h.filter((x) => x.type === 'StateEntered' && x.state === state).length >= times;
  const finished = (_h: unknown, status: string) => status !== 'RUNNING';
  const inWait = (h: { type: string; state?: string }[]) =>
    h.findLast((x) => x.type === 'StateEntered')?.state === 'WaitForRep';
  // The bench's own look-ups are not the lead's cost: neither the request nor its reads are counted.
  const ownerOf = (leadId: string) =>
    meter.uncounted(async () =>
      String((await http('GET', `/leads/${leadId}`, await salesops(), undefined, { counted: false })).owner ?? ''),
    );
  const act = async (leadId: string, action: string, body: Json = {}) => {
    const owner = await ownerOf(leadId);
    await http('POST', `/leads/${leadId}/actions/${action}`, await tokenFor(owner, ['rep']), body);
  };
  const decideAll = async (user: string, groups: string[], leadId: string) => {
    const list = await http('GET', '/tasks', await tokenFor(user, groups));
    const items = (Array.isArray(list) ? list : ((list.items ?? list.tasks ?? []) as Json[])) as Json[];
    const task = items.find((t) => t.leadId === leadId || (t.lead as Json | undefined)?.id === leadId);
    if (!task) throw new Error(`no open approval task for ${user} on lead ${leadId}`);
    await http('POST', `/tasks/${String(task.taskId ?? task.id)}/decision`, await tokenFor(user, groups), {
      decision: 'approve',
      comment: 'bench',
    });
  };

  /**
   * Until `at` (the old wait's timeout has passed), then, with quiet actions on, until that timer's
   * `Aging` has run and the execution waits again (`agings` in all): the next action comes after it.
   */
  const afterOldTimer = async (leadId: string, at: number, quiet: boolean, agings: number) => {
    await sleep(Math.max(0, at - Date.now()));
    await settle(leadId, (h, status) => inWait(h) && (!quiet || entered('Aging', agings)(h)) && status === 'RUNNING');
  };

  const runScenario = async (
    scenario: Scenario,
    n: number,
  ): Promise<
    LeadUsage & {
      leadId: string;
      path: string[];
      status: string;
      dynamoRequests: number;
      byCommand: UsageMeter['byCommand'];
      writes: string[];
    }
  > => {
    meter = new UsageMeter();
    const slow = scenario === 'slowRep' || scenario === 'slowRepQuiet';
    const quiet = scenario === 'slowRepQuiet';
    const run = `w${scenario.slice(0, 3)}${Date.now().toString(36)}${n}`;
    const payload =
      scenario === 'twoStepApproval'
        ? { ...benchPayload(run, n), leadType: 'B2B', expectedValue: 2_000_000, country: 'DE' }
        : { ...benchPayload(run, n), leadType: 'B2C' };
    const eventsBefore = rt.bus.log.length;
    meter.start();
    try {
      meter.httpRequests++;
      const { leadId } = await postWebhook(
        rt.url,
        'campaign-demo',
        rt.webhookSecrets['campaign-demo'] ?? '',
        `wf_${run}`,
        payload,
      );
      await settle(leadId, entered('WaitForRep'));
      if (scenario === 'agingEscalation') await settle(leadId, entered('WaitForRep', 2), 60_000);
      // A quiet action (quiet-action.ts) leaves the execution in its wait; a waking one re-enters it.
      const qualifiedAt = Date.now();
      await act(leadId, 'qualify');
      await settle(leadId, inWait);
      // A slow rep acts within each SLA but after the wait that was running at the previous action has run out.
      if (slow) await afterOldTimer(leadId, qualifiedAt + SLOW.assignedMs + SLOW.marginMs, quiet, 1);
      await act(leadId, 'handoff');
      await settle(leadId, inWait);
      if (slow) await afterOldTimer(leadId, qualifiedAt + SLOW.marketQualifiedMs + SLOW.marginMs, quiet, 2);
      await act(leadId, 'convert');
      if (scenario === 'twoStepApproval') {
        await settle(leadId, entered('WaitForApproval'));
        await decideAll('maria', ['manager'], leadId);
        await settle(leadId, entered('WaitForApproval', 2));
        await decideAll('sam', ['salesops'], leadId);
      }
      const e = await settle(leadId, finished);
      const states = e.history.filter((h) => h.type === 'StateEntered' || h.type === 'StateRetried');
      const events = rt.bus.log.slice(eventsBefore).filter((ev) => JSON.stringify(ev.detail).includes(leadId));
      const deliveries = events.reduce(
        (sum, ev) => sum + EVENT_RULES.filter((rule) => matchesPattern(rule.pattern, ev as unknown as Json)).length,
        0,
      );
      return {
        leadId,
        status: e.status,
        path: states.map((h) => h.state ?? h.type),
        stateTransitions: states.length,
        lambdaInvocations:
          meter.httpRequests +
          states.filter((h) => h.type === 'StateEntered' && h.state && lambdaStates.has(h.state)).length +
          deliveries,
        httpRequests: meter.httpRequests,
        readUnits: round(meter.readUnits, 1),
        writeUnits: round(meter.writeUnits, 1),
        events: events.length,
        dynamoRequests: meter.requests,
        byCommand: meter.byCommand,
        writes: meter.writes,
      };
    } finally {
      meter.end();
    }
  };

  // Configuration for the scenarios: a short SLA only for the aging run, a two-step chain for big B2B deals.
  const stages = (await http('GET', '/config/stages', await salesops(), undefined, { counted: false })).value as Json;
  const results: Record<string, unknown> = {};
  await putConfig('approvals', {
    chains: [
      {
        name: 'bench two-step',
        when: { leadType: ['B2B'], minExpectedValue: 1_000_000 },
        steps: [
          { name: 'sales manager', group: 'manager', timeout: 'PT1H' },
          { name: 'sales ops', approver: 'sam', timeout: 'PT1H' },
        ],
        onReject: 'return-to-sales-qualified',
      },
    ],
  });
  for (const scenario of scale.workflowScenarios) {
    const assigned = stages.Assigned as Json;
    const slow = scenario === 'slowRep' || scenario === 'slowRepQuiet';
    await putConfig('stages', {
      ...stages,
      Assigned:
        scenario === 'agingEscalation'
          ? {
              ...assigned,
              sla: 'PT2S',
              escalation: { action: 'notify-manager', maxEscalations: 3, finalAct: 'park-manager-queue' },
            }
          : slow
            ? { ...assigned, sla: `PT${SLOW.assignedMs / 1000}S` }
            : assigned,
      ...(slow
        ? {
            MarketQualified: { ...(stages.MarketQualified as Json), sla: `PT${SLOW.marketQualifiedMs / 1000}S` },
            SalesQualified: { ...(stages.SalesQualified as Json), sla: 'PT2M' },
          }
        : {}),
      // Quiet actions only in the scenarios named so; the others run the default (every action wakes the execution).
      quietActions: scenario === 'happyPathQuiet' || scenario === 'slowRepQuiet',
    });
    await sleep(2_100); // the functions cache configuration for two seconds
    const runs: Awaited<ReturnType<typeof runScenario>>[] = [];
    try {
      for (let n = 0; n < scale.workflowLeads; n++) runs.push(await runScenario(scenario, n));
      const mean = (k: keyof LeadUsage) => round(runs.reduce((s, r) => s + Number(r[k] ?? 0), 0) / runs.length, 2);
      const usage: LeadUsage = {
        stateTransitions: mean('stateTransitions'),
        lambdaInvocations: mean('lambdaInvocations'),
        httpRequests: mean('httpRequests'),
        readUnits: mean('readUnits'),
        writeUnits: mean('writeUnits'),
        events: mean('events'),
      };
      results[scenario] = {
        leads: runs.length,
        status: runs.map((r) => r.status),
        path: runs[0]?.path,
        usage,
        dynamoRequests: runs[0]?.dynamoRequests,
        dynamoByCommand: runs[0]?.byCommand,
        dynamoWrites: runs[0]?.writes,
        cost: costPer1000Leads(usage),
      };
      console.log(
        `  ${scenario}: ${usage.stateTransitions} transitions, ${usage.lambdaInvocations} Lambda invocations, ${usage.readUnits} RRU / ${usage.writeUnits} WRU, ${usage.events} events → $${costPer1000Leads(usage).usdPer1000Leads} per 1,000 leads`,
      );
    } catch (error) {
      results[scenario] = { error: (error as Error).message };
      console.warn(`  ${scenario} failed: ${(error as Error).message}`);
    }
  }
  await putConfig('stages', stages);
  const happy = results.happyPath as { usage?: LeadUsage } | undefined;
  return {
    measured: true,
    scenarios: results,
    happyPathTransitions: happy?.usage?.stateTransitions,
    target: 12,
    meetsTarget: happy?.usage ? happy.usage.stateTransitions <= 12 : false,
    counting:
      'transitions = StateEntered + StateRetried in the local execution history; Lambda invocations = HTTP requests + lambda:invoke task states + bus deliveries to Lambda targets; DynamoDB units = ReturnConsumedCapacity (TOTAL, GSI writes included) from DynamoDB Local on every client in the process, transactions at least 2 units per item as AWS bills them',
  };
};
