import * as z from 'zod';
import { lazySchema } from './lazy-schema';
import { ConflictError, fieldIssuesOf, ForbiddenError, NotFoundError, ValidationError } from './errors';
import type { Lead } from './lead';
import type { Viewer } from './lead-access';
import { listQuerySchema } from './lead-list';
import type { TeamsConfig } from './lifecycle/teams-config';
import type { CsvCell } from './safe-csv';

/** A saved list: a name and the filters; private to its owner, or shared with the owner's team. */
export const viewInputSchema = lazySchema(() =>
  z
    .object({
      name: z.string().trim().min(1).max(100),
      query: listQuerySchema,
      shared: z.boolean().default(false),
    })
    .strict(),
);
export type ViewInput = z.infer<typeof viewInputSchema>;

export type SavedView = ViewInput & {
  id: string;
  owner: string;
  /** The team a shared view is shared with (the owner's team when it was saved). */
  team?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
};

export type ViewsStore = {
  get(id: string): Promise<SavedView | undefined>;
  /** A user's own views and the views shared with their team. */
  listFor(user: string, team: string | undefined): Promise<SavedView[]>;
  /** Creates (no `before`) or replaces `before` if it is still at its version; false when it is not. */
  put(view: SavedView, before?: SavedView): Promise<boolean>;
  /** Deletes `view` if it is still at its version; false when it is not. */
  delete(view: SavedView): Promise<boolean>;
};

/** The team a user belongs to, as a member or as its manager. */
export const teamIdOf = (teams: TeamsConfig, user: string): string | undefined =>
  teams.teams.find((t) => t.members.some((m) => m.user === user) || t.manager === user)?.id;

export const parseViewInput = (body: unknown): ViewInput => {
  const parsed = viewInputSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  return parsed.data;
};

const sharedTeam = (teams: TeamsConfig, viewer: Viewer, input: ViewInput): string | undefined => {
  if (!input.shared) return undefined;
  const team = teamIdOf(teams, viewer.userId);
  if (!team) throw new ValidationError([{ field: 'shared', reason: 'you are in no team to share this view with' }]);
  return team;
};

/** Who may open a view: its owner, its team when shared, sales ops. */
export const canOpenView = (viewer: Viewer, view: SavedView, teams: TeamsConfig): boolean =>
  view.owner === viewer.userId ||
  viewer.groups.includes('salesops') ||
  (view.team !== undefined && teamIdOf(teams, viewer.userId) === view.team);

/** Who may change or delete a view: its owner and sales ops. */
const canChangeView = (viewer: Viewer, view: SavedView): boolean =>
  view.owner === viewer.userId || viewer.groups.includes('salesops');

export const newView = (viewer: Viewer, input: ViewInput, teams: TeamsConfig, id: string, at: string): SavedView => ({
  ...input,
  id,
  owner: viewer.userId,
  team: sharedTeam(teams, viewer, input),
  version: 1,
  createdAt: at,
  updatedAt: at,
});

export const openView = (viewer: Viewer, view: SavedView | undefined, id: string, teams: TeamsConfig): SavedView => {
  if (!view || !canOpenView(viewer, view, teams)) throw new NotFoundError('view', id);
  return view;
};

/** The view after an edit by `viewer`; a view someone may open but not change is a 403. */
export const changedView = (
  viewer: Viewer,
  view: SavedView,
  input: ViewInput,
  teams: TeamsConfig,
  at: string,
  expectedVersion?: number,
): SavedView => {
  if (!canChangeView(viewer, view)) throw new ForbiddenError('only the owner of a view (or sales ops) may change it');
  if (expectedVersion !== undefined && expectedVersion !== view.version)
    throw new ConflictError(`view ${view.id} is at version ${view.version}, not ${expectedVersion}; reload it`);
  const owner: Viewer = { userId: view.owner, groups: [] };
  return { ...view, ...input, team: sharedTeam(teams, owner, input), version: view.version + 1, updatedAt: at };
};

export const deletableView = (viewer: Viewer, view: SavedView): SavedView => {
  if (!canChangeView(viewer, view)) throw new ForbiddenError('only the owner of a view (or sales ops) may delete it');
  return view;
};

/** The columns of a list export: ids and the fields a rep works with. */
export const EXPORT_HEADER = [
  'id',
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'stage',
  'owner',
  'team',
  'source',
  'campaign',
  'scoreBand',
  'score',
  'duplicates',
  'createdAt',
] as const;

export const exportRow = (lead: Lead): CsvCell[] => [
  lead.id,
  lead.firstName,
  lead.lastName,
  lead.email,
  lead.phone,
  lead.company,
  lead.stage,
  lead.owner,
  lead.team,
  lead.sourceId,
  lead.campaign,
  lead.scoreBand,
  lead.score,
  lead.duplicates?.length ?? 0,
  lead.createdAt,
];
