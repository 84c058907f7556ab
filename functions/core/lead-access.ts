import type { Lead } from './lead';

export type Viewer = { userId: string; groups: readonly string[] };

/** Managers and sales ops act on every lead; reps on their own. */
export const isManager = (viewer: Viewer): boolean =>
  viewer.groups.includes('manager') || viewer.groups.includes('salesops');

/** Reps see their own and unassigned leads; managers and sales ops see all. */
export const canSee = (viewer: Viewer, lead: Pick<Lead, 'owner' | 'followers'>): boolean =>
  isManager(viewer) || !lead.owner || lead.owner === viewer.userId || (lead.followers ?? []).includes(viewer.userId);
