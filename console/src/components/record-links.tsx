import { useEffect, useState } from 'preact/hooks';
import { api, must } from '../api/client';
import { leadName } from '../format';
import { href } from '../router';

type Kind = 'lead' | 'account' | 'contact' | 'opportunity';

const cache = new Map<string, Promise<string>>();

const personName = (p: { firstName?: string; lastName?: string; email?: string; phone?: string; id: string }) =>
  [p.firstName, p.lastName].filter(Boolean).join(' ') || p.email || p.phone || p.id;

/** The display name of a record, read once per page load; the id stands in when it cannot be read. */
const nameOf = (kind: Kind, id: string): Promise<string> => {
  const key = `${kind}/${id}`;
  let name = cache.get(key);
  if (!name) {
    const read = async (): Promise<string> => {
      const path = { params: { path: { id } } };
      if (kind === 'lead') return leadName(await must(api.GET('/leads/{id}', path)));
      if (kind === 'account') return (await must(api.GET('/accounts/{id}', path))).name;
      if (kind === 'contact') return personName(await must(api.GET('/contacts/{id}', path)));
      return (await must(api.GET('/opportunities/{id}', path))).name;
    };
    name = read().catch(() => id);
    cache.set(key, name);
  }
  return name;
};

const ROUTE: Record<Kind, string> = {
  lead: '/leads',
  account: '/accounts',
  contact: '/contacts',
  opportunity: '/opportunities',
};

/** A link to a lead, account, contact or opportunity that reads its name (the id only until the name arrives). */
export const RecordLink = ({ kind, id, testId }: { kind: Kind; id: string; testId?: string }) => {
  const [name, setName] = useState<string>();
  useEffect(() => {
    let live = true;
    void nameOf(kind, id).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [kind, id]);
  return (
    <a href={href(`${ROUTE[kind]}/${id}`)} data-testid={testId} data-id={id}>
      {name ?? '…'}
    </a>
  );
};

/** An e-mail address as a mailto: link, a phone number as a tel: link. */
export const Mailto = ({ email }: { email?: string | null }) =>
  email ? <a href={`mailto:${email}`}>{email}</a> : <>—</>;
export const Tel = ({ phone }: { phone?: string | null }) =>
  phone ? <a href={`tel:${phone.replace(/[^+\d]/g, '')}`}>{phone}</a> : <>—</>;
