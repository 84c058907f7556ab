import { ulid } from 'ulid';
import type { CaptureDeps } from '../core/capture-lead';
import { metrics } from '../http/observability';
import { makeDocumentClient, tableName } from './aws-clients';
import { makeCaptureRepository } from './capture-repository';
import { makeEmfMetrics } from './emf-metrics';
import { makeSfnClient, makeWorkflowStarter } from './workflow-client';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

/** The real adapters behind the capture core, as every capture function wires them. */
export const captureDepsFromEnv = (): CaptureDeps => ({
  store: makeCaptureRepository(makeDocumentClient(), tableName()),
  workflow: makeWorkflowStarter(makeSfnClient(), required('STATE_MACHINE_ARN')),
  clock: { now: () => new Date() },
  ids: { next: () => ulid() },
  metrics: makeEmfMetrics(metrics),
});
