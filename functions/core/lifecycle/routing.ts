import type { DuplicateMatch, Lead, Stage } from '../lead';
import { regionOf } from './regions';
import type { RoutingCondition, RoutingConfig } from './routing-config';
import type { TeamsConfig } from './teams-config';

export type RoutableLead = Pick<
  Lead,
  'emailDomain' | 'sourceId' | 'campaign' | 'country' | 'productInterest' | 'leadType' | 'scoreBand'
>;

const describeCondition = (when: RoutingCondition): string => {
  const parts = Object.entries(when).map(([field, values]) => `${field} in [${(values as string[]).join(', ')}]`);
  return parts.length > 0 ? parts.join(' and ') : 'any lead';
};

const fieldValue = (lead: RoutableLead, field: keyof RoutingCondition): string | undefined => {
  switch (field) {
    case 'source':
      return lead.sourceId;
    case 'region':
      return regionOf(lead.country);
    default:
      return lead[field] as string | undefined;
  }
};

export const matches = (when: RoutingCondition, lead: RoutableLead): boolean =>
  (Object.keys(when) as (keyof RoutingCondition)[]).every((field) => {
    const value = fieldValue(lead, field);
    const wanted = when[field] as string[];
    return value !== undefined && wanted.some((w) => w.toLowerCase() === value.toLowerCase());
  });

/** What the rules say, before a rep is picked: a rep, a team with a strategy, or the fallback queue. */
export type RoutingDecision =
  | { kind: 'rep'; rep: string; ruleIndex: number; why: string }
  | {
      kind: 'team';
      team: string;
      strategy: 'round-robin' | 'least-loaded';
      candidates: string[];
      manager: string;
      ruleIndex: number;
      why: string;
    }
  | { kind: 'queue'; queue: string; ruleIndex: number | null; why: string };

/** First matching rule wins. A team with nobody available falls through to the fallback queue. */
export const decideRoute = (
  lead: RoutableLead,
  routing: RoutingConfig,
  teams: TeamsConfig,
  exclude: string[] = [],
): RoutingDecision => {
  for (const [index, rule] of routing.rules.entries()) {
    if (!matches(rule.when, lead)) continue;
    const label = `rule ${index + 1}${rule.name ? ` (${rule.name})` : ''}: ${describeCondition(rule.when)}`;
    if ('rep' in rule.assign)
      return { kind: 'rep', rep: rule.assign.rep, ruleIndex: index, why: `${label} → ${rule.assign.rep}` };
    const { team: teamId, strategy } = rule.assign;
    const team = teams.teams.find((t) => t.id === teamId);
    const candidates = (team?.members ?? []).filter((m) => m.available && !exclude.includes(m.user)).map((m) => m.user);
    if (!team || candidates.length === 0) {
      return {
        kind: 'queue',
        queue: routing.fallbackQueue,
        ruleIndex: index,
        why: `${label} → team ${teamId} has nobody available → queue ${routing.fallbackQueue}`,
      };
    }
    return {
      kind: 'team',
      team: team.id,
      strategy,
      candidates,
      manager: team.manager,
      ruleIndex: index,
      why: `${label} → team ${team.name}, ${strategy}`,
    };
  }
  return {
    kind: 'queue',
    queue: routing.fallbackQueue,
    ruleIndex: null,
    why: `no rule matched → queue ${routing.fallbackQueue}`,
  };
};

/** Round-robin from an atomically incremented counter: the n-th assignment goes to candidate n mod size. */
export const pickRoundRobin = (candidates: string[], counter: number): string =>
  candidates[(counter - 1) % candidates.length] as string;

/** Fewest open leads; ties go to the earlier member so the choice is stable. */
export const pickLeastLoaded = (candidates: string[], load: Record<string, number>): string =>
  candidates.reduce((best, c) => ((load[c] ?? 0) < (load[best] ?? 0) ? c : best), candidates[0] as string);

/** A lead the new one duplicates, as stored now: who owns it and where it stands. */
export type MatchedRecord = { id: string; owner?: string; stage: Stage };

/** The owner a new lead should go to because it duplicates a lead someone already works, and why. */
export type Affinity = { owner: string; why: string };

/**
 * Owner affinity: the first of the lead's person matches (exact ones first, then the most similar)
 * that is open or converted and has an owner who is not excluded nor marked unavailable in a team.
 * A disqualified lead gives no affinity; nor does a domain match (a company is not a person).
 */
export const affinityOf = (
  matches: readonly DuplicateMatch[],
  records: readonly MatchedRecord[],
  teams: TeamsConfig,
  exclude: readonly string[] = [],
): Affinity | undefined => {
  const unavailable = new Set(teams.teams.flatMap((t) => t.members.filter((m) => !m.available).map((m) => m.user)));
  for (const match of matches) {
    if (match.kind !== 'lead' || match.matchedOn === 'domain') continue;
    const record = records.find((r) => r.id === match.id);
    if (!record?.owner || record.stage === 'Disqualified') continue;
    if (exclude.includes(record.owner) || unavailable.has(record.owner)) continue;
    const how =
      match.matchedOn === 'similarity'
        ? `similar (${Math.round((match.score ?? 0) * 100)}% on ${(match.fields ?? []).join(', ')})`
        : `same ${match.matchedOn}`;
    return {
      owner: record.owner,
      why: `owner affinity: ${how} as lead ${record.id} (${record.stage}) owned by ${record.owner} → ${record.owner}`,
    };
  }
  return undefined;
};
