import type { Lead } from '../lead';
import { type Affinity, decideRoute, pickLeastLoaded, pickRoundRobin } from './routing';
import type { RoutingConfig } from './routing-config';
import type { TeamsConfig } from './teams-config';

/** The counters routing needs; atomic on the adapter side. */
export type RoutingCounters = {
  nextTurn(team: string, leadId?: string): Promise<number>;
  openLeads(users: string[]): Promise<Record<string, number>>;
};

export type Assignment = { owner?: string; team?: string; assignment: NonNullable<Lead['assignment']> };

/**
 * Picks the owner for a lead by the routing rules. `exclude` keeps reps out (the one a lead is being
 * taken from on escalation or redistribution). The explanation reads like "rule 3: country in [DE, AT,
 * CH] → team DACH, round-robin → bob".
 */
export const assignLead = async (
  lead: Lead,
  routing: { value: RoutingConfig; version: number },
  teams: TeamsConfig,
  counters: RoutingCounters,
  at: string,
  exclude: string[] = [],
  affinity?: Affinity,
): Promise<Assignment> => {
  // Owner affinity comes before the rules (and is off when the routing configuration says so).
  if (affinity && routing.value.ownerAffinity !== false && !exclude.includes(affinity.owner)) {
    const team = teams.teams.find((t) => t.members.some((m) => m.user === affinity.owner))?.id;
    return {
      owner: affinity.owner,
      team,
      assignment: { ruleVersion: routing.version, ruleIndex: null, explanation: affinity.why, at },
    };
  }
  const decision = decideRoute(lead, routing.value, teams, exclude);
  const base = {
    ruleVersion: routing.version,
    ruleIndex: decision.kind === 'queue' ? decision.ruleIndex : decision.ruleIndex,
    at,
  };
  switch (decision.kind) {
    case 'rep':
      return { owner: decision.rep, team: undefined, assignment: { ...base, explanation: decision.why } };
    case 'queue':
      return { owner: undefined, team: undefined, assignment: { ...base, explanation: decision.why } };
    case 'team': {
      const owner =
        decision.strategy === 'round-robin'
          ? pickRoundRobin(
              decision.candidates,
              await counters.nextTurn(decision.team, exclude.length === 0 ? lead.id : undefined),
            )
          : pickLeastLoaded(decision.candidates, await counters.openLeads(decision.candidates));
      return { owner, team: decision.team, assignment: { ...base, explanation: `${decision.why} → ${owner}` } };
    }
  }
};
