import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiUrl, must, type Schemas, session } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';

type Source = Schemas['Source'];
type RotatedSecret = Schemas['RotatedSecret'];

/** An absolute URL on the API (the console and the API share an origin locally; on AWS the runtime config names it). */
const absolute = (path: string) => new URL(apiUrl(path), window.location.href).href;

const LABELS: Record<string, string> = {
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Phone',
  company: 'Company',
  productInterest: 'Product interest',
  'consent.marketing': 'I agree to be contacted',
};
/** Fields every form should carry; the form capture maps these names without configuration. */
const BASIC = ['firstName', 'lastName', 'email', 'phone'];

const attr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A copy-paste HTML form posting to the source's form endpoint, with its mapped fields and the hidden honeypot. */
export const formSnippet = (source: Source): string => {
  const mapping = source.form?.fieldMapping ?? {};
  const mappedTargets = new Set(Object.values(mapping));
  const fields: [name: string, target: string][] = [
    ...BASIC.filter((f) => !mappedTargets.has(f)).map((f): [string, string] => [f, f]),
    ...Object.entries(mapping),
  ];
  const lines = [`<form method="post" action="${attr(absolute(`/forms/${source.id}`))}">`];
  for (const [name, target] of fields) {
    const label = attr(LABELS[target] ?? target);
    if (target === 'consent.marketing')
      lines.push(`  <label><input type="checkbox" name="${attr(name)}" value="yes"> ${label}</label>`);
    else
      lines.push(
        `  <label>${label} <input name="${attr(name)}"${target === 'email' ? ' type="email" required' : target === 'phone' ? ' type="tel"' : ''}></label>`,
      );
  }
  const honeypot = source.form?.honeypotField;
  if (honeypot) {
    lines.push('  <!-- Leave this field hidden and empty: only bots fill it. -->');
    lines.push(
      `  <div aria-hidden="true" style="position:absolute;left:-10000px"><input name="${attr(honeypot)}" tabindex="-1" autocomplete="off"></div>`,
    );
  }
  lines.push('  <button type="submit">Send</button>', '</form>');
  return lines.join('\n');
};

const Copy = ({ text, label }: { text: string; label: string }) => {
  const [done, setDone] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard?.writeText(text).then(
            () => setDone(true),
            () => setDone(false),
          )
        }
      >
        {label}
      </button>
      {done && <span role="status"> Copied.</span>}
    </>
  );
};

/** "3 h 59 min", "42 s": how long until `iso`, for people. */
export const timeUntil = (iso: string, now: number): string => {
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  if (s === 0) return 'no time: it has stopped working';
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
};

const when = (iso: string) => new Date(iso).toLocaleString();

/** Re-renders every second while mounted (a countdown). */
const useNow = () => {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
};

const SecretStatus = ({ source }: { source: Source }) => {
  const now = useNow();
  const r = source.rotation;
  if (!r) return <span class="muted">not rotated here yet</span>;
  const open = Date.parse(r.previousValidUntil) > now;
  return (
    <span>
      rotated {when(r.at)} by {r.by}
      {open && <> · previous accepted for {timeUntil(r.previousValidUntil, now)} more</>}
    </span>
  );
};

/**
 * [Rotate secret] → a modal that asks to confirm → the new secret, shown this once with a copy button,
 * and how long the previous one keeps working. Closing the modal forgets the secret.
 */
const RotateSecret = ({ source, onRotated }: { source: Source; onRotated: () => void }) => {
  const dialog = useRef<HTMLDialogElement>(null);
  const [phase, setPhase] = useState<'closed' | 'confirm' | 'working' | 'shown'>('closed');
  const [result, setResult] = useState<RotatedSecret>();
  const now = useNow();
  const titleId = `rotate-title-${source.id}`;
  const google = source.adapter === 'google-ads';
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (phase !== 'closed' && !d.open) d.showModal();
    if (phase === 'closed' && d.open) d.close();
  }, [phase]);
  const stillOpen = source.rotation !== undefined && Date.parse(source.rotation.previousValidUntil) > now;
  const {
    run: send,
    error,
    reset,
  } = useAction(() =>
    // The warning below was shown: rotating now is what the person chose, even though it drops the older secret.
    must(
      api.POST('/sources/{id}/secret', {
        params: { path: { id: source.id } },
        body: stillOpen ? { dropPrevious: true } : {},
      }),
    ),
  );
  const close = () => {
    setResult(undefined);
    reset();
    setPhase('closed');
  };
  const rotate = async () => {
    setPhase('working');
    const rotated = await send();
    setResult(rotated);
    setPhase(rotated ? 'shown' : 'confirm');
    // Either way the list shows the latest rotation (a 409 means someone rotated meanwhile: the warning then appears).
    onRotated();
  };
  return (
    <>
      <button type="button" onClick={() => setPhase('confirm')} aria-label={`Rotate secret of ${source.id}`}>
        Rotate secret
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={close} data-testid={`rotate-${source.id}`}>
        {phase === 'shown' && result ? (
          <>
            <h2 id={titleId}>
              New {google ? 'key' : 'secret'} of {source.id}
            </h2>
            <p class="problem" role="alert">
              <strong>Copy it now: you will not see it again.</strong> leadflow never shows a secret twice; if it is
              lost, rotate again.
            </p>
            <p>
              <label htmlFor={`new-secret-${source.id}`}>
                New {google ? 'Google Ads key' : 'signing secret'} of {source.id}
              </label>
              <br />
              <input
                id={`new-secret-${source.id}`}
                readOnly
                value={result.secret}
                size={60}
                spellcheck={false}
                autocomplete="off"
                onFocus={(e) => e.currentTarget.select()}
              />{' '}
              <Copy text={result.secret} label={`Copy the new secret of ${source.id}`} />
            </p>
            <p>
              {google
                ? 'Set it as the key of the Google Ads lead form.'
                : 'Give it to the platform that sends these webhooks; it signs with it from now on.'}
            </p>
            <p data-testid="previous-valid">
              The previous {google ? 'key' : 'secret'} keeps working for{' '}
              <strong>{timeUntil(result.previousValidUntil, now)}</strong> (until {when(result.previousValidUntil)}), so
              deliveries signed with it are still accepted while the platform switches over.
            </p>
            <p>
              <button type="button" class="primary" onClick={() => dialog.current?.close()}>
                Done, I have copied it
              </button>
            </p>
          </>
        ) : (
          <>
            <h2 id={titleId}>
              Rotate the {google ? 'Google Ads key' : 'secret'} of {source.id}?
            </h2>
            <p>
              A new {google ? 'key' : 'secret'} is made and shown once. The current one keeps working for a grace window
              after the rotation, then only the new one is accepted.
            </p>
            {stillOpen && source.rotation && (
              <p class="problem">
                The secret before the current one is still accepted until {when(source.rotation.previousValidUntil)};
                rotating now stops it at once.
              </p>
            )}
            <ProblemBanner error={error} />
            <p>
              <button type="button" class="danger" onClick={() => void rotate()} disabled={phase === 'working'}>
                {phase === 'working' ? 'Rotating…' : 'Yes, rotate now'}
              </button>{' '}
              <button type="button" onClick={() => dialog.current?.close()} disabled={phase === 'working'}>
                Cancel
              </button>
            </p>
          </>
        )}
      </dialog>
    </>
  );
};

/** Sales ops: the sources leads arrive from; webhook secrets are rotated here and shown once, never read back. */
export const SourcesView = () => {
  const { data: sources, error, reload } = useResource(async () => (await must(api.GET('/sources'))).items, []);
  const canRotate = session.get()?.groups.includes('salesops') ?? false;
  if (error) return <ProblemBanner error={error} />;
  if (!sources) return <p class="loading">Loading…</p>;
  return (
    <div data-testid="sources">
      <p class="notice" role="note">
        Sources are set in the deployment configuration (<code>leadflow.config.json</code>). Webhook secrets and Google
        keys are kept in AWS Secrets Manager and are never shown by the API or here, except a new one once, right after
        sales ops rotate it (README, "Rotating a webhook secret").
      </p>
      <table>
        <caption>Sources</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Adapter</th>
            <th scope="col">Duplicates</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Secret</th>
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s.id}>
              <th scope="row">{s.id}</th>
              <td>{s.name ?? '—'}</td>
              <td>{s.kind}</td>
              <td>{s.kind === 'webhook' ? s.adapter : '—'}</td>
              <td>{s.duplicatePolicy}</td>
              <td>
                {s.kind === 'webhook' ? (
                  <code>{absolute(`/webhooks/${s.id}`)}</code>
                ) : s.kind === 'form' ? (
                  <code>{absolute(`/forms/${s.id}`)}</code>
                ) : s.kind === 'import' ? (
                  'Import page'
                ) : (
                  'POST /leads'
                )}
              </td>
              <td>
                {s.kind === 'webhook' ? (
                  <>
                    <SecretStatus source={s} />{' '}
                    {canRotate && <RotateSecret source={s} onRotated={() => void reload()} />}
                  </>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sources
        .filter((s) => s.kind === 'form')
        .map((s) => {
          const snippet = formSnippet(s);
          const titleId = `form-${s.id}`;
          return (
            <section key={s.id} aria-labelledby={titleId}>
              <h2 id={titleId}>Form {s.name ?? s.id}</h2>
              <dl class="fields">
                <dt>Posts to</dt>
                <dd>
                  <code>{absolute(`/forms/${s.id}`)}</code>
                </dd>
                <dt>Allowed origins</dt>
                <dd>{s.form?.allowedOrigins.join(', ') || 'any'}</dd>
                <dt>Redirect after sending</dt>
                <dd>{s.form?.redirectUrl ?? 'none (JSON answer)'}</dd>
                <dt>Honeypot field</dt>
                <dd>{s.form?.honeypotField ?? 'none'}</dd>
                <dt>Field mapping</dt>
                <dd>
                  {Object.entries(s.form?.fieldMapping ?? {})
                    .map(([from, to]) => `${from} → ${to}`)
                    .join(', ') || 'standard names only'}
                </dd>
              </dl>
              <p>
                <label htmlFor={`snippet-${s.id}`}>HTML to paste into the website</label>
              </p>
              <textarea
                id={`snippet-${s.id}`}
                readOnly
                rows={snippet.split('\n').length + 2}
                cols={100}
                spellcheck={false}
                value={snippet}
                data-testid={`snippet-${s.id}`}
              />
              <p>
                <Copy text={snippet} label={`Copy the ${s.id} form HTML`} />
              </p>
            </section>
          );
        })}
    </div>
  );
};
