import { describe, expect, it } from '@jest/globals';
import fixture from '../fixtures/lex-v2-fulfillment.json';
import { eventually, useTestRuntime } from '../support/runtime';

const { rt, api } = useTestRuntime();

/** What Lex does with a code hook: a Lambda Invoke of the function, here on the local runtime. */
const invokeAsLex = async (event: unknown, fn = 'captureChatbot') => {
  const res = await fetch(`${rt.url}/2015-03-31/functions/${fn}/invocations`, {
    method: 'POST',
    body: JSON.stringify(event),
  });
  return {
    status: res.status,
    functionError: res.headers.get('x-amz-function-error'),
    body: (await res.json()) as Record<string, unknown>,
  };
};

const conversation = (
  sessionId: string,
  overrides: { source?: 'DialogCodeHook' | 'FulfillmentCodeHook'; email?: string } = {},
) => {
  const event = structuredClone(fixture) as typeof fixture & {
    sessionState: { intent: { slots: Record<string, unknown> } };
  };
  event.sessionId = sessionId;
  event.invocationSource = overrides.source ?? 'FulfillmentCodeHook';
  if (overrides.email)
    event.sessionState.intent.slots.Email = {
      shape: 'Scalar',
      value: { originalValue: overrides.email, interpretedValue: overrides.email, resolvedValues: [] },
    };
  return event;
};

describe('leads captured by an Amazon Lex V2 chatbot', () => {
  it('asks again for an e-mail address that is not one, without echoing it', async () => {
    const answer = await invokeAsLex(
      conversation('session-bad-email', { source: 'DialogCodeHook', email: 'dana at northwind' }),
    );
    expect(answer.status).toBe(200);
    expect(answer.functionError).toBeNull();
    expect(answer.body).toMatchObject({
      sessionState: {
        dialogAction: { type: 'ElicitSlot', slotToElicit: 'Email' },
        intent: { name: 'RequestDemo', state: 'InProgress' },
      },
    });
    expect(JSON.stringify(answer.body)).not.toContain('dana at northwind');
  });

  it('lets the bot go on when every slot so far is valid, keeping the conversation in the session', async () => {
    const answer = await invokeAsLex(conversation('session-ok', { source: 'DialogCodeHook' }));
    expect(answer.body).toMatchObject({ sessionState: { dialogAction: { type: 'Delegate' } } });
    expect(JSON.stringify(answer.body)).toContain('leadflowTranscript');
  });

  it('creates the lead once per conversation, however often Lex re-sends the fulfillment, with the transcript on its feed', async () => {
    const first = await invokeAsLex(conversation('session-42'));
    const again = await invokeAsLex(conversation('session-42'));
    expect(first.body).toMatchObject({
      sessionState: { dialogAction: { type: 'Close' }, intent: { name: 'RequestDemo', state: 'Fulfilled' } },
    });
    expect(again.body).toEqual(first.body);

    const leadId = String(
      (first.body as { sessionState: { sessionAttributes: Record<string, string> } }).sessionState.sessionAttributes
        .leadflowLeadId,
    );
    await eventually(async () => (await api.events('LeadCreated')).some((e) => e.detail.leadId === leadId));
    await rt.bus.drain();
    const created = (await api.events('LeadCreated')).filter((e) => e.detail.channel === 'CHATBOT');
    expect(created.map((e) => e.detail.leadId)).toEqual([leadId]);
    const lead = await api.request<{ channel: string; sourceId: string; email: string; productInterest: string }>(
      'GET',
      `/leads/${leadId}`,
      { as: ['maria', 'manager'] },
    );
    expect(lead.body).toMatchObject({
      channel: 'CHATBOT',
      sourceId: 'website-chatbot',
      email: 'dana@northwind.example',
      productInterest: 'Analytics',
    });
    const feed = await api.request<{ items: { kind: string; note?: { text: string } }[] }>(
      'GET',
      `/leads/${leadId}/feed`,
      { as: ['maria', 'manager'] },
    );
    const notes = feed.body.items.filter((i) => i.note);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.note?.text).toContain("I'd like a demo");
    expect(notes[0]?.note?.text).toContain('yes please');
  });

  it('answers an unknown function as Lambda does, and a bot it does not know as a function error', async () => {
    expect((await invokeAsLex(conversation('s'), 'nobody')).status).toBe(404);
    const stranger = conversation('s');
    stranger.bot.id = 'SOMEOTHERB';
    const answer = await invokeAsLex(stranger);
    expect(answer.functionError).toBe('Unhandled');
    expect(answer.body).toMatchObject({ errorType: 'NotFoundError' });
  });
});
