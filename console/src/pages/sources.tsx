import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiUrl, must, type Schemas, session } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { FieldError, ProblemBanner } from '../components/problem';

type Source = Schemas['Source'];
type RotatedSecret = Schemas['RotatedSecret'];
type SourceInput = Schemas['SourceInput'];

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
                The secret before the current one is still accepted until {when(source.rotation.previousValidUntil)},
                and rotating now stops it at once.
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

/** `from=to` lines ↔ a mapping (form fields, chatbot slots). */
const mappingText = (m: Record<string, string> | undefined) =>
  Object.entries(m ?? {})
    .map(([from, to]) => `${from}=${to}`)
    .join('\n');
const mappingOf = (text: string): Record<string, string> | undefined => {
  const pairs = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf('=');
      return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    });
  return pairs.length ? Object.fromEntries(pairs) : undefined;
};
const listOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

type Draft = {
  id: string;
  name: string;
  kind: SourceInput['kind'];
  adapter: NonNullable<SourceInput['adapter']>;
  duplicatePolicy: NonNullable<SourceInput['duplicatePolicy']>;
  campaign: string;
  allowedOrigins: string;
  redirectUrl: string;
  honeypotField: string;
  fieldMapping: string;
  botId: string;
  slotMapping: string;
  fulfilledMessage: string;
};

const draftOf = (s?: Source): Draft => ({
  id: s?.id ?? '',
  name: s?.name ?? '',
  kind: (s?.kind as SourceInput['kind'] | undefined) ?? 'webhook',
  adapter: s?.adapter ?? 'canonical',
  duplicatePolicy: s?.duplicatePolicy ?? 'create',
  campaign: s?.campaign ?? '',
  allowedOrigins: (s?.form?.allowedOrigins ?? []).join(', '),
  redirectUrl: s?.form?.redirectUrl ?? '',
  honeypotField: s?.form?.honeypotField ?? '',
  fieldMapping: mappingText(s?.form?.fieldMapping),
  botId: s?.chatbot?.botId ?? '',
  slotMapping: mappingText(s?.chatbot?.slotMapping),
  fulfilledMessage: s?.chatbot?.fulfilledMessage ?? '',
});

/** What the API takes: only the settings of the source's kind, blanks left out (so defaults apply). */
export const inputOf = (d: Draft, keep?: Source): SourceInput => {
  const text = (v: string) => (v.trim() ? v.trim() : undefined);
  const input: SourceInput = {
    id: d.id.trim(),
    kind: d.kind,
    adapter: d.kind === 'chatbot' ? 'lex-v2' : d.kind === 'webhook' ? d.adapter : 'canonical',
    duplicatePolicy: d.duplicatePolicy,
    ...(text(d.name) ? { name: text(d.name) } : {}),
    ...(text(d.campaign) ? { campaign: text(d.campaign) } : {}),
    // Settings this page does not edit are kept as they are.
    ...(keep?.duplicateThresholds ? { duplicateThresholds: keep.duplicateThresholds } : {}),
  };
  if (d.kind === 'form') {
    Object.assign(input, {
      allowedOrigins: listOf(d.allowedOrigins),
      ...(text(d.redirectUrl) ? { redirectUrl: text(d.redirectUrl) } : {}),
      ...(text(d.honeypotField) ? { honeypotField: text(d.honeypotField) } : {}),
      ...(mappingOf(d.fieldMapping) ? { fieldMapping: mappingOf(d.fieldMapping) } : {}),
    });
  }
  if (d.kind === 'chatbot') {
    Object.assign(input, {
      botId: d.botId.trim(),
      ...(keep?.chatbot?.botAliasArns.length ? { botAliasArns: keep.chatbot.botAliasArns } : {}),
      ...(mappingOf(d.slotMapping) ? { slotMapping: mappingOf(d.slotMapping) } : {}),
      ...(text(d.fulfilledMessage) ? { fulfilledMessage: text(d.fulfilledMessage) } : {}),
    });
  }
  return input;
};

type Created = Source & { secret?: string };

/**
 * Create (no `source`) or edit one source. An edit sends the version it read, so a change made
 * meanwhile is refused (409) rather than overwritten; id and kind stay.
 */
const SourceForm = ({
  source,
  onSaved,
  onCancel,
}: {
  source?: Source;
  onSaved: (saved: Created) => void;
  onCancel: () => void;
}) => {
  const [d, setD] = useState<Draft>(() => draftOf(source));
  const set =
    <K extends keyof Draft>(key: K) =>
    (e: Event) =>
      setD({ ...d, [key]: (e.currentTarget as HTMLInputElement).value as Draft[K] });
  const editing = source !== undefined;
  const { run, busy, error } = useAction(async () =>
    editing
      ? must(
          api.PUT('/sources/{id}', {
            params: { path: { id: source.id } },
            body: { version: source.version ?? 0, value: inputOf(d, source) },
          }),
        )
      : must(api.POST('/sources', { body: inputOf(d) })),
  );
  const save = async (e: Event) => {
    e.preventDefault();
    const saved = await run();
    if (saved) onSaved(saved as Created);
  };
  const prefix = editing ? 'value.' : '';
  const field = (key: keyof Draft, label: string, input: preact.JSX.Element, hint?: string) => (
    <p>
      <label htmlFor={`src-${key}`}>{label}</label>
      <br />
      {input}
      {hint && <span class="muted"> {hint}</span>}{' '}
      <FieldError error={error} field={`${prefix}${key}`} id={`src-${key}-error`} />
    </p>
  );
  return (
    <form
      onSubmit={(e) => void save(e)}
      aria-label={editing ? `Edit source ${source.id}` : 'New source'}
      data-testid="source-form"
    >
      <h2>{editing ? `Edit ${source.name ?? source.id}` : 'New source'}</h2>
      {field(
        'id',
        'Id (its address: /webhooks/<id> or /forms/<id>)',
        <input
          id="src-id"
          value={d.id}
          onInput={set('id')}
          readOnly={editing}
          required
          pattern="[a-z0-9][a-z0-9-]{0,62}"
        />,
        editing ? 'kept' : 'lower-case letters, digits and dashes',
      )}
      {field('name', 'Name', <input id="src-name" value={d.name} onInput={set('name')} />)}
      {field(
        'kind',
        'Kind',
        <select id="src-kind" value={d.kind} onChange={set('kind')} disabled={editing}>
          <option value="webhook">Webhook (a campaign platform pushes leads)</option>
          <option value="form">Website form</option>
          <option value="chatbot">Chatbot (Amazon Lex V2)</option>
          <option value="import">Import (files)</option>
        </select>,
      )}
      {d.kind === 'webhook' &&
        field(
          'adapter',
          'Payload format',
          <select id="src-adapter" value={d.adapter} onChange={set('adapter')}>
            <option value="canonical">Standard Webhooks, leadflow's lead fields</option>
            <option value="google-ads">Google Ads lead form</option>
          </select>,
        )}
      {field(
        'duplicatePolicy',
        'When a lead matches an existing one',
        <select id="src-duplicatePolicy" value={d.duplicatePolicy} onChange={set('duplicatePolicy')}>
          <option value="create">Create it anyway (flagged)</option>
          <option value="associate">Create it and link it to the existing account/contact</option>
          <option value="reject">Refuse it</option>
        </select>,
      )}
      {field('campaign', 'Campaign', <input id="src-campaign" value={d.campaign} onInput={set('campaign')} />)}
      {d.kind === 'form' && (
        <>
          {field(
            'allowedOrigins',
            'Websites allowed to post it',
            <input id="src-allowedOrigins" value={d.allowedOrigins} onInput={set('allowedOrigins')} size={50} />,
            'e.g. https://www.example.com, comma-separated; empty: none from a browser script',
          )}
          {field(
            'redirectUrl',
            'Thank-you page',
            <input id="src-redirectUrl" type="url" value={d.redirectUrl} onInput={set('redirectUrl')} size={50} />,
          )}
          {field(
            'honeypotField',
            'Hidden anti-bot field',
            <input id="src-honeypotField" value={d.honeypotField} onInput={set('honeypotField')} />,
          )}
          {field(
            'fieldMapping',
            'Field names of your form (one per line: yourName=leadField)',
            <textarea id="src-fieldMapping" value={d.fieldMapping} onInput={set('fieldMapping')} rows={3} cols={40} />,
          )}
        </>
      )}
      {d.kind === 'chatbot' && (
        <>
          {field('botId', 'Lex bot id', <input id="src-botId" value={d.botId} onInput={set('botId')} required />)}
          {field(
            'slotMapping',
            'Slots (one per line: slotName=leadField)',
            <textarea id="src-slotMapping" value={d.slotMapping} onInput={set('slotMapping')} rows={3} cols={40} />,
          )}
          {field(
            'fulfilledMessage',
            'What the bot says once the lead is stored',
            <input id="src-fulfilledMessage" value={d.fulfilledMessage} onInput={set('fulfilledMessage')} size={50} />,
          )}
        </>
      )}
      <ProblemBanner error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : editing ? `Save version ${(source.version ?? 0) + 1}` : 'Create source'}
        </button>{' '}
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
};

/** A new webhook source's first secret, shown this once with a copy button. */
const NewSecret = ({ source, onDone }: { source: Created; onDone: () => void }) => (
  <section class="notice" aria-labelledby="new-secret-title" data-testid="new-source-secret">
    <h2 id="new-secret-title">Signing secret of {source.id}</h2>
    <p class="problem" role="alert">
      <strong>Copy it now: you will not see it again.</strong> If it is lost, rotate it.
    </p>
    <p>
      <label htmlFor="created-secret">Signing secret of {source.id}</label>
      <br />
      <input
        id="created-secret"
        readOnly
        value={source.secret}
        size={60}
        spellcheck={false}
        autocomplete="off"
        onFocus={(e) => e.currentTarget.select()}
      />{' '}
      <Copy text={source.secret ?? ''} label={`Copy the secret of ${source.id}`} />
    </p>
    <p>
      Give it and the address <code>{absolute(`/webhooks/${source.id}`)}</code> to the platform that sends these
      webhooks (Standard Webhooks signatures).
    </p>
    <button type="button" class="primary" onClick={onDone}>
      Done, I have copied it
    </button>
  </section>
);

/** [Retire] → confirm → retired: deliveries are refused (410) from within ten seconds; the history stays. */
const RetireSource = ({ source, onRetired }: { source: Source; onRetired: () => void }) => {
  const dialog = useRef<HTMLDialogElement>(null);
  const { run, busy, error, reset } = useAction(() =>
    must(
      api.POST('/sources/{id}/retire', { params: { path: { id: source.id } }, body: { version: source.version ?? 0 } }),
    ),
  );
  const titleId = `retire-title-${source.id}`;
  const retire = async () => {
    if (await run()) {
      dialog.current?.close();
      onRetired();
    }
  };
  return (
    <>
      <button
        type="button"
        class="danger"
        onClick={() => {
          reset();
          dialog.current?.showModal();
        }}
        aria-label={`Retire ${source.id}`}
      >
        Retire
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} data-testid={`retire-${source.id}`}>
        <h2 id={titleId}>Retire {source.name ?? source.id}?</h2>
        <p>
          Within ten seconds its{' '}
          {source.kind === 'form' ? 'form stops accepting submissions' : 'deliveries are refused'} (410 Gone). Its leads
          stay; its versions and audit trail stay; its id cannot be used again.
        </p>
        <ProblemBanner error={error} />
        <p>
          <button type="button" class="danger" onClick={() => void retire()} disabled={busy}>
            {busy ? 'Retiring…' : 'Yes, retire it'}
          </button>{' '}
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
            Cancel
          </button>
        </p>
      </dialog>
    </>
  );
};

/** Sales ops: the sources leads arrive from; webhook secrets are rotated here and shown once, never read back. */
export const SourcesView = () => {
  const { data: sources, error, reload } = useResource(async () => (await must(api.GET('/sources'))).items, []);
  const canRotate = session.get()?.groups.includes('salesops') ?? false;
  const canEdit = canRotate;
  const [editing, setEditing] = useState<Source | 'new'>();
  const [created, setCreated] = useState<Created>();
  if (error) return <ProblemBanner error={error} />;
  if (!sources) return <p class="loading">Loading…</p>;
  const managed = (s: Source) => s.origin !== 'built-in' && s.status !== 'retired' && s.kind !== 'api';
  return (
    <div data-testid="sources">
      <p class="notice" role="note">
        The deployment configuration (<code>leadflow.config.json</code>) seeds the sources;
        {canEdit ? ' you ' : ' sales ops '}
        create, edit and retire them here without a deploy, each change a new version with who and when. Webhook secrets
        and Google keys are kept in AWS Secrets Manager and are never shown by the API or here, except a new one once,
        right after it is made (README, "Rotating a webhook secret").
      </p>
      {!canEdit && (
        <p class="read-only-note" data-testid="read-only">
          You can read the sources; changing them is for sales ops.
        </p>
      )}
      {created?.secret && <NewSecret source={created} onDone={() => setCreated(undefined)} />}
      {canEdit && editing === undefined && (
        <p>
          <button type="button" class="primary" onClick={() => setEditing('new')}>
            New source
          </button>
        </p>
      )}
      {canEdit && editing !== undefined && (
        <SourceForm
          key={editing === 'new' ? 'new' : editing.id}
          source={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(saved) => {
            setEditing(undefined);
            setCreated(saved.secret ? saved : undefined);
            void reload();
          }}
        />
      )}
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
            <th scope="col">Version</th>
            {canEdit && <th scope="col">Change</th>}
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s.id} class={s.status === 'retired' ? 'muted' : undefined} data-testid={`source-${s.id}`}>
              <th scope="row">
                {s.id}
                {s.status === 'retired' && <span class="badge"> retired</span>}
              </th>
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
                    {canRotate && s.status !== 'retired' && <RotateSecret source={s} onRotated={() => void reload()} />}
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td>
                {s.origin === 'built-in'
                  ? 'built in'
                  : `${s.version ?? 0}${s.updatedBy ? ` · ${s.updatedBy}, ${when(s.updatedAt ?? '')}` : ' · as configured'}`}
              </td>
              {canEdit && (
                <td>
                  {managed(s) && (
                    <>
                      <button type="button" onClick={() => setEditing(s)} aria-label={`Edit ${s.id}`}>
                        Edit
                      </button>{' '}
                      <RetireSource source={s} onRetired={() => void reload()} />
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {sources
        .filter((s) => s.kind === 'form' && s.status !== 'retired')
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
