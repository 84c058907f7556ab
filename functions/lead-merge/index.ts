import { makeDocumentClient } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeMergeRepository } from '../adapters/merge-repository';
import { makeMergeWorkflow, makeSfnClient } from '../adapters/workflow-client';
import { functionEnv } from '../env/function-env';
import { httpHandler } from '../http/middleware';
import { makeLeadMergeApi } from './handler';

const env = functionEnv('leadMerge');
const table = env.need('table:write').TABLE_NAME;

export const handler = httpHandler(
  makeLeadMergeApi({
    merges: makeMergeRepository(makeDocumentClient(), table),
    workflow: makeMergeWorkflow(makeSfnClient(), env.need('workflow:start').STATE_MACHINE_ARN),
    publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock: { now: () => new Date() },
    undoDays: env.settings('leadMerge').MERGE_UNDO_DAYS,
  }),
);
