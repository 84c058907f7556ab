import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeScoringRepository } from '../adapters/scoring-repository';
import { httpHandler } from '../http/middleware';
import { makeScoringApi } from './handler';

const db = makeDocumentClient();
export const handler = httpHandler(makeScoringApi({ models: makeScoringRepository(db, tableName()), config: makeConfigRepository(db, tableName()) }));
