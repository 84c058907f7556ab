import { ulid } from 'ulid';
import { readConfig } from '../core/config/config-document';
import { approvalsConfig } from '../core/lifecycle/approvals-config';
import type { LifecyclePorts } from '../core/lifecycle/ports';
import { nurtureConfig } from '../core/lifecycle/nurture';
import { routingConfig } from '../core/lifecycle/routing-config';
import { stagesConfig } from '../core/lifecycle/stages-config';
import { teamsConfig } from '../core/lifecycle/teams-config';
import { scoringConfig } from '../core/scoring/points-config';
import type { FunctionEnv } from '../env/function-env';
import { makeDocumentClient } from './aws-clients';
import { makeConfigRepository } from './config-repository';
import { makeConversion } from './conversion-repository';
import { makeLeadReader } from './lead-repository';
import { makeLeadWriter } from './lead-writer';
import { makeRoutingRepository } from './routing-repository';
import { makeScoringRepository } from './scoring-repository';
import { makeStepsRepository } from './steps-repository';
import { makeTasksRepository } from './tasks-repository';

/** The real adapters behind the lifecycle core, shared by the workflow steps and the action APIs. */
export const lifecyclePortsFromEnv = (env: FunctionEnv): LifecyclePorts => {
  const db = makeDocumentClient();
  const table = env.need('table:write').TABLE_NAME;
  // Cached per process for CONFIG_CACHE_MS (5 s): begin read four documents per lead and every wait one more. A
  // change saved through the config API applies to the next lead in the saving process and within 5 s elsewhere.
  const store = makeConfigRepository(db, table);
  const reader = makeLeadReader(db, table);
  const writer = makeLeadWriter(db, table);
  const models = makeScoringRepository(db, table);
  // The active learned model changes when training runs (daily at most): a minute's cache is plenty.
  let model: { value: Awaited<ReturnType<typeof models.active>>; at: number } | undefined;
  const activeModel = async () => {
    if (!model || Date.now() - model.at > 60_000) model = { value: await models.active(), at: Date.now() };
    return model.value;
  };
  return {
    leads: {
      get: (id) => reader.get(id),
      write: (before, patch, audit, options) => writer.write(before, patch, audit, options),
      setWaitToken: (id, token, execution) => writer.setWaitToken(id, token, execution),
      recordExecution: (id, execution) => writer.recordExecution(id, execution),
      releaseToken: (id, token) => writer.releaseToken(id, token),
    },
    config: {
      routing: () => readConfig(store, routingConfig),
      teams: async () => (await readConfig(store, teamsConfig)).value,
      stages: async () => (await readConfig(store, stagesConfig)).value,
      approvals: async () => (await readConfig(store, approvalsConfig)).value,
      nurture: async () => (await readConfig(store, nurtureConfig)).value,
      scoring: async () => ({ config: await readConfig(store, scoringConfig), model: (await activeModel()) ?? null }),
    },
    counters: makeRoutingRepository(db, table),
    tasks: makeTasksRepository(db, table),
    steps: makeStepsRepository(db, table),
    conversion: makeConversion(db, table, store),
    clock: { now: () => new Date() },
    busName: env.house.EVENT_BUS_NAME,
  };
};

export const newId = () => ulid();
