import { describe, expect, it } from '@jest/globals';
import { makeOutboxNotifier, makePreferencesRepository, readOutbox } from '../../functions/adapters/outbox-repository';
import { makeEvent } from '../../functions/core/events';
import type { Notifier } from '../../functions/core/notifications/notify';
import { makeNotificationsHandler } from '../../functions/notifications/handler';
import { freshTable } from '../support/table';

const lead = {
  id: 'L1',
  stage: 'Assigned',
  leadType: 'B2B',
  channel: 'WEBHOOK',
  sourceId: 'x',
  owner: 'bob',
  team: 'dach',
  createdAt: '2026-11-23T10:00:00.000Z',
  stageEnteredAt: '2026-11-23T10:00:00.000Z',
  followers: ['carol', 'dave'],
};

const envelope = (type: Parameters<typeof makeEvent>[0], fields: Record<string, unknown> = {}, id = `e-${type}`) => {
  const event = makeEvent(type, id, '2026-11-23T11:00:00.000Z', { leadId: 'L1', lead, ...fields });
  return {
    version: '0',
    id: 'bus-1',
    'detail-type': type,
    source: 'leadflow',
    account: '0',
    time: event.detail.occurredAt,
    region: 'local',
    resources: [],
    detail: event.detail,
  };
};

const setup = async (notifier?: (outbox: Notifier) => Notifier) => {
  const table = await freshTable('notify');
  const prefs = makePreferencesRepository(table.db, table.name);
  const outbox = makeOutboxNotifier(table.db, table.name);
  const handler = makeNotificationsHandler({
    preferences: (user) => prefs.get(user),
    managerOf: async ({ team }) => (team === 'dach' ? 'maria' : undefined),
    notifier: notifier ? notifier(outbox) : outbox,
  });
  return { handler, prefs, outbox: (user?: string) => readOutbox(table.db, table.name, { user }) };
};

describe('notifications consumer with the outbox on DynamoDB Local', () => {
  it('tells the owner and every follower about an assignment', async () => {
    const { handler, outbox } = await setup();
    await handler(envelope('LeadAssigned', { owner: 'bob' }) as never);
    const messages = await outbox();
    expect(messages.map((m) => [m.to, m.reason]).sort()).toEqual([
      ['bob', 'owner'],
      ['carol', 'follower'],
      ['dave', 'follower'],
    ]);
    expect(messages[0]).toMatchObject({
      detailType: 'LeadAssigned',
      template: 'leadflow-LeadAssigned',
      subject: 'Lead L1 assigned to bob',
    });
  });

  it('tells the team manager about an escalation and the approvers about a request', async () => {
    const { handler, outbox } = await setup();
    await handler(envelope('LeadEscalated') as never);
    await handler(envelope('ApprovalRequested', { approvers: ['erin', 'frank'] }) as never);
    expect((await outbox('maria')).map((m) => [m.detailType, m.reason])).toEqual([['LeadEscalated', 'manager']]);
    expect((await outbox('erin')).map((m) => m.detailType)).toEqual(['ApprovalRequested']);
    expect((await outbox('bob')).map((m) => m.detailType)).toEqual(['LeadEscalated']);
  });

  it('does not tell the user who made the change', async () => {
    const { handler, outbox } = await setup();
    await handler(
      envelope('LeadNoteAdded', {
        noteId: 'N1',
        author: 'carol',
        text: 'hello',
        actor: { kind: 'user', id: 'carol', source: 'API' },
      }) as never,
    );
    expect((await outbox()).map((m) => m.to)).toEqual(['dave']);
  });

  it('sends nothing twice when the bus delivers the same event again', async () => {
    const { handler, outbox } = await setup();
    const event = envelope('LeadStageChanged', { from: 'Assigned', to: 'MarketQualified' });
    await handler(event as never);
    const again = await handler(event as never);
    expect(again.sent).toEqual([]);
    expect(await outbox()).toHaveLength(2);
  });

  it('respects a user who turned an event type off', async () => {
    const { handler, prefs, outbox } = await setup();
    await prefs.put('carol', { default: 'email', events: { LeadStageChanged: 'off' } }, '2026-11-23T10:00:00Z');
    await prefs.put('dave', { default: 'off', events: {} }, '2026-11-23T10:00:00Z');
    const outcome = await handler(envelope('LeadStageChanged', { from: 'Assigned', to: 'MarketQualified' }) as never);
    expect(outcome.skipped.map((s) => s.user).sort()).toEqual(['carol', 'dave']);
    expect(await outbox()).toEqual([]);
  });

  // The outbox cannot fail on demand, so this one recipient's failure is simulated.
  it('delivers to the others when one recipient fails, then retries only the missing one', async () => {
    let failDave = true;
    const { handler, outbox } = await setup((real) => ({
      deliver: async (m) => {
        if (m.to === 'dave' && failDave) throw new Error('mail relay down');
        return real.deliver(m);
      },
    }));
    const event = envelope('LeadAging', { stage: 'Assigned' });
    await expect(handler(event as never)).rejects.toThrow(/dave: mail relay down/);
    expect((await outbox()).map((m) => m.to).sort()).toEqual(['bob', 'carol']);
    failDave = false;
    const retry = await handler(event as never);
    expect(retry.sent).toEqual(['dave']);
  });
});
