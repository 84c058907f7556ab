/**
 * Step Functions Standard quotas a lead's execution must stay inside: an execution lasts at most one
 * year and 25,000 history events. The step that arms each wait checks the budget (`beforeWait`) and,
 * near a limit, starts its successor at the current stage and completes the wait itself, so the
 * check costs no state of its own; the steps that hand a rep wait its timeout cut it to the age left
 * (`checkpoint`, `sliceable`).
 *
 * The history is not readable from inside an execution (GetExecutionHistory per loop would cost an
 * API call against a 5-per-second refill), so it is bounded from the loops counted on the lead:
 * `eventsPerLoop` is an upper bound of the events one wait loop writes (Dispatch, the wait, Aging,
 * with retries); a test checks the bound against the local engine's history.
 */
export type ExecutionLimits = {
  /** Hand over before the estimated history reaches this (AWS: 25,000). */
  maxHistoryEvents: number;
  /** Upper bound of history events one loop adds. */
  eventsPerLoop: number;
  /** Hand over before the execution is this old (AWS: 1 year). */
  maxAgeSeconds: number;
  /** A wait shorter than this is not worth arming: hand over instead. */
  minSliceSeconds: number;
};

const DAY = 24 * 3600;

/** 20% below the history quota, five days below the age quota. */
export const DEFAULT_EXECUTION_LIMITS: ExecutionLimits = {
  maxHistoryEvents: 20_000,
  eventsPerLoop: 50,
  maxAgeSeconds: 360 * DAY,
  minSliceSeconds: 3600,
};

export type Checkpoint =
  | { handOver: false; timeoutSeconds: number }
  | { handOver: true; why: 'history' | 'age'; estimatedEvents: number; ageSeconds: number };

/**
 * Before the `loops`th wait of an execution started at `startedAt`: wait (perhaps a shorter slice,
 * so the execution never outlives its age budget) or hand over to a successor.
 */
export const checkpoint = (
  input: {
    loops: number;
    startedAt: string;
    now: Date;
    timeoutSeconds: number;
    /** A rep wait may end early (Aging re-arms it); an approval wait may not (its timeout escalates). */
    sliceable: boolean;
  },
  limits: ExecutionLimits,
): Checkpoint => {
  const ageSeconds = Math.max(0, Math.floor((input.now.getTime() - Date.parse(input.startedAt)) / 1000));
  // The next loop must fit too: the wait, and whatever the steps after it write.
  const estimatedEvents = (input.loops + 1) * limits.eventsPerLoop;
  if (estimatedEvents > limits.maxHistoryEvents) return { handOver: true, why: 'history', estimatedEvents, ageSeconds };
  const left = limits.maxAgeSeconds - ageSeconds;
  const fits = left >= input.timeoutSeconds;
  if (!fits && (!input.sliceable || left < limits.minSliceSeconds))
    return { handOver: true, why: 'age', estimatedEvents, ageSeconds };
  return { handOver: false, timeoutSeconds: Math.max(1, Math.min(input.timeoutSeconds, left)) };
};

/**
 * Seconds a wait may overrun the age budget when it is armed: the step before it cut the wait to the
 * age left a moment earlier (the budget itself stays five days below the quota).
 */
export const ARM_GRACE_SECONDS = 1;

/**
 * When a wait is armed, its timeout is fixed already: wait, or hand over when the next loop could pass
 * the history budget or the wait would outlive the age budget (a wait that came from outside the
 * execution, e.g. a rep's action, is not cut to the age left; the successor cuts it).
 */
export const beforeWait = (
  input: { loops: number; startedAt: string; now: Date; timeoutSeconds: number },
  limits: ExecutionLimits,
): Checkpoint => {
  const ageSeconds = Math.max(0, Math.floor((input.now.getTime() - Date.parse(input.startedAt)) / 1000));
  const estimatedEvents = (input.loops + 1) * limits.eventsPerLoop;
  if (estimatedEvents > limits.maxHistoryEvents) return { handOver: true, why: 'history', estimatedEvents, ageSeconds };
  if (input.timeoutSeconds > limits.maxAgeSeconds - ageSeconds + ARM_GRACE_SECONDS)
    return { handOver: true, why: 'age', estimatedEvents, ageSeconds };
  return { handOver: false, timeoutSeconds: input.timeoutSeconds };
};

/** Successors are named by generation, which only grows, so a name is never reused. */
export const successorName = (leadId: string, generation: number) => `${leadId}-g${generation}`;

/** A start the account's open-execution quota refused (`ExecutionLimitExceeded`). */
export const isExecutionLimitExceeded = (error: unknown): boolean =>
  (error as { name?: string } | undefined)?.name === 'ExecutionLimitExceeded';

/** Starts a named execution; `ExecutionAlreadyExists` means an earlier try took, and is not an error. */
export type ExecutionStarter = { start(name: string, input: Record<string, unknown>): Promise<void> };
