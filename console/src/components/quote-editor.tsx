import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, api, must, type Schemas } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { ProblemBanner } from './problem';

type Quote = Schemas['Quote'];
type Line = { sku: string; quantity: number; discountPercent: number };
type Catalog = { products: { sku: string; name: string; unit: string }[] };

const money = (minor: number | undefined, currency: string) => {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${currency} ${((minor ?? 0) / 10 ** digits).toLocaleString('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })}`;
};

const linesOf = (quote: Quote | undefined): Line[] =>
  (quote?.lines ?? []).map((l) => ({
    sku: l.sku ?? '',
    quantity: l.quantity ?? 1,
    discountPercent: (l.discountBps ?? 0) / 100,
  }));

/**
 * Quick quotes of a lead or an opportunity: the list, and an editor for the newest one. Lines are
 * picked from the catalogue (GET /config/quotes); every change is priced by the API a moment after
 * typing stops (the draft is saved), so the totals shown are the ones the customer will get. Shows
 * the discount approval and, once sent, the PDF.
 */
export const QuoteEditor = ({ owner }: { owner: { leadId: string } | { opportunityId: string } }) => {
  const catalog = useResource(
    async () =>
      (await must(api.GET('/config/{name}', { params: { path: { name: 'quotes' } } }))).value as unknown as Catalog,
    [],
  );
  const quotes = useResource(
    async () =>
      'leadId' in owner
        ? (await must(api.GET('/leads/{id}/quotes', { params: { path: { id: owner.leadId } } }))).items
        : (await must(api.GET('/opportunities/{id}/quotes', { params: { path: { id: owner.opportunityId } } }))).items,
    ['leadId' in owner ? owner.leadId : owner.opportunityId],
    { pollMs: 5000 },
  );
  const current = quotes.data?.[0];
  const [lines, setLines] = useState<Line[]>([]);
  const [notice, setNotice] = useState<string>();
  const [pdf, setPdf] = useState<string>();
  const loadedFor = useRef<string>('');
  // The editor starts from the newest version each time another version (or quote) arrives.
  useEffect(() => {
    const key = current ? `${current.id}.${current.version}` : 'none';
    if (key === loadedFor.current) return;
    loadedFor.current = key;
    setLines(current ? linesOf(current) : []);
    setPdf(undefined);
  }, [current?.id, current?.version]);

  const editable = !current || current.status === 'draft';
  const body = () => ({
    lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, discountPercent: l.discountPercent || undefined })),
  });
  const save = useAction(async (): Promise<true> => {
    if (lines.length === 0) return true;
    if (!current || current.status === 'accepted') {
      const created =
        'leadId' in owner
          ? await must(api.POST('/leads/{id}/quotes', { params: { path: { id: owner.leadId } }, body: body() }))
          : await must(
              api.POST('/opportunities/{id}/quotes', { params: { path: { id: owner.opportunityId } }, body: body() }),
            );
      loadedFor.current = `${created.id}.${created.version}`;
      quotes.setData((prev) => [created, ...(prev ?? [])]);
      return true;
    }
    const saved = await must(api.PUT('/quotes/{quoteId}', { params: { path: { quoteId: current.id } }, body: body() }));
    loadedFor.current = `${saved.id}.${saved.version}`;
    quotes.setData((prev) => [saved, ...(prev ?? []).filter((q) => q.id !== saved.id)]);
    return true;
  });
  // Saves run one after another, each with the lines on screen when it starts; `saving` is the last one.
  const saving = useRef<Promise<true | undefined>>(Promise.resolve(true));
  const saveNow = () => {
    saving.current = saving.current.then(() => save.run());
    return saving.current;
  };
  // Live totals: a draft is priced by the API 400 ms after the last change.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const change = (next: Line[]) => {
    setLines(next);
    if (current?.status !== 'draft') return;
    clearTimeout(pending.current);
    pending.current = setTimeout(() => {
      pending.current = undefined;
      void saveNow();
    }, 400);
  };
  /**
   * What the customer gets is what the editor shows: an edit still waiting for its save (typed less than
   * 400 ms ago) is saved now, and a save under way is awaited, before the action; a failed save stops it.
   */
  const flushEdits = async (): Promise<boolean> => {
    if (pending.current !== undefined) {
      clearTimeout(pending.current);
      pending.current = undefined;
      void saveNow();
    }
    return (await saving.current) === true;
  };
  const act = useAction(async (action: 'send' | 'accept' | 'decline') => {
    if (!current) return;
    if (!(await flushEdits())) return;
    try {
      const res = await api.POST('/quotes/{quoteId}/actions/{action}', {
        params: { path: { quoteId: current.id, action } },
      });
      const outcome = await must(Promise.resolve(res));
      quotes.setData((prev) => [outcome.quote, ...(prev ?? []).filter((q) => q.id !== outcome.quote.id)]);
      setNotice(
        res.response.status === 202
          ? 'The discount is above your limit: it waits on approval. Send again once approved.'
          : `Quote ${action === 'send' ? 'sent to the customer' : `${action}ed`}.${
              outcome.conversion?.started
                ? ' The lead is converting.'
                : outcome.conversion?.why
                  ? ` ${outcome.conversion.why}`
                  : ''
            }`,
      );
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 409) await quotes.reload();
      throw e;
    }
  });
  const openPdf = useAction(async () => {
    if (!current) return;
    const link = await must(api.GET('/quotes/{quoteId}/pdf', { params: { path: { quoteId: current.id } } }));
    setPdf(link.url);
  });

  const products = catalog.data?.products ?? [];
  const approval = current?.approval;
  return (
    <section aria-labelledby="quote-title" class="quote-editor">
      <h2 id="quote-title">
        Quote{current ? ` ${current.id} v${current.version}` : ''}{' '}
        {current ? <span class="muted">· {current.status}</span> : null}
      </h2>
      <ProblemBanner error={quotes.error ?? catalog.error ?? save.error ?? act.error ?? openPdf.error} />
      <table aria-label="Quote lines">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Quantity</th>
            <th scope="col">Discount %</th>
            <th scope="col">Net</th>
            <th scope="col">
              <span class="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, i) => (
            <tr key={i}>
              <td>
                <select
                  aria-label={`Product of line ${i + 1}`}
                  value={line.sku}
                  disabled={!editable}
                  onChange={(e) => change(lines.map((l, j) => (j === i ? { ...l, sku: e.currentTarget.value } : l)))}
                >
                  {products.map((p) => (
                    <option key={p.sku} value={p.sku}>
                      {p.name} ({p.unit})
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type="number"
                  min={1}
                  aria-label={`Quantity of line ${i + 1}`}
                  value={line.quantity}
                  disabled={!editable}
                  onInput={(e) =>
                    change(lines.map((l, j) => (j === i ? { ...l, quantity: Number(e.currentTarget.value) || 1 } : l)))
                  }
                />
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  max={100}
                  step={0.01}
                  aria-label={`Discount of line ${i + 1}`}
                  value={line.discountPercent}
                  disabled={!editable}
                  onInput={(e) =>
                    change(
                      lines.map((l, j) =>
                        j === i ? { ...l, discountPercent: Number(e.currentTarget.value) || 0 } : l,
                      ),
                    )
                  }
                />
              </td>
              <td>
                {current?.status === 'draft' && current.lines[i]?.sku === line.sku
                  ? money(current.lines[i]?.netMinor, current.currency)
                  : '—'}
              </td>
              <td>
                <button
                  type="button"
                  disabled={!editable}
                  aria-label={`Remove line ${i + 1}`}
                  onClick={() => change(lines.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        <button
          type="button"
          disabled={!editable || products.length === 0}
          onClick={() => change([...lines, { sku: products[0]?.sku ?? '', quantity: 1, discountPercent: 0 }])}
        >
          Add line
        </button>
        {!current || current.status === 'accepted' ? (
          <button type="button" disabled={lines.length === 0 || save.busy} onClick={() => void saveNow()}>
            Create quote
          </button>
        ) : current.status !== 'draft' ? (
          <button type="button" onClick={() => void saveNow()} disabled={lines.length === 0 || save.busy}>
            Revise (new version)
          </button>
        ) : null}
      </div>
      {current ? (
        <div aria-live="polite">
          <dl class="fields" aria-label="Totals">
            <dt>Subtotal</dt>
            <dd>{money(current.totals.subtotalMinor, current.currency)}</dd>
            <dt>Discount</dt>
            <dd>{money(current.totals.discountMinor, current.currency)}</dd>
            <dt>Tax ({(current.totals.taxRateBps ?? 0) / 100} %)</dt>
            <dd>{money(current.totals.taxMinor, current.currency)}</dd>
            <dt>Total</dt>
            <dd>
              <strong data-testid="quote-total">{money(current.totals.totalMinor, current.currency)}</strong>
            </dd>
            <dt>Valid until</dt>
            <dd>{current.validUntil}</dd>
            <dt>Approval</dt>
            <dd data-testid="quote-approval">
              {approval
                ? `${approval.status} · ${approval.chainName} (step ${(approval.stepIndex ?? 0) + 1} of ${approval.steps})`
                : 'not needed so far'}
            </dd>
          </dl>
          <div class="actions">
            {current.status === 'draft' ? (
              <button type="button" disabled={act.busy} onClick={() => void act.run('send')}>
                Send to customer
              </button>
            ) : null}
            {current.status === 'sent' ? (
              <>
                <button type="button" disabled={act.busy} onClick={() => void act.run('accept')}>
                  Customer accepted
                </button>
                <button type="button" disabled={act.busy} onClick={() => void act.run('decline')}>
                  Customer declined
                </button>
              </>
            ) : null}
            {current.pdf ? (
              <button type="button" onClick={() => void openPdf.run()}>
                Get PDF
              </button>
            ) : null}
          </div>
          {pdf ? (
            <p>
              <a href={pdf} download={current.pdf?.fileName}>
                Download {current.pdf?.fileName}
              </a>
            </p>
          ) : null}
          {notice ? <p role="status">{notice}</p> : null}
        </div>
      ) : null}
    </section>
  );
};
