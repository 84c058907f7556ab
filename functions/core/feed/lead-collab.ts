import { createHash } from 'node:crypto';
import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { fieldIssuesOf, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { type BusEvent, makeEvent, snapshotOf } from '../events';
import type { Actor, AuditEntry, Lead } from '../lead';
import { canSee, type Viewer, isManager } from '../lead-access';
import type { Clock, EventPublisher, IdGenerator, PageKey } from '../ports';
import {
  type AttachmentRequest,
  attachmentObjectKey,
  attachmentRequestSchema,
  URL_TTL_SECONDS,
} from './attachment-policy';

export type Note = { id: string; leadId: string; text: string; author: string; at: string };
export type Attachment = AttachmentRequest & {
  id: string;
  leadId: string;
  objectKey: string;
  uploadedBy: string;
  at: string;
};

/** One entry of a lead's feed: an audit entry, a note or an attachment, newest first. */
export type FeedEntry = (
  | ({ kind: 'audit' } & AuditEntry)
  | { kind: 'note'; at: string; actor: Actor; note: Note }
  | { kind: 'attachment'; at: string; actor: Actor; attachment: Omit<Attachment, 'objectKey'> }
) & {
  /** On a survivor's feed: the merged lead this entry belongs to (a link), and its name (the label). */
  fromLead?: string;
  fromLeadName?: string;
};
export type FeedPage = { items: FeedEntry[]; next?: PageKey };

/** Storage for notes, attachments, followers and the feed (functions/adapters/notes-repository.ts). */
export type CollabStore = {
  lead(id: string): Promise<Lead | undefined>;
  /** With `idempotent`, a second note with the same id is not written: the first one is answered. */
  addNote(note: Note, actor: Actor, options?: { idempotent: boolean }): Promise<Note>;
  addAttachment(attachment: Attachment, actor: Actor): Promise<void>;
  attachment(leadId: string, attachmentId: string): Promise<Attachment | undefined>;
  /** Conditional: adds only if absent; answers the lead after the change, or undefined if already following. */
  follow(leadId: string, user: string, audit: AuditEntry): Promise<Lead | undefined>;
  unfollow(leadId: string, user: string, audit: AuditEntry): Promise<Lead | undefined>;
  /**
   * Newest first; with `mergedIds`, the merged leads' entries interleaved by time (a survivor's feed),
   * labelled with `names` (merged lead id → its name).
   */
  feed(
    leadId: string,
    limit: number,
    start?: PageKey,
    mergedIds?: readonly string[],
    names?: Readonly<Record<string, string>>,
  ): Promise<FeedPage>;
};

/** Signed URLs for attachment objects: S3 presigned on AWS, the local blob store here. */
export type BlobUrls = {
  uploadUrl(key: string, contentType: string, size: number, expiresInSeconds: number): Promise<string>;
  downloadUrl(key: string, fileName: string, contentType: string, expiresInSeconds: number): Promise<string>;
};

export type CollabDeps = {
  store: CollabStore;
  blobs: BlobUrls;
  events: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
};

const userActor = (viewer: Viewer): Actor => ({ kind: 'user', id: viewer.userId, source: 'API' });

export const visibleLead = async (deps: Pick<CollabDeps, 'store'>, viewer: Viewer, leadId: string): Promise<Lead> => {
  const lead = await deps.store.lead(leadId);
  if (!lead || !canSee(viewer, lead)) throw new NotFoundError('lead', leadId);
  return lead;
};

const noteSchema = lazySchema(() => z.object({ text: z.string().trim().min(1).max(5000) }).strict());

export const noteAddedEvent = (lead: Lead, note: Note): BusEvent =>
  makeEvent('LeadNoteAdded', `note-${note.id}`, note.at, {
    leadId: lead.id,
    noteId: note.id,
    author: note.author,
    text: note.text.slice(0, 500),
    lead: snapshotOf(lead),
  });

/** A note id derived from the caller and their Idempotency-Key: the same request always names the same note. */
export const noteIdFor = (userId: string, idempotencyKey: string) =>
  `k${createHash('sha256').update(`${userId}\n${idempotencyKey}`).digest('hex').slice(0, 25)}`;

/**
 * POST /leads/{id}/notes: the author is the caller, never the body. With an Idempotency-Key a retry
 * (say after the event could not be published) answers the first note and publishes its event again
 * under the same event id, which consumers drop if they already had it.
 */
export const addNote = async (
  deps: CollabDeps,
  viewer: Viewer,
  leadId: string,
  body: unknown,
  idempotencyKey?: string,
): Promise<Note> => {
  const parsed = noteSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  const lead = await visibleLead(deps, viewer, leadId);
  const id = idempotencyKey ? noteIdFor(viewer.userId, idempotencyKey) : deps.ids.next();
  const draft: Note = { id, leadId, text: parsed.data.text, author: viewer.userId, at: deps.clock.now().toISOString() };
  const note = await deps.store.addNote(draft, userActor(viewer), { idempotent: Boolean(idempotencyKey) });
  await deps.events.publish([noteAddedEvent(lead, note)]);
  return note;
};

/** POST /leads/{id}/attachments: records the attachment and answers a short-lived upload URL for exactly that file. */
export const startAttachment = async (deps: CollabDeps, viewer: Viewer, leadId: string, body: unknown) => {
  const parsed = attachmentRequestSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  await visibleLead(deps, viewer, leadId);
  const id = deps.ids.next();
  const now = deps.clock.now();
  const attachment: Attachment = {
    ...parsed.data,
    id,
    leadId,
    objectKey: attachmentObjectKey(leadId, id),
    uploadedBy: viewer.userId,
    at: now.toISOString(),
  };
  await deps.store.addAttachment(attachment, userActor(viewer));
  const url = await deps.blobs.uploadUrl(
    attachment.objectKey,
    attachment.contentType,
    attachment.size,
    URL_TTL_SECONDS,
  );
  const { objectKey: _key, ...visible } = attachment;
  return {
    attachment: visible,
    upload: {
      method: 'PUT' as const,
      url,
      headers: { 'content-type': attachment.contentType },
      expiresAt: new Date(now.getTime() + URL_TTL_SECONDS * 1000).toISOString(),
    },
  };
};

/** GET /leads/{id}/attachments/{attachmentId}: a short-lived download URL. */
export const attachmentDownload = async (deps: CollabDeps, viewer: Viewer, leadId: string, attachmentId: string) => {
  await visibleLead(deps, viewer, leadId);
  const attachment = await deps.store.attachment(leadId, attachmentId);
  if (!attachment) throw new NotFoundError('attachment', attachmentId);
  const now = deps.clock.now();
  const url = await deps.blobs.downloadUrl(
    attachment.objectKey,
    attachment.fileName,
    attachment.contentType,
    URL_TTL_SECONDS,
  );
  const { objectKey: _key, ...visible } = attachment;
  return {
    attachment: visible,
    download: {
      method: 'GET' as const,
      url,
      expiresAt: new Date(now.getTime() + URL_TTL_SECONDS * 1000).toISOString(),
    },
  };
};

const followSchema = lazySchema(() => z.object({ user: z.string().trim().min(1).max(128).optional() }).strict());

/** POST/DELETE /leads/{id}/followers `{ user? }`: yourself, or anyone when you are a manager. */
export const changeFollower = async (
  deps: CollabDeps,
  viewer: Viewer,
  leadId: string,
  body: unknown,
  follow: boolean,
) => {
  const parsed = followSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  const user = parsed.data.user ?? viewer.userId;
  if (user !== viewer.userId && !isManager(viewer))
    throw new ForbiddenError('only a manager may add or remove followers other than themselves');
  const lead = await visibleLead(deps, viewer, leadId);
  const at = deps.clock.now().toISOString();
  const audit: AuditEntry = {
    at,
    actor: userActor(viewer),
    action: follow ? 'follower-added' : 'follower-removed',
    why:
      user === viewer.userId
        ? `${user} ${follow ? 'follows' : 'unfollowed'}`
        : `${viewer.userId} ${follow ? 'added' : 'removed'} ${user}`,
    data: { user },
  };
  const changed = follow
    ? await deps.store.follow(leadId, user, audit)
    : await deps.store.unfollow(leadId, user, audit);
  const after = changed ?? lead;
  if (changed && follow) {
    await deps.events.publish([
      makeEvent('LeadFollowed', `followed-${leadId}-${user}-${at}`, at, {
        leadId,
        user,
        addedBy: viewer.userId,
        actor: userActor(viewer),
        lead: snapshotOf(after),
      }),
    ]);
  }
  return { leadId, followers: after.followers ?? [] };
};

/** A page of the feed, from `start` (where the previous page stopped) when given. */
export const leadFeed = async (
  deps: CollabDeps,
  viewer: Viewer,
  leadId: string,
  query: { limit?: string; start?: PageKey },
): Promise<FeedPage> => {
  const lead = await visibleLead(deps, viewer, leadId);
  const limit = Math.min(Math.max(Number(query.limit ?? 25) || 25, 1), 100);
  // A survivor's feed shows the notes, attachments, activities and history of the leads merged into it.
  const merged = (lead.mergedFrom ?? []).flatMap((m) => m.leadIds);
  const names = Object.assign({}, ...(lead.mergedFrom ?? []).map((m) => m.names ?? {})) as Record<string, string>;
  return deps.store.feed(leadId, limit, query.start, merged.length ? merged : undefined, names);
};
