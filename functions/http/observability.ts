import { Logger } from '@aws-lambda-powertools/logger';
import { houseEnv, tracingActive } from '../env/function-env';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE } from '../core/metric-facts';

/**
 * Built once per process and imported by every function (Powertools' own habit). The service name
 * (`POWERTOOLS_SERVICE_NAME`, one per function) and whether tracing runs (`POWERTOOLS_TRACE_ENABLED`;
 * off anywhere but Lambda) are read by Powertools itself from the environment that the stack
 * (lib/leadflow-function.ts) or the local runtime sets.
 */

/** PII (emails, phones, names) is never logged; ids and codes are. */
export const logger = new Logger({ logLevel: houseEnv().LOG_LEVEL ?? 'INFO' });

/**
 * Most application metrics leave as single metrics (each fact has its own dimensions, see
 * adapters/emf-metrics.ts), so the buffer `logMetrics` flushes after a request is often empty by
 * design. Powertools warns on every such flush; that one notice is demoted to debug, the rest kept.
 */
const EMPTY_FLUSH = 'No application metrics to publish';
const metricsLogger = {
  debug: (...args: unknown[]) => logger.debug(String(args[0])),
  info: (...args: unknown[]) => logger.info(String(args[0])),
  warn: (...args: unknown[]) =>
    String(args[0]).startsWith(EMPTY_FLUSH) ? logger.debug(String(args[0])) : logger.warn(String(args[0])),
  error: (...args: unknown[]) => logger.error(String(args[0])),
};

/**
 * CloudWatch embedded metric format (EMF) lines on stdout; CloudWatch Logs turns them into metrics.
 * The namespace is the constant the stack also sets as POWERTOOLS_METRICS_NAMESPACE, named here too
 * so a handler run outside Lambda (tests) never falls back to Powertools' `default_namespace`.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, logger: metricsLogger });

/**
 * X-Ray: the invocation as one `## handler` subsegment of the function's active tracing, with the
 * ColdStart annotation. Loaded only where it traces: the Tracer pulls in the X-Ray SDK (cls-hooked,
 * its plugins): 15–25 ms of CPU at each cold start of a whole function, measured, for a tracer that does nothing with tracing
 * off (the local runtime, tests, a deployment with `POWERTOOLS_TRACE_ENABLED=false`).
 */
export const tracer: Tracer | undefined = tracingActive()
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer()
  : undefined;
