import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { keys } from '../../functions/adapters/keys';
import { leadFromItem } from '../../functions/adapters/lead-item';
import { makeFormHandler } from '../../functions/capture-form/handler';
import { makeWebhookHandler } from '../../functions/capture-webhook/handler';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { freshTable } from '../support/table';

/**
 * The standing contention suite: a burst of deliveries of ONE person (same email and phone, distinct
 * webhook-ids) through the capture handlers on DynamoDB Local, under each duplicate policy. DynamoDB
 * Local serialises transactions, so the burst races on conditional checks (not TransactionConflict).
 */
const BURST = 50;
/** A lost round costs one transaction, so a burst of N costs about N²/2 of them: seconds on an idle machine, minutes on a loaded one. The outcome, not the time, is under test. */
const BURST_TIMEOUT_MS = 600_000;
const context = {} as Context;
const SECRET = `whsec_${Buffer.from('a-secret-of-thirty-two-bytes-!!!').toString('base64')}`;
const webhookSource = (id: string, duplicatePolicy: SourceConfig['duplicatePolicy']): SourceConfig => ({
  id,
  kind: 'webhook',
  adapter: 'canonical',
  duplicatePolicy,
  allowedOrigins: [],
  // The burst sends one body many times on purpose, to race the keys; the same-body window has its own tests.
  sameBodyWindowSeconds: 0,
});
const SOURCES: SourceConfig[] = [
  webhookSource('burst-create', 'create'),
  webhookSource('burst-reject', 'reject'),
  webhookSource('burst-associate', 'associate'),
  {
    id: 'burst-form',
    kind: 'form',
    adapter: 'canonical',
    duplicatePolicy: 'create',
    allowedOrigins: [],
    sameBodyWindowSeconds: 0,
  },
];

type Answer = { statusCode: number; headers?: Record<string, string>; body: string };
type Capture = {
  leadId: string;
  status: 'created' | 'duplicate';
  duplicates: { kind: string; id: string; matchedOn: string }[];
};
type HttpEventHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<Answer>;

const httpEvent = (
  routeKey: string,
  path: string,
  pathParameters: Record<string, string>,
  headers: Record<string, string>,
  body: string,
) =>
  ({
    version: '2.0',
    routeKey,
    rawPath: path,
    headers,
    pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      routeKey,
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    },
  }) as unknown as APIGatewayProxyEventV2;

const setup = async () => {
  const table = await freshTable('contention');
  const started: string[] = [];
  let n = 0;
  const capture = {
    store: makeCaptureRepository(table.db, table.name),
    workflow: { startLifecycle: async (leadId: string) => void started.push(leadId) },
    clock: { now: () => new Date() },
    ids: { next: () => `L${String(++n).padStart(4, '0')}` },
  };
  const webhook = httpHandler(
    makeWebhookHandler({ capture, sources: () => SOURCES, secrets: { secretsFor: async () => ({ current: SECRET }) } }),
  ) as unknown as HttpEventHandler;
  const form = httpHandler(makeFormHandler({ capture, sources: () => SOURCES })) as unknown as HttpEventHandler;

  const deliver = (sourceId: string, payload: unknown, id: string) => {
    const body = JSON.stringify(payload);
    const at = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign(id, at, body),
    };
    return webhook(
      httpEvent('POST /webhooks/{sourceId}', `/webhooks/${sourceId}`, { sourceId }, headers, body),
      context,
    );
  };
  const submit = (formId: string, payload: unknown, id: string) =>
    form(
      httpEvent(
        'POST /forms/{formId}',
        `/forms/${formId}`,
        { formId },
        { 'content-type': 'application/json', 'idempotency-key': id },
        JSON.stringify(payload),
      ),
      context,
    );

  const storedLead = async (leadId: string) => {
    const out = await table.db.send(
      new GetCommand({ TableName: table.name, Key: keys.lead(leadId), ConsistentRead: true }),
    );
    return out.Item ? leadFromItem(out.Item) : undefined;
  };
  const leadsHolding = async (key: { on: 'email' | 'phone' | 'domain'; value: string }) => {
    const out = await table.db.send(
      new GetCommand({ TableName: table.name, Key: keys.dedupe(key), ConsistentRead: true }),
    );
    return [...((out.Item?.leadIds as Set<string> | undefined) ?? [])].sort();
  };
  return { table, started, deliver, submit, storedLead, leadsHolding };
};

const burst = (send: (i: number) => Promise<Answer>) => Promise.all(Array.from({ length: BURST }, (_, i) => send(i)));
/** Status codes with how often each came, e.g. { 202: 36, 500: 14 }. */
const statusesOf = (answers: Answer[]) => {
  const tally: Record<number, number> = {};
  for (const a of answers) tally[a.statusCode] = (tally[a.statusCode] ?? 0) + 1;
  return tally;
};
const bodiesOf = (answers: Answer[]) => answers.map((a) => JSON.parse(a.body) as Capture);
const earlierLeads = (capture: { duplicates: { kind: string; id: string }[] }, except: string[] = []) =>
  [...new Set(capture.duplicates.filter((d) => d.kind === 'lead' && !except.includes(d.id)).map((d) => d.id))].sort();

/**
 * "Each lead lists the ones stored before it": ordered by how many earlier leads they list, the k-th
 * lead lists exactly the k−1 leads before it, so no two leads of the burst ever missed each other.
 */
const expectChain = (
  captures: { leadId: string; duplicates: { kind: string; id: string }[] }[],
  except: string[] = [],
) => {
  const ordered = [...captures].sort((a, b) => earlierLeads(a, except).length - earlierLeads(b, except).length);
  ordered.forEach((capture, k) => {
    expect(earlierLeads(capture, except)).toEqual(
      ordered
        .slice(0, k)
        .map((c) => c.leadId)
        .sort(),
    );
  });
};

describe(`${BURST} concurrent deliveries of the same person`, () => {
  const person = (tag: string) => ({
    email: `Burst.${tag}@Contend.example`,
    phone: '+49 30 1234567',
    firstName: 'Ann',
  });

  it(
    'under the create policy: every delivery gets 202 and a lead of its own listing every lead stored before it',
    async () => {
      const { deliver, started, storedLead, leadsHolding } = await setup();

      const answers = await burst((i) => deliver('burst-create', person('create'), `msg_create_${i}`));

      expect(statusesOf(answers)).toEqual({ 202: BURST });
      const captures = bodiesOf(answers);
      expect(captures.every((c) => c.status === 'created')).toBe(true);
      expect(new Set(captures.map((c) => c.leadId)).size).toBe(BURST);
      expectChain(captures);
      // What the answer says is what the lead holds, and the lookup item knows every lead.
      const stored = await Promise.all(captures.map((c) => storedLead(c.leadId)));
      expect(stored.map((l) => l && earlierLeads(l))).toEqual(captures.map((c) => earlierLeads(c)));
      expect(await leadsHolding({ on: 'email', value: 'burst.create@contend.example' })).toEqual(
        captures.map((c) => c.leadId).sort(),
      );
      expect(new Set(started)).toEqual(new Set(captures.map((c) => c.leadId)));
    },
    BURST_TIMEOUT_MS,
  );

  it(
    'under the reject policy: exactly one lead, and every other delivery answered 202 duplicate of it',
    async () => {
      const { deliver, started, leadsHolding } = await setup();

      const answers = await burst((i) => deliver('burst-reject', person('reject'), `msg_reject_${i}`));

      expect(statusesOf(answers)).toEqual({ 202: BURST });
      const captures = bodiesOf(answers);
      const created = captures.filter((c) => c.status === 'created');
      expect(created).toHaveLength(1);
      const winner = created[0]?.leadId ?? '';
      expect(captures.filter((c) => c.status === 'duplicate' && c.leadId === winner)).toHaveLength(BURST - 1);
      expect(await leadsHolding({ on: 'email', value: 'burst.reject@contend.example' })).toEqual([winner]);
      expect(started).toEqual([winner]);
    },
    BURST_TIMEOUT_MS,
  );

  it(
    'under the associate policy: every delivery gets 202 and a lead linked to the one existing contact and account',
    async () => {
      const { table, deliver, storedLead } = await setup();
      // The person is already a customer: a converted lead left a contact and an account on the key items.
      const first = JSON.parse((await deliver('burst-create', person('associate'), 'msg_customer')).body) as Capture;
      await table.db.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keys.lead(first.leadId),
          UpdateExpression: 'SET #stage = :s, #owner = :o',
          ExpressionAttributeNames: { '#stage': 'stage', '#owner': 'owner' },
          ExpressionAttributeValues: { ':s': 'SalesQualified', ':o': 'bob' },
        }),
      );
      const customer = await makeConversion(table.db, table.name).convert({
        leadId: first.leadId,
        actor: { kind: 'user', id: 'bob', source: 'API' },
        at: new Date().toISOString(),
      });

      const answers = await burst((i) => deliver('burst-associate', person('associate'), `msg_associate_${i}`));

      expect(statusesOf(answers)).toEqual({ 202: BURST });
      const captures = bodiesOf(answers);
      expect(captures.every((c) => c.status === 'created')).toBe(true);
      expect(new Set(captures.map((c) => c.leadId)).size).toBe(BURST);
      const stored = await Promise.all(captures.map((c) => storedLead(c.leadId)));
      expect(new Set(stored.map((l) => l?.associatedContactId))).toEqual(new Set([customer.contactId]));
      expect(new Set(stored.map((l) => l?.associatedAccountId))).toEqual(new Set([customer.accountId]));
      for (const c of captures) expect(earlierLeads(c)).toContain(first.leadId);
      expectChain(captures, [first.leadId]);
    },
    BURST_TIMEOUT_MS,
  );

  it(
    'through the public form under the create policy: every submission gets 202 and the same chain of earlier leads',
    async () => {
      const { submit } = await setup();

      const answers = await burst((i) => submit('burst-form', person('form'), `form-${i}`));

      expect(statusesOf(answers)).toEqual({ 202: BURST });
      const captures = bodiesOf(answers);
      expect(new Set(captures.map((c) => c.leadId)).size).toBe(BURST);
      expectChain(captures);
    },
    BURST_TIMEOUT_MS,
  );
});
