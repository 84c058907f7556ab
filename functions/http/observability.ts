import { Logger } from '@aws-lambda-powertools/logger';
import { houseEnv } from '../env/function-env';

/** Built once per process. PII (emails, phones, names) is never logged; ids and codes are. */
export const logger = new Logger({ serviceName: 'leadflow', logLevel: houseEnv().LOG_LEVEL ?? 'INFO' });
