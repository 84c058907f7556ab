// Run by bench/functions.ts in a fresh `node` process: load one bundle, handle one event, report times.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { functionName: 'bench', awsRequestId: 'cold-start', getRemainingTimeInMillis: () => 30_000, callbackWaitsForEmptyEventLoop: false };
const boot = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const loaded = performance.now();
// Functions fed by the bus or the state machine get an HTTP-shaped event they may reject: init still counts.
let result;
let error = null;
try {
  result = await mod.handler(event, context);
} catch (e) {
  error = String(e?.message ?? e).slice(0, 200);
}
const handled = performance.now();
process.stdout.write(
  JSON.stringify({ bootMs: boot, initMs: loaded - boot, firstEventMs: handled - loaded, status: result?.statusCode ?? null, error, rssMb: process.memoryUsage().rss / 2 ** 20 }),
);
process.exit(0);
