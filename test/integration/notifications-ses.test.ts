import type { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from '@jest/globals';
import { makeSesNotifier } from '../../functions/adapters/outbox-repository';
import { makeEvent } from '../../functions/core/events';
import { messageFor } from '../../functions/core/notifications/messages';
import { freshTable } from '../support/table';

/**
 * SES has no local emulator, so its client is replaced by a recorder here (and made to fail once);
 * the once-only claim it guards is real, on DynamoDB Local.
 */
const recordingSes = (failures = 0) => {
  const sent: SendEmailCommand['input'][] = [];
  let left = failures;
  const client = {
    send: async (command: SendEmailCommand) => {
      if (left > 0) {
        left--;
        throw new Error('Throttling: Maximum sending rate exceeded');
      }
      sent.push(command.input);
      return {};
    },
  } as unknown as SESv2Client;
  return { client, sent };
};

const message = () =>
  messageFor(
    {
      detailType: 'LeadAssigned',
      detail: makeEvent('LeadAssigned', 'L1:2:LeadAssigned', '2026-11-23T11:00:00.000Z', {
        leadId: 'L1',
        owner: 'bob',
        lead: { owner: 'bob' },
      }).detail,
    },
    'bob',
    'owner',
  );

describe('SES notifier', () => {
  it('sends the templated email once per event and user', async () => {
    const table = await freshTable('ses');
    const ses = recordingSes();
    const notifier = makeSesNotifier(
      table.db,
      table.name,
      { from: 'leadflow@acme.example', addressOf: async (u) => `${u}@acme.example` },
      ses.client,
    );

    const first = await notifier.deliver(message());
    const second = await notifier.deliver(message());

    expect([first, second]).toEqual(['sent', 'duplicate']);
    expect(ses.sent).toHaveLength(1);
    expect(ses.sent[0]).toMatchObject({
      FromEmailAddress: 'leadflow@acme.example',
      Destination: { ToAddresses: ['bob@acme.example'] },
      Content: { Template: { TemplateName: 'leadflow-LeadAssigned' } },
    });
    expect(JSON.parse(String(ses.sent[0]?.Content?.Template?.TemplateData))).toMatchObject({
      leadId: 'L1',
      owner: 'bob',
      subject: 'Lead L1 assigned to bob',
    });
  });

  it('releases its claim when SES refuses, so the retry sends', async () => {
    const table = await freshTable('ses');
    const ses = recordingSes(1);
    const notifier = makeSesNotifier(
      table.db,
      table.name,
      { from: 'leadflow@acme.example', addressOf: async (u) => `${u}@acme.example` },
      ses.client,
    );

    await expect(notifier.deliver(message())).rejects.toThrow(/Throttling/);
    expect(await notifier.deliver(message())).toBe('sent');
    expect(ses.sent).toHaveLength(1);
  });
});
