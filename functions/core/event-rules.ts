import type { FunctionName } from '../routes';

/** An EventBridge event pattern (the subset leadflow uses: values, prefix, anything-but, exists, numeric). */
export type EventPattern = { [field: string]: EventPattern | readonly unknown[] };

export type EventRule = { name: string; description: string; pattern: EventPattern; target: FunctionName };

/** Rules on the leadflow bus: the stack creates one rule per entry, the local bus matches the same. */
export const EVENT_RULES: readonly EventRule[] = [];
