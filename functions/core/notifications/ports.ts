import type { NotificationPreferences } from './preferences';

/** A user's notification preferences; a user who never chose gets the defaults. */
export type PreferencesStore = {
  get(user: string): Promise<NotificationPreferences>;
  put(user: string, preferences: NotificationPreferences, at: string): Promise<NotificationPreferences>;
};
