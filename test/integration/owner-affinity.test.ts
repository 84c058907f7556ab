import { describe, expect, it } from '@jest/globals';
import { makeDocumentClient } from '../../functions/adapters/aws-clients';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeRoutingRepository } from '../../functions/adapters/routing-repository';
import { makeTasksRepository } from '../../functions/adapters/tasks-repository';
import { captureLead } from '../../functions/core/capture-lead';
import { readConfig } from '../../functions/core/config/config-document';
import { approvalsConfig } from '../../functions/core/lifecycle/approvals-config';
import { routingConfig } from '../../functions/core/lifecycle/routing-config';
import { stagesConfig } from '../../functions/core/lifecycle/stages-config';
import { teamsConfig } from '../../functions/core/lifecycle/teams-config';
import { makeWorkflowSteps } from '../../functions/core/lifecycle/workflow-steps';
import { scoringConfig } from '../../functions/core/scoring/points-config';
import { freshTable } from '../support/table';

/** The real begin step (score, route, assign) on DynamoDB Local with the default routing: round-robin over alice, bob, carol. */
const setup = async () => {
  const table = await freshTable('affinity');
  const config = makeConfigRepository(table.db, table.name, { cacheMs: 0 });
  const reader = makeLeadReader(table.db, table.name);
  const writer = makeLeadWriter(table.db, table.name);
  const steps = makeWorkflowSteps({
    leads: {
      get: (id) => reader.get(id),
      write: (b, p, a, o) => writer.write(b, p, a, o),
      setWaitToken: (id, t) => writer.setWaitToken(id, t),
    },
    config: {
      routing: () => readConfig(config, routingConfig),
      teams: async () => (await readConfig(config, teamsConfig)).value,
      stages: async () => (await readConfig(config, stagesConfig)).value,
      approvals: async () => (await readConfig(config, approvalsConfig)).value,
      scoring: async () => ({ config: await readConfig(config, scoringConfig), model: null }),
    },
    counters: makeRoutingRepository(table.db, table.name),
    tasks: makeTasksRepository(table.db, table.name),
    conversion: makeConversion(makeDocumentClient(table.client), table.name, config),
    clock: { now: () => new Date() },
    busName: 'leadflow',
  });
  let n = 0;
  const capture = async (payload: unknown) => {
    const answer = await captureLead(
      {
        store: makeCaptureRepository(table.db, table.name),
        workflow: { startLifecycle: async () => undefined },
        clock: { now: () => new Date() },
        ids: { next: () => `LEAD${String(++n).padStart(3, '0')}` },
      },
      {
        payload,
        channel: 'API',
        source: { id: 'manual', kind: 'api', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
        deliveryId: `d${n}`,
        actor: { kind: 'user', id: 't', source: 'API' },
      },
    );
    await steps.begin(answer.leadId);
    const lead = await reader.get(answer.leadId);
    if (!lead) throw new Error('not stored');
    return lead;
  };
  return { capture, audit: (id: string) => reader.audit(id) };
};

describe('owner affinity (DynamoDB Local)', () => {
  it('a second Dana Reyes goes to the first one’s owner, not to the next rep in the round-robin, and says why', async () => {
    const { capture, audit } = await setup();
    const first = await capture({ firstName: 'Dana', lastName: 'Reyes', email: 'dana@reyes-logistics.example' });
    const other = await capture({ firstName: 'Ann', lastName: 'Other', email: 'ann@other.example' });
    expect(other.owner).not.toBe(first.owner);
    const second = await capture({
      firstName: 'Dana',
      lastName: 'Reyes',
      company: 'Reyes Logistics LLC',
      phone: '+1 415 555 0100',
    });
    expect(second.duplicates.map((d) => d.id)).toEqual([first.id]);
    expect(second.owner).toBe(first.owner);
    expect(second.assignment?.explanation).toMatch(
      new RegExp(
        `^owner affinity: similar \\(\\d+% on name, company, email\\) as lead ${first.id} \\(Assigned\\) owned by ${first.owner}`,
      ),
    );
    expect((await audit(second.id)).find((a) => a.action === 'assigned')?.why).toBe(second.assignment?.explanation);
    // The same email is the same person: affinity too.
    const third = await capture({ email: 'Dana@Reyes-Logistics.example' });
    expect(third.owner).toBe(first.owner);
    expect(third.assignment?.explanation).toContain('same email');
  });
});
