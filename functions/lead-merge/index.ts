import { makeDocumentClient } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeMergeRepository } from '../adapters/merge-repository';
import { makeScoringRepository } from '../adapters/scoring-repository';
import { readConfig } from '../core/config/config-document';
import { scoringConfig } from '../core/scoring/points-config';
import { makeMergeWorkflow, makeSfnClient } from '../adapters/workflow-client';
import { functionEnv } from '../env/function-env';
import { httpHandler } from '../http/middleware';
import { makeLeadMergeApi } from './handler';

const env = functionEnv('leadMerge');
const table = env.need('table:write').TABLE_NAME;

const db = makeDocumentClient();
const configs = makeConfigRepository(db, table, { cacheMs: 0 });
const models = makeScoringRepository(db, table);

export const handler = httpHandler(
  makeLeadMergeApi({
    merges: makeMergeRepository(db, table),
    // The survivor is scored again after a merge or an undo, as an edit would be.
    scoring: async () => ({ config: await readConfig(configs, scoringConfig), model: (await models.active()) ?? null }),
    workflow: makeMergeWorkflow(makeSfnClient(), env.need('workflow:start').STATE_MACHINE_ARN),
    publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock: { now: () => new Date() },
    undoDays: env.settings('leadMerge').MERGE_UNDO_DAYS,
  }),
);
