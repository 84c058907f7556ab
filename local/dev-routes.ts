import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDocumentClient } from '../functions/adapters/aws-clients';
import { localBlobSecret } from '../functions/adapters/attachments-local';
import { readOutbox } from '../functions/adapters/outbox-repository';
import { makeBlobRoute } from './blob-store';
import { signDevToken } from './dev-jwt';
import type { LocalEventBus } from './event-bus';
import { sendJson } from './http-edge';
import type { LocalWorkflowEngine } from './workflow-engine';

export type DevRoutesParts = {
  tableName: string;
  dynamodbEndpoint: string;
  stateMachineArn: string;
  dataDir?: string;
  blobDir: string;
  dynamodb: DynamoDBClient;
  engine: LocalWorkflowEngine;
  bus: LocalEventBus;
};

/**
 * What only the local runtime has: `/health`, and under `/_local/` its info, the bus log and DLQ,
 * development tokens, executions, the notification outbox and the object store behind attachment URLs.
 */
export const makeDevRoutes = (parts: DevRoutesParts) => {
  const { tableName, engine, bus } = parts;
  const outbox = makeDocumentClient(parts.dynamodb);
  const blobs = makeBlobRoute(parts.blobDir, localBlobSecret());
  const stateMachines = () => engine.stateMachines().map((m) => m.name);

  /** Serves the request if it is one of these routes; false otherwise. */
  return async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean> => {
    const path = url.pathname;
    const get = req.method === 'GET';
    if (path === '/health' && get)
      sendJson(res, 200, {
        status: 'ok',
        mode: 'local',
        tableName,
        stateMachines: stateMachines(),
        workflow: engine.stats(),
        bus: { inFlight: bus.pending },
      });
    else if (path === '/_local/info' && get)
      sendJson(res, 200, {
        tableName,
        dynamodbEndpoint: parts.dynamodbEndpoint,
        stateMachineArn: parts.stateMachineArn,
        dataDir: parts.dataDir ?? null,
      });
    else if (path === '/_local/events' && get) {
      const type = url.searchParams.get('detail-type');
      sendJson(res, 200, type ? bus.log.filter((e) => e['detail-type'] === type) : bus.log);
    } else if (path === '/_local/dlq' && get) sendJson(res, 200, bus.deadLetters);
    else if (path === '/_local/token' && req.method === 'POST') {
      const { user, groups } = JSON.parse(body.toString('utf8') || '{}') as { user?: string; groups?: string[] };
      if (!user) sendJson(res, 422, { detail: 'user is required' });
      else sendJson(res, 200, { token: await signDevToken({ user, groups: groups ?? ['rep'] }) });
    } else if (path.startsWith('/_local/executions/') && get) {
      const name = decodeURIComponent(path.slice('/_local/executions/'.length));
      const found = [...engine.executions.values()].filter((e) => e.name === name || e.name.startsWith(`${name}--`));
      if (found.length === 0) sendJson(res, 404, { detail: `no execution named ${name}` });
      else
        sendJson(
          res,
          200,
          found.map(({ abort: _abort, ...rest }) => rest),
        );
    } else if (path === '/_local/outbox' && get)
      sendJson(res, 200, await readOutbox(outbox, tableName, { user: url.searchParams.get('user') ?? undefined }));
    else if (path.startsWith('/_local/blobs/')) await blobs(req, res, body);
    else return false;
    return true;
  };
};
