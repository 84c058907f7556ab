import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Actor, AuditEntry } from '../core/lead';
import type { PageKey } from '../core/ports';
import { InvalidCursorError } from '../core/errors';
import type { Attachment, CollabStore, FeedEntry, Note } from '../core/feed/lead-collab';
import { keys } from './keys';
import { startKeyWithin } from './lead-repository';
import { transaction } from './transaction';
import { leadFromItem } from './lead-item';

/** A feed position lies on this lead's partition, among its `AUDIT#` entries. */
const feedStart = (start: PageKey | undefined, pk: string): PageKey | undefined => {
  const key = startKeyWithin(start, ['pk', 'sk'], { pk });
  if (key && !String(key.sk).startsWith('AUDIT#')) throw new InvalidCursorError();
  return key;
};

/** An entry as stored, or brought by a merge (then labelled with the lead it came from, by name). */
const feedEntryOf = (item: Record<string, unknown>): FeedEntry => {
  // A moved item lives on this lead now (its links point here): only its label says where it came from.
  const { fromLead: _from, fromLeadName, moves: _moves, movedIn: _movedIn, ...own } = item;
  const entry = ownEntryOf(own);
  return typeof fromLeadName === 'string' ? { ...entry, fromLeadName } : entry;
};

const ownEntryOf = (item: Record<string, unknown>): FeedEntry => {
  const { pk: _pk, sk: _sk, type, leadId: _leadId, ...rest } = item;
  if (type === 'note')
    return { kind: 'note', at: String(rest.at), actor: rest.actor as Actor, note: rest.note as Note };
  if (type === 'attachment')
    return {
      kind: 'attachment',
      at: String(rest.at),
      actor: rest.actor as Actor,
      attachment: rest.attachment as Omit<Attachment, 'objectKey'>,
    };
  return { kind: 'audit', ...(rest as AuditEntry) };
};

/**
 * Notes and attachments live on the lead's partition with `AUDIT#<at>#…` sort keys, next to the audit
 * entries, so the feed is one Query newest-first. Each also reads as an audit entry (`action`).
 */
export const makeNotesRepository = (db: DynamoDBDocumentClient, table: string): CollabStore => {
  /**
   * A survivor's feed with its merged leads' entries: every partition read newest-first from the
   * position reached (sort keys are `AUDIT#<time>#…` on all of them), merged by sort key. The cursor
   * is the last entry shown, on whichever lead it lies.
   */
  const mergedFeed = async (
    leadId: string,
    mergedIds: readonly string[],
    limit: number,
    start: PageKey | undefined,
    names: Readonly<Record<string, string>> = {},
  ): Promise<{ items: FeedEntry[]; next?: PageKey }> => {
    const partitions = [leadId, ...mergedIds].map((id) => ({ id, pk: keys.lead(id).pk }));
    if (start && (!partitions.some((p) => p.pk === start.pk) || !String(start.sk ?? '').startsWith('AUDIT#')))
      throw new InvalidCursorError();
    const below = start ? String(start.sk) : 'AUDIT$';
    const startId = partitions.find((p) => p.pk === start?.pk)?.id ?? '';
    const pages = await Promise.all(
      partitions.map(async ({ id, pk }) => {
        const out = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
            ExpressionAttributeValues: { ':pk': pk, ':lo': 'AUDIT#', ':hi': below },
            ScanIndexForward: false,
            Limit: limit + 1,
          }),
        );
        // Entries are ordered by sort key, newest first, then by lead id (a merge writes the same sort key
        // on every merged lead): after the cursor means older, or as old on a lead further in that order.
        const items = (out.Items ?? []).filter((i) => !start || i.sk < below || (i.sk === below && id > startId));
        return { id, items, more: Boolean(out.LastEvaluatedKey) };
      }),
    );
    const all = pages
      .flatMap((p) => p.items.map((item) => ({ id: p.id, item })))
      .sort((a, b) => (a.item.sk < b.item.sk ? 1 : a.item.sk > b.item.sk ? -1 : a.id < b.id ? -1 : 1));
    const shown = all.slice(0, limit);
    const last = shown[shown.length - 1]?.item;
    const more = all.length > limit || pages.some((p) => p.more);
    return {
      items: shown.map(({ id, item }) =>
        id === leadId
          ? feedEntryOf(item)
          : { ...feedEntryOf(item), fromLead: id, fromLeadName: names[id] ?? 'a merged lead' },
      ),
      next: more && last ? { pk: String(last.pk), sk: String(last.sk) } : undefined,
    };
  };
  const getLead = async (id: string) => {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.lead(id), ConsistentRead: true }));
    return out.Item ? leadFromItem(out.Item) : undefined;
  };
  const auditPut = (leadId: string, audit: AuditEntry, seq: string) => ({
    Put: { TableName: table, Item: { ...keys.feedEntry(leadId, audit.at, 'O', seq), type: 'audit', leadId, ...audit } },
  });

  return {
    lead: getLead,

    async addNote(note, actor, options) {
      const entry = {
        ...keys.feedEntry(note.leadId, note.at, 'N', note.id),
        type: 'note',
        leadId: note.leadId,
        at: note.at,
        actor,
        action: 'note-added',
        data: { noteId: note.id },
        note,
      };
      const out = await transaction(db, [
        { name: 'note', Put: { TableName: table, Item: entry, ConditionExpression: 'attribute_not_exists(pk)' } },
        // The lead must exist: a note on a deleted lead is refused.
        {
          name: 'lead',
          ConditionCheck: {
            TableName: table,
            Key: keys.lead(note.leadId),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        ...(options?.idempotent
          ? [
              {
                name: 'request' as const,
                Put: {
                  TableName: table,
                  Item: { ...keys.noteRequest(note.leadId, note.id), type: 'note-request', note },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ]
          : []),
      ]);
      if (out.written) return note;
      // The same request arrived before: answer the note it created.
      if (!out.failed.includes('request')) throw out.error;
      const first = await db.send(
        new GetCommand({ TableName: table, Key: keys.noteRequest(note.leadId, note.id), ConsistentRead: true }),
      );
      return (first.Item?.note as Note | undefined) ?? note;
    },

    async addAttachment(attachment, actor) {
      const { objectKey: _key, ...visible } = attachment;
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { ...keys.attachment(attachment.leadId, attachment.id), type: 'attachment-meta', ...attachment },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: table,
                Item: {
                  ...keys.feedEntry(attachment.leadId, attachment.at, 'A', attachment.id),
                  type: 'attachment',
                  leadId: attachment.leadId,
                  at: attachment.at,
                  actor,
                  action: 'attachment-added',
                  data: { attachmentId: attachment.id, fileName: attachment.fileName },
                  attachment: visible,
                },
              },
            },
            {
              ConditionCheck: {
                TableName: table,
                Key: keys.lead(attachment.leadId),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      );
    },

    async attachment(leadId, attachmentId) {
      const out = await db.send(
        new GetCommand({ TableName: table, Key: keys.attachment(leadId, attachmentId), ConsistentRead: true }),
      );
      if (!out.Item) return undefined;
      const { pk: _pk, sk: _sk, type: _type, ...attachment } = out.Item;
      return attachment as Attachment;
    },

    async follow(leadId, user, audit) {
      // The follow item sorts like the list indexes, by the lead's creation (which never changes).
      const current = await getLead(leadId);
      if (!current) return undefined;
      const out = await transaction(db, [
        {
          name: 'lead',
          Update: {
            TableName: table,
            Key: keys.lead(leadId),
            UpdateExpression:
              'SET followers = list_append(if_not_exists(followers, :empty), :user), #version = #version + :one',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(followers) OR NOT contains(followers, :name))',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':empty': [], ':user': [user], ':name': user, ':one': 1 },
          },
        },
        { name: 'audit', ...auditPut(leadId, audit, `follow-${user}`) },
        {
          name: 'follow',
          Put: {
            TableName: table,
            Item: { ...keys.followed(user, current.createdAt, leadId), type: 'follow', leadId },
          },
        },
      ]);
      // No lead, or already a follower.
      if (!out.written && out.failed.length > 0) return undefined;
      if (!out.written) throw out.error;
      return getLead(leadId);
    },

    async unfollow(leadId, user, audit) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const lead = await getLead(leadId);
        const index = (lead?.followers ?? []).indexOf(user);
        if (!lead || index === -1) return undefined;
        const out = await transaction(db, [
          {
            name: 'lead',
            Update: {
              TableName: table,
              Key: keys.lead(leadId),
              UpdateExpression: `REMOVE followers[${index}] SET #version = #version + :one`,
              // The list may have shifted since the read: remove only if that slot still holds the user.
              ConditionExpression: `followers[${index}] = :name`,
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':name': user, ':one': 1 },
            },
          },
          { name: 'audit', ...auditPut(leadId, audit, `unfollow-${user}`) },
          { name: 'follow', Delete: { TableName: table, Key: keys.followed(user, lead.createdAt, leadId) } },
        ]);
        if (out.written) return getLead(leadId);
        if (out.failed.length === 0) throw out.error;
      }
      return undefined;
    },

    async feed(leadId, limit, start, mergedIds, names) {
      const pk = keys.lead(leadId).pk;
      if (mergedIds?.length) return mergedFeed(leadId, mergedIds, limit, start, names);
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': 'AUDIT#' },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: feedStart(start, pk),
        }),
      );
      return { items: (out.Items ?? []).map(feedEntryOf), next: out.LastEvaluatedKey as PageKey | undefined };
    },
  };
};
