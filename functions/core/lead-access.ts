import type { Lead } from './lead';

export type Viewer = { userId: string; groups: readonly string[] };

/** Managers and sales ops act on every lead; reps on their own. */
export const isManager = (viewer: Viewer): boolean =>
  viewer.groups.includes('manager') || viewer.groups.includes('salesops');

/** Reps see their own and unassigned leads; managers and sales ops see all. */
export const canSee = (viewer: Viewer, lead: Pick<Lead, 'owner' | 'followers'>): boolean =>
  isManager(viewer) || !lead.owner || lead.owner === viewer.userId || (lead.followers ?? []).includes(viewer.userId);

/** The part of the teams config that decides what a manager's lists and search cover. */
export type TeamScopes = {
  teams: readonly { manager: string; members: readonly { user: string }[] }[];
  /** `team` (the default): a manager's lists and search cover their teams' leads; `all`: every lead. */
  managersSee?: 'team' | 'all';
};

/**
 * Whose leads a viewer's lists, saved views and search cover, as owners (`UNASSIGNED` for the queue):
 * sales ops every lead (`all`); a manager their own, the unassigned queue and the leads of the members
 * of every team they manage (as a Salesforce role hierarchy or HubSpot's "team" permission shows a
 * manager their reports' records), or every lead when the teams config says `managersSee: all`; a
 * rep their own and the queue. Leads the viewer follows are added by the list and the search. Acting
 * on a lead (its page, its actions) stays with `canSee`/`isManager`.
 */
export const visibleOwners = (viewer: Viewer, config: TeamScopes): 'all' | string[] => {
  if (viewer.groups.includes('salesops')) return 'all';
  const own = [viewer.userId, 'UNASSIGNED'];
  if (!viewer.groups.includes('manager')) return own;
  if (config.managersSee === 'all') return 'all';
  const members = config.teams.filter((t) => t.manager === viewer.userId).flatMap((t) => t.members.map((m) => m.user));
  return [...new Set([...own, ...members])];
};
