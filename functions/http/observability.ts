import { Logger } from '@aws-lambda-powertools/logger';

/** Built once per process. PII (emails, phones, names) is never logged; ids and codes are. */
export const logger = new Logger({ serviceName: 'leadflow', logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO' });
