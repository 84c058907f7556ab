import { api, must, type Schemas } from '../api/client';
import { useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { Mailto, RecordLink, Tel } from '../components/record-links';
import { useDirectory } from '../directory';
import { when } from '../format';

/** Who created a record, by name when it was a person. */
const By = ({ actor }: { actor: Schemas['Actor'] }) => {
  const people = useDirectory();
  return <>{actor.kind === 'user' ? people.name(actor.id) : actor.id}</>;
};

const Links = ({ kind, ids }: { kind: 'lead' | 'contact' | 'opportunity'; ids: string[] }) =>
  ids.length === 0 ? (
    <>none</>
  ) : (
    <ul class="plain">
      {ids.map((id) => (
        <li key={id}>
          <RecordLink kind={kind} id={id} />
        </li>
      ))}
    </ul>
  );

/** An account made by conversion: its domain, contacts and opportunities, each by name. */
export const AccountPage = ({ id }: { id: string }) => {
  const { data: account, error } = useResource(
    () => must(api.GET('/accounts/{id}', { params: { path: { id } } })),
    [id],
  );
  if (!account) return error ? <ProblemBanner error={error} /> : <p class="loading">Loading…</p>;
  return (
    <article aria-labelledby="account-title">
      <h1 id="account-title">
        {account.name} <span class="muted">· Account</span>
      </h1>
      <dl class="fields">
        <dt>Domain</dt>
        <dd>{account.domain ? <a href={`https://${account.domain}`}>{account.domain}</a> : '—'}</dd>
        <dt>Country</dt>
        <dd>{account.country ?? '—'}</dd>
        <dt>Contacts</dt>
        <dd>
          <Links kind="contact" ids={account.contactIds} />
        </dd>
        <dt>Opportunities</dt>
        <dd>
          <Links kind="opportunity" ids={account.opportunityIds} />
        </dd>
        <dt>Created from</dt>
        <dd>
          <RecordLink kind="lead" id={account.createdFromLeadId} />
        </dd>
        <dt>Created</dt>
        <dd>
          {when(account.createdAt)} by <By actor={account.createdBy} />
        </dd>
      </dl>
    </article>
  );
};

/** A contact: how to reach them, their account, and the leads and opportunities they came through. */
export const ContactPage = ({ id }: { id: string }) => {
  const { data: contact, error } = useResource(
    () => must(api.GET('/contacts/{id}', { params: { path: { id } } })),
    [id],
  );
  if (!contact) return error ? <ProblemBanner error={error} /> : <p class="loading">Loading…</p>;
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || contact.id;
  return (
    <article aria-labelledby="contact-title">
      <h1 id="contact-title">
        {name} <span class="muted">· Contact</span>
      </h1>
      <dl class="fields">
        <dt>Email</dt>
        <dd>
          <Mailto email={contact.email} />
        </dd>
        <dt>Phone</dt>
        <dd>
          <Tel phone={contact.phone} />
        </dd>
        <dt>Job title</dt>
        <dd>{contact.jobTitle ?? '—'}</dd>
        <dt>Country</dt>
        <dd>{contact.country ?? '—'}</dd>
        <dt>Account</dt>
        <dd>{contact.accountId ? <RecordLink kind="account" id={contact.accountId} /> : '—'}</dd>
        <dt>Leads</dt>
        <dd>
          <Links kind="lead" ids={contact.leadIds} />
        </dd>
        <dt>Opportunities</dt>
        <dd>
          <Links kind="opportunity" ids={contact.opportunityIds} />
        </dd>
        <dt>Created</dt>
        <dd>
          {when(contact.createdAt)} by <By actor={contact.createdBy} />
        </dd>
      </dl>
    </article>
  );
};
