import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { DETAIL_TYPES, type DetailType } from '../events';

export const CHANNELS = ['email', 'off'] as const;
export type NotifyChannel = (typeof CHANNELS)[number];

/** Per user: the channel for every event type, with exceptions per type. */
export const preferencesSchema = lazySchema(() =>
  z
    .object({
      default: z.enum(CHANNELS),
      events: z.partialRecord(z.enum(DETAIL_TYPES), z.enum(CHANNELS)).default({}),
      /** Where email goes; without it, `<user>@NOTIFY_EMAIL_DOMAIN` (the user pool's addresses). */
      email: z.email().optional(),
    })
    .strict(),
);
export type NotificationPreferences = z.infer<typeof preferencesSchema>;

export const DEFAULT_PREFERENCES: NotificationPreferences = { default: 'email', events: {} };

export const channelFor = (prefs: NotificationPreferences, type: DetailType): NotifyChannel =>
  prefs.events[type] ?? prefs.default;
