import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeOutboxNotifier, makePreferencesRepository, makeSesNotifier } from '../adapters/outbox-repository';
import { readConfig } from '../core/config/config-document';
import { displayNameOf, managerOf, teamsConfig } from '../core/lifecycle/teams-config';
import { makeCrmRepository } from '../adapters/crm-repository';
import { leadDisplayName } from '../core/notifications/messages';
import { eventHandler } from '../http/middleware';
import { makeNotificationsHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('notifications');
const email = env.need('email');

const db = makeDocumentClient();
const table = env.need('table:read').TABLE_NAME;
const config = makeConfigRepository(db, table);
const preferences = makePreferencesRepository(db, table);
const crm = makeCrmRepository(db, table);

/** Locally (`NOTIFY_MODE=outbox`) messages land in the table, readable at GET /_local/outbox; on AWS, SES. */
const notifier =
  env.local.NOTIFY_MODE === 'outbox'
    ? makeOutboxNotifier(db, table)
    : makeSesNotifier(db, table, {
        from: email.NOTIFY_FROM ?? 'leadflow@example.com',
        configurationSet: env.settings('notifications').NOTIFY_CONFIGURATION_SET,
        addressOf: async (user) =>
          (await preferences.get(user)).email ??
          (email.NOTIFY_EMAIL_DOMAIN ? `${user}@${email.NOTIFY_EMAIL_DOMAIN}` : undefined),
      });

export const handler = eventHandler(
  makeNotificationsHandler({
    preferences: (user) => preferences.get(user),
    managerOf: async (lead) => {
      const teams = (await readConfig(config, teamsConfig)).value;
      return teams.teams.find((t) => t.id === lead.team)?.manager ?? managerOf(teams, lead.owner);
    },
    notifier,
    names: async (detail) => {
      const leadId = typeof detail.leadId === 'string' ? detail.leadId : undefined;
      const opportunityId = typeof detail.opportunityId === 'string' ? detail.opportunityId : undefined;
      const [lead, opportunity, teams] = await Promise.all([
        leadId ? crm.lead(leadId) : undefined,
        opportunityId ? crm.opportunity(opportunityId) : undefined,
        readConfig(config, teamsConfig),
      ]);
      return {
        lead: lead ? leadDisplayName(lead) : undefined,
        opportunity: opportunity?.name,
        person: (user) => displayNameOf(teams.value, user) ?? user,
      };
    },
    consoleUrl: email.CONSOLE_URL ?? env.local.PUBLIC_URL,
  }),
);
