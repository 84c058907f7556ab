import { ulid } from 'ulid';
import type { CaptureDeps } from '../core/capture-lead';
import type { EventPublisher } from '../core/ports';
import { wakeNurturedMatches } from '../core/scoring/activities';
import { activityPorts } from './activities-repository';
import type { FunctionEnv } from '../env/function-env';
import { metrics } from '../http/observability';
import { makeDocumentClient } from './aws-clients';
import { makeCaptureRepository } from './capture-repository';
import { makeDueRepository } from './due-repository';
import { makeEmfMetrics } from './emf-metrics';
import { makeEventBridgeClient, makeEventPublisher } from './event-publisher';
import { lifecyclePortsFromEnv } from './lifecycle-ports';
import { makeSearchIndexer } from './search-indexer';
import { makeExecutionStarter, makeSfnClient, makeWorkflowStarter } from './workflow-client';

/** The real adapters behind the capture core, as every capture function wires them (its needs: table and workflow:start). */
export const captureDepsFromEnv = (env: FunctionEnv): CaptureDeps => {
  const db = makeDocumentClient();
  const table = env.need('table:write').TABLE_NAME;
  const due = makeDueRepository(db, table);
  const indexer = makeSearchIndexer(db, table);
  return {
    store: makeCaptureRepository(db, table),
    // A start refused by the open-execution limit is parked on the lead; the due sweep starts it later.
    // Its search items are written now (a started lead gets them from its first lifecycle write, within a
    // second; a parked one could wait for hours): only this rare path pays for them during capture.
    workflow: makeWorkflowStarter(
      makeExecutionStarter(makeSfnClient(), env.need('workflow:start').STATE_MACHINE_ARN),
      async (leadId, execution) => {
        await due.parkStart(leadId, execution, new Date());
        await indexer.index(leadId);
      },
    ),
    clock: { now: () => new Date() },
    ids: { next: () => ulid() },
    metrics: makeEmfMetrics(metrics),
  };
};

/**
 * Capture deps that also wake nurtured leads the capture hits (an inbound webhook, chatbot or import
 * row from someone in nurture is new activity on their lead); for functions that may publish (bus:put).
 */
export const captureDepsWithWake = (
  env: FunctionEnv,
  publisher: EventPublisher = makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
): CaptureDeps => {
  const base = captureDepsFromEnv(env);
  const activities = activityPorts(makeDocumentClient(), env.need('table:write').TABLE_NAME, {
    config: lifecyclePortsFromEnv(env).config,
    publisher,
    clock: base.clock,
  });
  return { ...base, wakeNurtured: (request) => wakeNurturedMatches(activities, request) };
};
