import { api, type FeedItem, type Lead, must, type Stage } from '../api/client';
import { useAction } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { useDirectory } from '../directory';
import { STAGE_LABEL, when } from '../format';
import { ActivityForm } from './lead-activity';
import { LeadAttachmentForm } from './lead-attachment-form';
import { LeadNoteForm } from './lead-note-form';

/** The lead's feed, newest first (changes, notes, attachments), with the forms that add to it. */
export const LeadFeed = ({ lead, feed, onAdded }: { lead: Lead; feed: FeedItem[]; onAdded: () => Promise<void> }) => (
  <section aria-labelledby="feed-title">
    <h2 id="feed-title">Feed</h2>
    <LeadNoteForm id={lead.id} onAdded={onAdded} />
    {!['Creation', 'Converted', 'Disqualified'].includes(lead.stage) && <ActivityForm id={lead.id} onAdded={onAdded} />}
    <LeadAttachmentForm id={lead.id} onAdded={onAdded} />
    <ol class="feed" data-testid="feed">
      {feed.map((item, i) => (
        <li key={`${item.at}-${i}`}>
          <time dateTime={item.at}>{when(item.at)}</time>{' '}
          <FeedLine item={item} leadId={(item as { fromLead?: string }).fromLead ?? lead.id} />
          {(item as { fromLeadName?: string }).fromLeadName && (
            <small class="muted"> (merged lead {(item as { fromLeadName?: string }).fromLeadName})</small>
          )}
        </li>
      ))}
    </ol>
  </section>
);

const stageLabel = (stage: Stage | null | undefined) => (stage ? STAGE_LABEL[stage] : '—');

const FeedLine = ({ item, leadId }: { item: FeedItem; leadId: string }) => {
  const people = useDirectory();
  if (item.kind === 'note')
    return (
      <span>
        <strong>note</strong> by {people.name(item.note.author)}: {item.note.text}
      </span>
    );
  if (item.kind === 'attachment')
    return (
      <span>
        <strong>attachment</strong> {item.attachment.fileName} ({Math.ceil(item.attachment.size / 1024)} KB) by{' '}
        {people.name(item.attachment.uploadedBy)} <Download leadId={leadId} attachmentId={item.attachment.id} />
      </span>
    );
  return (
    <span>
      <strong>{item.action}</strong>
      {item.from || item.to ? ` ${stageLabel(item.from)} → ${stageLabel(item.to)}` : ''} by{' '}
      {item.actor?.kind === 'user' ? people.name(item.actor.id) : (item.actor?.id ?? 'system')}
      {item.why ? ` — ${item.why}` : ''}
    </span>
  );
};

const Download = ({ leadId, attachmentId }: { leadId: string; attachmentId: string }) => {
  const download = useAction(async () => {
    const { attachment, download } = await must(
      api.GET('/leads/{id}/attachments/{attachmentId}', { params: { path: { id: leadId, attachmentId } } }),
    );
    // A link with `download` saves the file and keeps this page; the signed URL names the file too.
    const link = document.createElement('a');
    link.href = download.url;
    link.download = attachment.fileName;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
  });
  return (
    <>
      <button type="button" onClick={() => void download.run()}>
        Download
      </button>
      <ProblemBanner error={download.error} />
    </>
  );
};
