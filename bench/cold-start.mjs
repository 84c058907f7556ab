// Run by bench/functions.ts in a fresh `node` process: load one bundle, handle one event, report times.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = {
  functionName: 'bench',
  awsRequestId: 'cold-start',
  getRemainingTimeInMillis: () => 30_000,
  callbackWaitsForEmptyEventLoop: false,
};
// Wall time and CPU time: on a busy machine wall time stretches, CPU time much less.
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const boot = performance.now();
const bootCpu = cpuMs();
const mod = await import(pathToFileURL(bundle).href);
const loaded = performance.now();
const loadedCpu = cpuMs();
// Functions fed by the bus or the state machine get an HTTP-shaped event they may reject: init still counts.
let result;
let error = null;
try {
  result = await mod.handler(event, context);
} catch (e) {
  error = String(e?.message ?? e).slice(0, 200);
}
const handled = performance.now();
const handledCpu = cpuMs();
process.stdout.write(
  JSON.stringify({
    bootMs: boot,
    initMs: loaded - boot,
    firstEventMs: handled - loaded,
    initCpuMs: loadedCpu - bootCpu,
    firstEventCpuMs: handledCpu - loadedCpu,
    status: result?.statusCode ?? null,
    error,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  }),
);
process.exit(0);
