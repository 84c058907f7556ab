// Run by bench/functions.ts in a fresh `node` process: load one bundle, handle one event, report times.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { functionName: 'bench', awsRequestId: 'cold-start', getRemainingTimeInMillis: () => 30_000, callbackWaitsForEmptyEventLoop: false };
const boot = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const loaded = performance.now();
const result = await mod.handler(event, context);
const handled = performance.now();
process.stdout.write(
  JSON.stringify({ bootMs: boot, initMs: loaded - boot, firstEventMs: handled - loaded, status: result?.statusCode ?? null, rssMb: process.memoryUsage().rss / 2 ** 20 }),
);
process.exit(0);
