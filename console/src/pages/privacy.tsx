import { useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useAction } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';

type Subject = Schemas['PrivacySubject'];
type Export = { id: string; leadIds: string[]; counts: Record<string, number>; files: { name: string; url: string }[] };

/**
 * Data-subject requests (sales ops, privacy officer): find a person by e-mail, phone or lead id, see what
 * is held (an export, listed by kind, with its short-lived downloads), then erase them after a confirmation.
 */
export const PrivacyPage = () => {
  const [by, setBy] = useState<'email' | 'phone' | 'leadId'>('email');
  const [value, setValue] = useState('');
  const [held, setHeld] = useState<Export>();
  const [confirm, setConfirm] = useState(false);
  const [erasure, setErasure] = useState<Schemas['Erasure']>();
  const subject = (): Subject => ({ [by]: value.trim() });

  const find = useAction(async () => {
    setErasure(undefined);
    setConfirm(false);
    setHeld((await must(api.POST('/privacy/exports', { body: subject() }))) as Export);
  });
  const erase = useAction(async () => {
    // The same key resumes a large erasure that answered 202.
    const key = `console-${held?.id ?? value}`;
    let answer = await must(
      api.POST('/privacy/erasures', { body: subject(), params: { header: { 'Idempotency-Key': key } } }),
    );
    while (answer.status !== 'done')
      answer = await must(
        api.POST('/privacy/erasures', { body: subject(), params: { header: { 'Idempotency-Key': key } } }),
      );
    setErasure(answer);
    setHeld(undefined);
    setConfirm(false);
  });

  return (
    <main id="main" tabIndex={-1}>
      <h1>Privacy requests</h1>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void find.run();
        }}
      >
        <label>
          Find by{' '}
          <select value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value as typeof by)}>
            <option value="email">e-mail</option>
            <option value="phone">phone</option>
            <option value="leadId">lead id</option>
          </select>
        </label>
        <input
          aria-label="Person"
          value={value}
          required
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary" disabled={find.busy}>
          Show what is held
        </button>
      </form>
      <ProblemBanner error={find.error ?? erase.error} />
      {held && (
        <section aria-label="What is held">
          <h2>
            {held.leadIds.length} lead(s) — export {held.id}
          </h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Records</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(held.counts).map(([kind, n]) => (
                <tr key={kind}>
                  <td>{kind}</td>
                  <td>{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Downloads (valid 15 minutes):{' '}
            {held.files.map((f) => (
              <a key={f.name} href={f.url} download={f.name}>
                {f.name}{' '}
              </a>
            ))}
          </p>
          {!confirm ? (
            <button type="button" class="danger" onClick={() => setConfirm(true)}>
              Erase this person…
            </button>
          ) : (
            <p role="alert">
              Erase everything held about this person? Reports keep counting them; nothing else can be recovered.{' '}
              <button type="button" class="danger" disabled={erase.busy} onClick={() => void erase.run()}>
                Erase now
              </button>{' '}
              <button type="button" onClick={() => setConfirm(false)}>
                Cancel
              </button>
            </p>
          )}
        </section>
      )}
      {erasure && (
        <p class="notice" role="status" data-testid="erasure-done">
          Erasure {erasure.id}: {erasure.progress.leadsErased} of {erasure.progress.leadsTotal} lead(s) erased,{' '}
          {erasure.counts.recordsDeleted} record(s) deleted, {erasure.counts.recordsPseudonymised} pseudonymised,{' '}
          {erasure.counts.blobsRemoved} file(s) removed.
        </p>
      )}
    </main>
  );
};
