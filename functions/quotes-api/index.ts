import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeQuoteCustomers } from '../adapters/conversion-repository';
import { makeCrmRepository } from '../adapters/crm-repository';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeLeadWriter } from '../adapters/lead-writer';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import {
  makeLocalQuoteDocuments,
  makeOutboxQuoteMail,
  makeS3QuoteDocuments,
  makeSesQuoteMail,
} from '../adapters/quote-documents';
import { makeQuoteTimers } from '../adapters/quote-timers';
import { makeQuotesRepository } from '../adapters/quotes-repository';
import { makeTasksRepository } from '../adapters/tasks-repository';
import { makeSfnClient, makeWorkflowCallback } from '../adapters/workflow-client';
import { readConfig } from '../core/config/config-document';
import { approvalsConfig } from '../core/lifecycle/approvals-config';
import { quoteCatalogKind } from '../core/quotes/catalog';
import { makeConversionOnAccept } from '../core/quotes/convert-on-accept';
import { functionEnv } from '../env/function-env';
import { httpHandler } from '../http/middleware';
import { makeQuotesApi } from './handler';

const env = functionEnv('quotesApi');
const table = env.need('table:write').TABLE_NAME;
const db = makeDocumentClient();
const config = makeConfigRepository(db, table);
const sfn = makeSfnClient();
const publisher = makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME);

/** Locally (BLOB_DIR) PDFs go to the runtime's blob store and mail to the outbox; on AWS to S3 and SES. */
const documents = env.local.BLOB_DIR
  ? makeLocalQuoteDocuments(env.local.BLOB_DIR, env.local.PUBLIC_URL ?? 'http://127.0.0.1:3000')
  : makeS3QuoteDocuments(env.need('attachments').ATTACHMENTS_BUCKET ?? '');
const mail =
  env.local.NOTIFY_MODE === 'outbox'
    ? makeOutboxQuoteMail(db, table)
    : makeSesQuoteMail(db, table, env.need('email').NOTIFY_FROM ?? 'leadflow@example.com');

const lifecycle = { ...lifecyclePortsFromEnv(env), callback: makeWorkflowCallback(sfn), publisher };

export const handler = httpHandler(
  makeQuotesApi({
    quotes: makeQuotesRepository(db, table),
    crm: makeCrmRepository(db, table),
    customers: makeQuoteCustomers(db, table),
    catalog: async () => (await readConfig(config, quoteCatalogKind)).value,
    approvals: async () => (await readConfig(config, approvalsConfig)).value,
    tasks: makeTasksRepository(db, table),
    documents,
    mail,
    timers: makeQuoteTimers(sfn, env.need('quotes:timer').QUOTE_TIMER_STATE_MACHINE_ARN),
    publisher,
    clock: { now: () => new Date() },
    conversion: makeConversionOnAccept(lifecycle, makeLeadWriter(db, table)),
  }),
);
