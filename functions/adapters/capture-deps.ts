import { ulid } from 'ulid';
import type { CaptureDeps } from '../core/capture-lead';
import type { FunctionEnv } from '../env/function-env';
import { metrics } from '../http/observability';
import { makeDocumentClient } from './aws-clients';
import { makeCaptureRepository } from './capture-repository';
import { makeEmfMetrics } from './emf-metrics';
import { makeSfnClient, makeWorkflowStarter } from './workflow-client';

/** The real adapters behind the capture core, as every capture function wires them (its needs: table and workflow:start). */
export const captureDepsFromEnv = (env: FunctionEnv): CaptureDeps => ({
  store: makeCaptureRepository(makeDocumentClient(), env.need('table:write').TABLE_NAME),
  workflow: makeWorkflowStarter(makeSfnClient(), env.need('workflow:start').STATE_MACHINE_ARN),
  clock: { now: () => new Date() },
  ids: { next: () => ulid() },
  metrics: makeEmfMetrics(metrics),
});
