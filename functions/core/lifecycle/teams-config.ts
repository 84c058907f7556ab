import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';
import { type BusinessCalendar, businessCalendarSchema } from './business-hours';

const userId = lazySchema(() => z.string().min(1).max(128));

/** A person's display name and contact, so pages and e-mails say "Alice Adams", not "alice". */
const personSchema = lazySchema(() =>
  z.object({
    user: userId,
    name: z.string().trim().min(1).max(200),
    email: z.email().optional(),
  }),
);

export const teamsConfigSchema = lazySchema(() =>
  z
    .object({
      teams: z.array(
        z.object({
          id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'letters, digits, - and _ only' }),
          name: z.string().min(1),
          manager: userId,
          members: z.array(z.object({ user: userId, available: z.boolean().default(true) })),
          /** With a calendar, the team's stage SLAs and approval timeouts count in its business hours. */
          calendar: businessCalendarSchema.optional(),
        }),
      ),
      /**
       * What a manager's lists, saved views and search cover: `team` (unset means this) their own leads,
       * the unassigned queue and the leads of the members of the teams they manage; `all` every lead.
       */
      managersSee: z.enum(['team', 'all']).optional(),
      /** Display names of the people named in teams (members, managers, approvers, sales ops); optional. */
      people: z.array(personSchema).optional(),
    })
    .superRefine((value, ctx) => {
      const ids = new Set<string>();
      value.teams.forEach((team, i) => {
        if (ids.has(team.id))
          ctx.addIssue({ code: 'custom', path: ['teams', i, 'id'], message: `team id '${team.id}' is used twice` });
        ids.add(team.id);
      });
      const users = new Set<string>();
      value.people?.forEach((person, i) => {
        if (users.has(person.user))
          ctx.addIssue({ code: 'custom', path: ['people', i, 'user'], message: `'${person.user}' is listed twice` });
        users.add(person.user);
      });
    }),
);
export type TeamsConfig = z.infer<typeof teamsConfigSchema>;
export type Team = TeamsConfig['teams'][number];

export const DEFAULT_TEAMS: TeamsConfig = {
  teams: [
    {
      id: 'inside-sales',
      name: 'Inside sales',
      manager: 'maria',
      members: [
        { user: 'alice', available: true },
        { user: 'bob', available: true },
        { user: 'carol', available: true },
      ],
    },
  ],
  people: [
    { user: 'alice', name: 'Alice Adams' },
    { user: 'bob', name: 'Bob Brown' },
    { user: 'carol', name: 'Carol Clark' },
    { user: 'maria', name: 'Maria Martin' },
  ],
};

export const teamsConfig = defineConfig({
  name: 'teams',
  schema: teamsConfigSchema,
  defaultValue: DEFAULT_TEAMS,
  description: 'Teams, their members, managers and availability',
  editors: ['salesops', 'manager'],
});

export const teamOf = (teams: TeamsConfig, user: string | undefined): Team | undefined =>
  user ? teams.teams.find((t) => t.members.some((m) => m.user === user)) : undefined;

export const managerOf = (teams: TeamsConfig, user: string | undefined): string | undefined =>
  teamOf(teams, user)?.manager;

/** The business calendar of a team, if it has one: without one, deadlines are wall-clock. */
export const calendarOf = (teams: TeamsConfig, teamId: string | undefined): BusinessCalendar | undefined =>
  teamId ? teams.teams.find((t) => t.id === teamId)?.calendar : undefined;

/** The display name of a user from the teams config's people, else the user id itself. */
export const displayNameOf = (teams: TeamsConfig, user: string | undefined): string | undefined =>
  user ? (teams.people?.find((p) => p.user === user)?.name ?? user) : undefined;
