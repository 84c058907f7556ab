import { useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { FieldError, ProblemBanner } from '../components/problem';
import { when } from '../format';

type EventType = Schemas['SubscribableEventType'];

/** The event types an integration can subscribe to; `*` is every event. Typed by the spec, so a renamed type does not compile. */
const EVENT_TYPES: EventType[] = [
  '*',
  'LeadCreated',
  'LeadAssigned',
  'LeadStageChanged',
  'LeadAging',
  'LeadEscalated',
  'ApprovalRequested',
  'ApprovalDecided',
  'LeadConverted',
  'LeadDisqualified',
  'LeadWorkflowFailed',
  'LeadScoreChanged',
  'OpportunityStageChanged',
  'LeadNoteAdded',
  'LeadFollowed',
];

/** Outbound webhooks: where events go, their last deliveries (failed ones end in the DLQ), new ones with a secret shown once. */
export const Subscriptions = ({ canEdit }: { canEdit: boolean }) => {
  const list = useResource(async () => (await must(api.GET('/config/subscriptions'))).items, []);
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<EventType[]>(['LeadConverted']);
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState<{ id: string; secret: string }>();

  const create = useAction(async () => {
    const created = await must(
      api.POST('/config/subscriptions', { body: { url, eventTypes: types, description: description || undefined } }),
    );
    setSecret({ id: created.id, secret: created.secret });
    setUrl('');
    setDescription('');
    await list.reload();
  });
  const remove = useAction(async (id: string) => {
    await must(api.DELETE('/config/subscriptions/{subscriptionId}', { params: { path: { subscriptionId: id } } }));
    await list.reload();
  });
  const items = list.data;
  const formError = create.error;

  return (
    <div>
      <ProblemBanner error={remove.error ?? list.error} />
      {secret && (
        <div class="notice" role="status">
          <strong>Signing secret for {secret.id} — shown only now.</strong> Give it to the receiver to verify the{' '}
          <code>webhook-signature</code> header (Standard Webhooks).
          <pre data-testid="subscription-secret">{secret.secret}</pre>
        </div>
      )}
      {items?.length === 0 && <p class="empty">No outbound subscriptions.</p>}
      <ul class="rules">
        {(items ?? []).map((s) => {
          const failed = s.lastDeliveries.filter((d) => d.outcome === 'failed');
          return (
            <li key={s.id}>
              <h2>
                {s.url}
                {failed.length > 0 && <em class="badge overdue">{failed.length} failed (in the DLQ)</em>}
              </h2>
              <p class="muted">
                {s.eventTypes.join(', ')} · {s.description ?? ''} · created by {s.createdBy} on {when(s.createdAt)}
              </p>
              {s.lastDeliveries.length > 0 && (
                <table>
                  <caption class="muted">Last deliveries</caption>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Event</th>
                      <th scope="col">Outcome</th>
                      <th scope="col" class="num">
                        Attempts
                      </th>
                      <th scope="col">Status / error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.lastDeliveries.map((d) => (
                      <tr key={`${d.eventId}-${d.at}`}>
                        <td>{when(d.at)}</td>
                        <td>{d.detailType}</td>
                        <td>{d.outcome}</td>
                        <td class="num">{d.attempts}</td>
                        <td>{d.status ?? d.error ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {canEdit && (
                <button type="button" class="danger" onClick={() => void remove.run(s.id)}>
                  Delete subscription
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {canEdit && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <h2>New subscription</h2>
          <label>
            Receiver URL
            <input
              type="url"
              value={url}
              required
              onInput={(e) => setUrl(e.currentTarget.value)}
              aria-describedby="sub-url-err"
            />
            <FieldError error={formError} field="url" id="sub-url-err" />
          </label>
          <label>
            Description
            <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </label>
          <fieldset>
            <legend>Events</legend>
            {EVENT_TYPES.map((t) => (
              <label class="check" key={t}>
                <input
                  type="checkbox"
                  checked={types.includes(t)}
                  onChange={(e) => setTypes((ts) => (e.currentTarget.checked ? [...ts, t] : ts.filter((x) => x !== t)))}
                />
                {t === '*' ? 'every event' : t}
              </label>
            ))}
            <FieldError error={formError} field="eventTypes" id="sub-types-err" />
          </fieldset>
          <ProblemBanner error={formError} />
          <button type="submit" class="primary">
            Create subscription
          </button>
        </form>
      )}
    </div>
  );
};
