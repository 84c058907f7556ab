import { useEffect, useState } from 'preact/hooks';
import { api, apiUrl, must, type Schemas } from '../api/client';
import { ProblemBanner } from '../components/problem';

type Source = Schemas['Source'];

/** An absolute URL on the API (the console and the API share an origin locally; on AWS the runtime config names it). */
const absolute = (path: string) => new URL(apiUrl(path), window.location.href).href;

const LABELS: Record<string, string> = { email: 'Email', firstName: 'First name', lastName: 'Last name', phone: 'Phone', company: 'Company', productInterest: 'Product interest', 'consent.marketing': 'I agree to be contacted' };
/** Fields every form should carry; the form capture maps these names without configuration. */
const BASIC = ['firstName', 'lastName', 'email', 'phone'];

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A copy-paste HTML form posting to the source's form endpoint, with its mapped fields and the hidden honeypot. */
export const formSnippet = (source: Source): string => {
  const mapping = source.form?.fieldMapping ?? {};
  const mappedTargets = new Set(Object.values(mapping));
  const fields: [name: string, target: string][] = [...BASIC.filter((f) => !mappedTargets.has(f)).map((f): [string, string] => [f, f]), ...Object.entries(mapping)];
  const lines = [`<form method="post" action="${attr(absolute(`/forms/${source.id}`))}">`];
  for (const [name, target] of fields) {
    const label = attr(LABELS[target] ?? target);
    if (target === 'consent.marketing') lines.push(`  <label><input type="checkbox" name="${attr(name)}" value="yes"> ${label}</label>`);
    else lines.push(`  <label>${label} <input name="${attr(name)}"${target === 'email' ? ' type="email" required' : target === 'phone' ? ' type="tel"' : ''}></label>`);
  }
  const honeypot = source.form?.honeypotField;
  if (honeypot) {
    lines.push('  <!-- Leave this field hidden and empty: only bots fill it. -->');
    lines.push(`  <div aria-hidden="true" style="position:absolute;left:-10000px"><input name="${attr(honeypot)}" tabindex="-1" autocomplete="off"></div>`);
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

/** Sales ops: the sources leads arrive from, read only; secrets are never shown. */
export const SourcesView = () => {
  const [sources, setSources] = useState<Source[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    must(api.GET('/sources')).then(
      (body) => setSources(body.items),
      (e) => setError(e),
    );
  }, []);
  if (error) return <ProblemBanner error={error} />;
  if (!sources) return <p class="loading">Loading…</p>;
  return (
    <div data-testid="sources">
      <p class="notice" role="note">
        Sources are set in the deployment configuration (<code>leadflow.config.json</code>). Webhook secrets and Google keys are kept in AWS Secrets Manager and are
        never shown by the API or here; to rotate one, follow "Rotating a webhook secret" in the README's deployment section.
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
                {s.kind === 'webhook' ? <code>{absolute(`/webhooks/${s.id}`)}</code> : s.kind === 'form' ? <code>{absolute(`/forms/${s.id}`)}</code> : s.kind === 'import' ? 'Import page' : 'POST /leads'}
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
              <textarea id={`snippet-${s.id}`} readOnly rows={snippet.split('\n').length + 2} cols={100} spellcheck={false} value={snippet} data-testid={`snippet-${s.id}`} />
              <p>
                <Copy text={snippet} label={`Copy the ${s.id} form HTML`} />
              </p>
            </section>
          );
        })}
    </div>
  );
};
