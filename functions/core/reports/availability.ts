import type { TeamsConfig } from '../lifecycle/teams-config';

/** Who is available now, from the teams sales ops and managers keep (a rep in several teams: available in any). */
export const availabilityFrom = (teams: TeamsConfig): Record<string, boolean> => {
  const out: Record<string, boolean> = {};
  for (const team of teams.teams) for (const m of team.members) out[m.user] = (out[m.user] ?? false) || m.available;
  return out;
};
