import * as z from 'zod';
import { lazySchema } from './lazy-schema';
import { isCalendarDate } from './dates';
import { type Lead, STAGES } from './lead';
import { type Viewer, visibleOwners } from './lead-access';
import type { Page, PageKey } from './ports';
import type { TeamsConfig } from './lifecycle/teams-config';

/**
 * A list of leads as a person asks for it (the console's filters, a saved view): every filter is
 * optional; without owner or team it is every lead the caller may see.
 */
export const listQuerySchema = lazySchema(() =>
  z
    .object({
      owner: z.string().min(1).max(128).optional(),
      team: z.string().min(1).max(64).optional(),
      stage: z.enum(STAGES).optional(),
      source: z.string().min(1).max(128).optional(),
      campaign: z.string().min(1).max(200).optional(),
      scoreBand: z.enum(['A', 'B', 'C', 'D']).optional(),
      duplicate: z.boolean().optional(),
      /** Inclusive, a calendar date (YYYY-MM-DD) or an ISO timestamp. */
      createdFrom: z.string().optional(),
      createdTo: z.string().optional(),
      sort: z.enum(['-createdAt', 'createdAt']).default('-createdAt'),
    })
    .strict()
    .superRefine((q, ctx) => {
      let dated = true;
      for (const field of ['createdFrom', 'createdTo'] as const) {
        const value = q[field];
        if (value !== undefined && !isCalendarDate(value) && Number.isNaN(Date.parse(value))) {
          dated = false;
          ctx.addIssue({ code: 'custom', path: [field], message: 'must be a date (YYYY-MM-DD) or an ISO timestamp' });
        }
      }
      // Compared only when both parse: a malformed bound has its own issue above (and cannot be compared).
      if (dated && q.createdFrom && q.createdTo && boundOf(q.createdFrom, 'from') > boundOf(q.createdTo, 'to'))
        ctx.addIssue({ code: 'custom', path: ['createdTo'], message: 'must not be before createdFrom' });
    }),
);
export type ListQuery = z.infer<typeof listQuerySchema>;

/** The index sort keys are `<createdAt>#<id>`: a bound compares as text against them. */
const boundOf = (value: string, side: 'from' | 'to') => {
  const at = isCalendarDate(value) ? value : new Date(value).toISOString();
  // '~' sorts after every character of a timestamp and an id, so "to 2026-12-31" includes that whole day.
  return side === 'from' ? at : `${at}~`;
};

/** Narrowing applied to what the key reads return (DynamoDB filters after reading). */
export type ListNarrowing = {
  stage?: string;
  sourceId?: string;
  campaign?: string;
  scoreBand?: string;
  duplicate?: boolean;
};

/**
 * How a list is read: the partitions of one index whose union is the list (each sorted by
 * `<createdAt>#<id>`), merged in order, the narrowing, and the created range as key bounds.
 */
export type ListPlan = {
  index: 'owner' | 'stage';
  partitions: string[];
  narrowing: ListNarrowing;
  from?: string;
  to?: string;
  order: 'newest' | 'oldest';
  /**
   * A rep's whole list also holds the leads they follow (core/lead-access: a follower may see the
   * lead): read from their follow items, merged in the same order, each lead once.
   */
  followedBy?: string;
};

/**
 * The partitions a viewer's list reads, never more than they may see (core/lead-access
 * `visibleOwners`): a rep's own and the unassigned queue; a manager's also their teams' members';
 * sales ops every stage (or one owner, or a team's members). An owner or team outside what the viewer
 * sees plans nothing: the answer is an empty list.
 */
export const planList = (viewer: Viewer, query: ListQuery, teams: TeamsConfig): ListPlan => {
  const owner = query.owner === 'me' ? viewer.userId : query.owner;
  const visible = visibleOwners(viewer, teams);
  let owners: string[] | undefined;
  if (owner) owners = [owner];
  if (query.team) {
    const members = teams.teams.find((t) => t.id === query.team)?.members.map((m) => m.user) ?? [];
    owners = owners ? owners.filter((o) => members.includes(o)) : members;
  }
  if (visible !== 'all') owners = (owners ?? visible).filter((o) => visible.includes(o));
  const narrowing: ListNarrowing = {
    sourceId: query.source,
    campaign: query.campaign,
    scoreBand: query.scoreBand,
    duplicate: query.duplicate,
  };
  const common = {
    from: query.createdFrom ? boundOf(query.createdFrom, 'from') : undefined,
    to: query.createdTo ? boundOf(query.createdTo, 'to') : undefined,
    order: query.sort === 'createdAt' ? ('oldest' as const) : ('newest' as const),
  };
  // Without an owner or team asked for, a list not of every lead is everything the viewer may see:
  // their own, the unassigned queue (a manager: and their teams') and the leads they follow.
  const followedBy = visible !== 'all' && !owner && !query.team ? viewer.userId : undefined;
  if (owners)
    return {
      index: 'owner',
      partitions: owners,
      narrowing: { ...narrowing, stage: query.stage },
      ...common,
      ...(followedBy ? { followedBy } : {}),
    };
  return { index: 'stage', partitions: query.stage ? [query.stage] : [...STAGES], narrowing, ...common };
};

/** Reads a planned list: one page of `limit` leads and where the next starts. */
export type LeadLister = {
  browse(plan: ListPlan, limit: number, from?: PageKey): Promise<Page<Lead>>;
};
