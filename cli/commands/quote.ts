import { Command, InvalidArgumentError } from 'commander';
import { apiOption, isLocalApi } from '../api-option';

type Line = { sku: string; quantity: number; discountPercent?: number };

/** `--line SKU:QTY[:DISCOUNT%]` (e.g. `LF-PRO:10:15`) as a quote line; anything else names the flag to fix. */
export const parseLine = (value: string, previous: Line[] = []): Line[] => {
  const m = /^([^:\s]+):(\d+)(?::(\d+(?:\.\d{1,2})?))?$/.exec(value.trim());
  if (!m)
    throw new InvalidArgumentError(
      `'${value}' is not SKU:QTY or SKU:QTY:DISCOUNT (e.g. --line LF-PRO:10:15 for 10 seats at 15 % off)`,
    );
  const [, sku = '', quantity, discount] = m;
  return [
    ...previous,
    { sku, quantity: Number(quantity), ...(discount !== undefined ? { discountPercent: Number(discount) } : {}) },
  ];
};

type Common = { api: string; token?: string; as: string; groups: string };

/** The bearer token: `--token`, else (local runtime only) one minted for `--as` in `--groups`. */
const tokenFor = async (options: Common): Promise<string> => {
  if (options.token) return options.token;
  if (!isLocalApi(options.api)) throw new Error(`${options.api} is not the local runtime: give --token <jwt>`);
  const { signDevToken } = await import('../../local/dev-jwt');
  return signDevToken({ user: options.as, groups: options.groups.split(',').filter(Boolean) });
};

const call = async (options: Common, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${options.api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await tokenFor(options)}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
};

type QuoteView = {
  id: string;
  version: number;
  status: string;
  currency: string;
  totals: { netMinor: number; totalMinor: number };
  approval?: { status: string; taskId?: string } | null;
  pdf?: { fileName: string };
};
/** One line per quote: what a rep scans for (number, version, state, total, approval, PDF). */
export const quoteLine = (q: QuoteView) =>
  [
    `${q.id} v${q.version}`,
    q.status,
    `${q.currency} total ${q.totals.totalMinor} (net ${q.totals.netMinor}, minor units)`,
    q.approval ? `approval ${q.approval.status}${q.approval.taskId ? ` (task ${q.approval.taskId})` : ''}` : '',
    q.pdf ? `pdf ${q.pdf.fileName}` : '',
  ]
    .filter(Boolean)
    .join(' · ');

const withCommon = (c: Command) =>
  c
    .addOption(apiOption())
    .option('--token <jwt>', 'bearer token of the lead owner or a manager (minted automatically for the local runtime)')
    .option('--as <user>', 'local runtime: the user the token is minted for', process.env.LEADFLOW_USER ?? 'maria')
    .option('--groups <list>', 'local runtime: that user’s groups, comma-separated', 'manager')
    .option('--json', 'print the API answer as JSON');

const list = withCommon(
  new Command('list').description("list a lead's quotes (newest version of each)").argument('<leadId>'),
).action(async (leadId: string, options: Common & { json?: boolean }) => {
  const { body } = await call(options, 'GET', `/leads/${encodeURIComponent(leadId)}/quotes`);
  const items = body.items as QuoteView[];
  process.stdout.write(
    options.json ? `${JSON.stringify(items, null, 2)}\n` : items.map((q) => `${quoteLine(q)}\n`).join(''),
  );
});

const create = withCommon(
  new Command('create')
    .description('create a draft quote for a lead, priced by its price book')
    .argument('<leadId>')
    .requiredOption('--line <sku:qty[:discount]>', 'a line; repeat for more (e.g. --line LF-PRO:10:15)', parseLine),
).action(async (leadId: string, options: Common & { json?: boolean; line: Line[] }) => {
  const { body } = await call(options, 'POST', `/leads/${encodeURIComponent(leadId)}/quotes`, { lines: options.line });
  process.stdout.write(options.json ? `${JSON.stringify(body, null, 2)}\n` : `${quoteLine(body as QuoteView)}\n`);
});

const send = withCommon(
  new Command('send')
    .description('send a quote to the customer (a discount above your limit asks for approval first: send again then)')
    .argument('<quoteId>'),
).action(async (quoteId: string, options: Common & { json?: boolean }) => {
  const { status, body } = await call(options, 'POST', `/quotes/${encodeURIComponent(quoteId)}/actions/send`);
  const quote = body.quote as QuoteView;
  process.stdout.write(
    options.json
      ? `${JSON.stringify(body, null, 2)}\n`
      : `${status} ${quoteLine(quote)}${status === 202 ? '\nwaits on approval: send again once it is approved' : ''}\n`,
  );
});

/** `leadflow quote list|create|send`: quick quotes from the terminal, through the same API as the console. */
export const command = new Command('quote')
  .description('quick quotes of a lead: list, create, send')
  .addCommand(list)
  .addCommand(create)
  .addCommand(send);
