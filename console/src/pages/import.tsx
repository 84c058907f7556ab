import { useState } from 'preact/hooks';
import { api, apiUrl, type ImportJob, must, session } from '../api/client';
import { useAction } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';

/** Where a column can go (the import API's target fields); anything else is a custom field or ignored. */
const TARGETS = [
  'firstName',
  'lastName',
  'fullName',
  'email',
  'phone',
  'company',
  'jobTitle',
  'website',
  'country',
  'campaign',
  'productInterest',
  'leadType',
  'expectedValue',
  'utm.source',
  'utm.medium',
  'utm.campaign',
  'utm.term',
  'utm.content',
  'consent.marketing',
  'consent.capturedAt',
  'notes',
];
const BATCH = 250;

type Parsed = { fileName: string; hash: string; headers: string[]; rows: string[][] };

const sha256Hex = async (bytes: ArrayBuffer) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');

const cell = (v: unknown): string =>
  v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);

/** Reads a CSV (papaparse) or XLSX (read-excel-file) in the browser; both load only when needed. */
const parseFile = async (file: File): Promise<Parsed> => {
  const bytes = await file.arrayBuffer();
  const hash = await sha256Hex(bytes);
  let table: string[][];
  if (/\.xlsx$/i.test(file.name)) {
    const { readSheet } = await import('read-excel-file/browser');
    table = (await readSheet(file)).map((row) => row.map(cell));
  } else {
    const { default: Papa } = await import('papaparse');
    const result = Papa.parse<string[]>(new TextDecoder().decode(bytes), { skipEmptyLines: 'greedy' });
    table = result.data;
  }
  const [headers = [], ...rows] = table;
  return { fileName: file.name, hash, headers, rows: rows.map((r) => headers.map((_, i) => r[i] ?? '')) };
};

/** Bulk import: upload, map columns (auto-mapped, editable), watch progress, then counts and the rejected rows. */
export const ImportPage = () => {
  const [parsed, setParsed] = useState<Parsed>();
  const [job, setJob] = useState<ImportJob>();
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [autoMapping, setAutoMapping] = useState<Record<string, string>>({});
  const [rejectedUrl, setRejectedUrl] = useState<string>();
  const [rejectedRows, setRejectedRows] = useState<string[][]>();

  // Choosing a file and importing it are two actions; each starts by clearing the other's problem.
  const chosen = useAction(async (file: File) => {
    started.reset();
    setJob(undefined);
    setRejectedUrl(undefined);
    setRejectedRows(undefined);
    const p = await parseFile(file);
    setParsed(p);
    // Creating the job answers the server's automatic mapping; the same file and mapping is the same job.
    const created = await must(
      api.POST('/imports', { body: { fileName: p.fileName, contentHash: p.hash, headers: p.headers } }),
    );
    const auto = Object.fromEntries(created.columns.map((c) => [c.header, c.field ?? '']));
    setAutoMapping(auto);
    setMapping(auto);
    setJob(created);
  });
  const started = useAction(async () => {
    if (!parsed || !job) return;
    chosen.reset();
    const changed = parsed.headers.some((h) => (mapping[h] ?? '') !== (autoMapping[h] ?? ''));
    let current = job;
    if (changed) {
      const columns = Object.fromEntries(parsed.headers.map((h) => [h, mapping[h] ? mapping[h] : null]));
      current = await must(
        api.POST('/imports', {
          body: { fileName: parsed.fileName, contentHash: parsed.hash, headers: parsed.headers, mapping: { columns } },
        }),
      );
      setJob(current);
    }
    for (let offset = current.processed; offset < parsed.rows.length; offset += BATCH) {
      const rows = parsed.rows
        .slice(offset, offset + BATCH)
        .map((values, i) => ({ rowNumber: offset + i + 2, values }));
      current = await must(
        api.POST('/imports/{id}/rows', {
          params: { path: { id: current.jobId } },
          body: { rows, totalRows: parsed.rows.length },
        }),
      );
      setJob(current);
    }
    if (current.counts.rejected > 0) {
      const s = session.get();
      const response = await fetch(apiUrl(`/imports/${current.jobId}/rejected`), {
        headers: s ? { authorization: `Bearer ${s.token}` } : {},
      });
      if (response.ok) {
        const text = await response.text();
        const { default: Papa } = await import('papaparse');
        setRejectedRows(Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' }).data);
        setRejectedUrl(URL.createObjectURL(new Blob([text], { type: 'text/csv' })));
      }
    }
  });
  const choose = (file: File) => chosen.run(file);
  const start = () => started.run();
  const running = started.busy;
  const error = chosen.error ?? started.error;

  const total = parsed?.rows.length ?? 0;
  const done = job ? job.processed : 0;
  const finished = job !== undefined && total > 0 && done >= total;
  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">Import leads</h1>
      <label>
        CSV or XLSX file (first row: column names)
        <input
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={running}
          onChange={(e) => e.currentTarget.files?.[0] && void choose(e.currentTarget.files[0])}
        />
      </label>
      <ProblemBanner error={error} />
      {parsed && job && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <h2>Columns</h2>
          <p class="muted">
            {total} rows in {parsed.fileName}. Columns were mapped automatically; change any before starting.
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Column in the file</th>
                <th scope="col">First value</th>
                <th scope="col">Goes to</th>
              </tr>
            </thead>
            <tbody>
              {parsed.headers.map((h, i) => (
                <tr key={h}>
                  <td>{h}</td>
                  <td>{parsed.rows[0]?.[i] ?? ''}</td>
                  <td>
                    <select
                      aria-label={`Field for column ${h}`}
                      value={mapping[h] ?? ''}
                      disabled={running || finished}
                      onChange={(e) => setMapping((m) => ({ ...m, [h]: e.currentTarget.value }))}
                    >
                      <option value="">(ignore)</option>
                      {TARGETS.map((t) => (
                        <option key={t} value={t}>
                          {t}
                        </option>
                      ))}
                      <option value={`custom:${h}`}>custom field “{h}”</option>
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!finished && (
            <button type="submit" class="primary" disabled={running}>
              {running ? 'Importing…' : `Import ${total} rows`}
            </button>
          )}
        </form>
      )}
      {job && total > 0 && (
        <section aria-labelledby="progress-title">
          <h2 id="progress-title">Progress</h2>
          <progress max={total} value={done} aria-label="Rows processed" />
          <p role="status" data-testid="import-counts">
            {done} of {total} rows · {job.counts.created} created · {job.counts.duplicates} duplicates ·{' '}
            {job.counts.rejected} rejected
          </p>
          {rejectedUrl && (
            <p>
              <a href={rejectedUrl} download={`${job.jobId}.rejected.csv`} data-testid="rejected-file">
                Download the rejected rows (CSV with reasons)
              </a>
            </p>
          )}
          {rejectedRows && <RejectedTable rows={rejectedRows} />}
        </section>
      )}
    </section>
  );
};

const SHOWN = 50;

/** The rejected rows as a table (the file's columns and the reason), the first fifty; the download has them all. */
const RejectedTable = ({ rows }: { rows: string[][] }) => {
  const [header = [], ...body] = rows;
  return (
    <figure class="scroll-x">
      <figcaption>
        Rejected rows{body.length > SHOWN ? ` (first ${SHOWN} of ${body.length}; the download has them all)` : ''}
      </figcaption>
      <table data-testid="rejected-preview">
        <thead>
          <tr>
            {header.map((h, i) => (
              <th scope="col" key={i}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.slice(0, SHOWN).map((row, r) => (
            <tr key={r}>
              {header.map((_, c) => (
                <td key={c}>{row[c] ?? ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
};
