import type { Lead } from './lead';

export type Viewer = { userId: string; groups: readonly string[] };

/** Reps see their own and unassigned leads; managers and sales ops see all. */
export const canSee = (viewer: Viewer, lead: Pick<Lead, 'owner' | 'followers'>): boolean =>
  viewer.groups.includes('manager') ||
  viewer.groups.includes('salesops') ||
  !lead.owner ||
  lead.owner === viewer.userId ||
  (lead.followers ?? []).includes(viewer.userId);
