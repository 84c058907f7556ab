import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { NotificationMessage } from '../core/notifications/messages';
import type { Notifier } from '../core/notifications/notify';
import type { PreferencesStore } from '../core/notifications/ports';
import {
  DEFAULT_PREFERENCES,
  type NotificationPreferences,
  preferencesSchema,
} from '../core/notifications/preferences';
import { keys } from './keys';
import { isConditionalCheckFailed } from './transaction';
import { queryAllItems } from './query-all';

/** "Already sent" markers outlive any bus retry or DLQ redrive window. */
const MARKER_TTL_SECONDS = 30 * 24 * 3600;

export const makePreferencesRepository = (db: DynamoDBDocumentClient, table: string): PreferencesStore => ({
  async get(user: string): Promise<NotificationPreferences> {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.notifyPrefs(user) }));
    const parsed = preferencesSchema.safeParse(out.Item?.preferences);
    return parsed.success ? parsed.data : DEFAULT_PREFERENCES;
  },
  async put(user: string, preferences: NotificationPreferences, at: string): Promise<NotificationPreferences> {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.notifyPrefs(user), type: 'notify-prefs', user, preferences, updatedAt: at },
      }),
    );
    return preferences;
  },
});

/**
 * `NOTIFY_MODE=outbox` (the local runtime): every message becomes a table item instead of an email.
 * The item's key is the (event, user) pair, so a redelivered event writes nothing new.
 */
export const makeOutboxNotifier = (db: DynamoDBDocumentClient, table: string): Notifier => ({
  async deliver(message) {
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...keys.outbox(message.occurredAt, message.eventId, message.to), type: 'outbox', ...message },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'sent';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'duplicate';
      throw error;
    }
  },
});

/** Messages in the outbox, oldest first; `user` filters to what one user would have received. Local only. */
export const readOutbox = async (
  db: DynamoDBDocumentClient,
  table: string,
  { user }: { user?: string } = {},
): Promise<NotificationMessage[]> => {
  const items = await queryAllItems(db, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ...(user ? { FilterExpression: '#to = :user', ExpressionAttributeNames: { '#to': 'to' } } : {}),
    ExpressionAttributeValues: { ':pk': 'OUTBOX', ...(user ? { ':user': user } : {}) },
  });
  return items.map(({ pk: _pk, sk: _sk, type: _type, ...message }) => message as NotificationMessage);
};

/**
 * On AWS: SES templated email (`leadflow-<DetailType>`, see docs/conversion-and-fanout.md). A marker
 * item claims the (event, user) pair first; if sending fails the claim is released so the retry sends.
 */
export const makeSesNotifier = (
  db: DynamoDBDocumentClient,
  table: string,
  options: { from: string; addressOf: (user: string) => Promise<string | undefined>; configurationSet?: string },
  ses = new SESv2Client({}),
): Notifier => ({
  async deliver(message) {
    const to = await options.addressOf(message.to);
    if (!to) return 'duplicate';
    const marker = keys.notified(message.eventId, message.to);
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...marker, type: 'notified', expiresAt: Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'duplicate';
      throw error;
    }
    try {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [to] },
          ConfigurationSetName: options.configurationSet,
          Content: {
            Template: {
              TemplateName: message.template,
              TemplateData: JSON.stringify({ ...message.data, subject: message.subject }),
            },
          },
        }),
      );
      return 'sent';
    } catch (error) {
      await db.send(new DeleteCommand({ TableName: table, Key: marker }));
      throw error;
    }
  },
});
