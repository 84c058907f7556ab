import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 may grow the heap while an import runs.
 *
 * An import keeps little alive (~18 MB sending, ~30 MB for a 100,000-row dry run) but allocates fast
 * (every row parsed, validated and normalised). On a machine with plenty of memory V8 then lets the old
 * generation grow to up to four times the live size before it collects (Node 20, `--trace-gc`: 18 MB
 * live, 106 MB heap), and Node 24 also grows the young generation while rows survive a scavenge
 * (30 MB live, 170 MB heap). Both were most of the CLI's resident memory. A fixed 50 % old-generation
 * growth and a young generation that keeps its starting size hold the peak near what is alive, for
 * ~10–30 % more CPU. V8 reads both at each collection, so they are set here, in the running process,
 * rather than by re-executing node with them (which costs start-up for every `leadflow` call).
 */
export const IMPORT_HEAP_GROWING_PERCENT = 50;

/** The flags to set, or undefined when the user chose V8's heap sizing themselves (node flags or NODE_OPTIONS). */
export const heapGrowthFlags = (execArgv: readonly string[], nodeOptions = ''): string | undefined =>
  [...execArgv, ...nodeOptions.split(/\s+/)].some((a) =>
    /^--(heap[-_]growing[-_]percent|optimize[-_]for[-_]size|(max[-_])?semi[-_]space)/.test(a),
  )
    ? undefined
    : `--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT} --semi-space-growth-factor=1`;

export const boundHeapGrowth = () => {
  const flag = heapGrowthFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (flag) setFlagsFromString(flag);
};
