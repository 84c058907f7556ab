import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** Something a page reads from the API: the last answer, the last load's problem, and a way to read it again. */
export type Resource<T> = {
  /** The last answer; kept while a reload (or a load for new deps) is under way, so the page does not flash empty. */
  data: T | undefined;
  /** The last load's problem (an `ApiProblem` for problem+json answers); a load that succeeds clears it. */
  error: unknown;
  /** True until the first load for the current deps has settled. */
  loading: boolean;
  reload: () => Promise<void>;
  /** Replaces the data with what an action answered, as if it had been loaded. */
  setData: (update: (previous: T | undefined) => T) => void;
};

type Options<T, L> = {
  /** Loads again this often while mounted (a page that follows changes made elsewhere). */
  pollMs?: number;
  /**
   * Folds an answer into the data shown when it arrives (a fresh first page over the pages loaded so
   * far); `previous` is undefined on the first load for the current deps. Without it the answer is the data.
   */
  merge?: (previous: T | undefined, loaded: L) => T;
};

/**
 * Loads `loader` when the deps change (and every `pollMs`, if given). An answer that arrives after
 * the deps changed is dropped, so a slow answer for the previous lead or view never shows.
 */
export const useResource = <L, T = L>(
  loader: () => Promise<L>,
  deps: readonly unknown[],
  options: Options<T, L> = {},
): Resource<T> => {
  const [data, setState] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  // Which deps the data belongs to: bumped when they change, so a late answer for old deps is ignored.
  const generation = useRef(0);
  const current = useRef<{ generation: number; data: T | undefined }>({ generation: -1, data: undefined });
  // Bumped by setData: a load that started before an action's answer was folded in is older than it.
  const writes = useRef(0);

  // The caller names what the loader depends on (`deps`), as with useEffect.
  const reload = useCallback(async () => {
    const mine = generation.current;
    const seen = writes.current;
    try {
      const loaded = await loader();
      if (mine !== generation.current) return;
      // An action answered while this load was under way: its answer is newer than this one (a poll that
      // left before a send would otherwise show the quote a draft again); the next load brings the rest.
      if (seen !== writes.current) return;
      const previous = current.current.generation === mine ? current.current.data : undefined;
      const next = options.merge ? options.merge(previous, loaded) : (loaded as unknown as T);
      current.current = { generation: mine, data: next };
      setState(() => next);
      setError(undefined);
    } catch (e) {
      if (mine === generation.current) setError(e);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, deps);

  useEffect(() => {
    generation.current += 1;
    setLoading(true);
    void reload();
    if (!options.pollMs) return;
    const timer = setInterval(() => void reload(), options.pollMs);
    return () => clearInterval(timer);
  }, [reload, options.pollMs]);

  const setData = useCallback((update: (previous: T | undefined) => T) => {
    const next = update(current.current.generation === generation.current ? current.current.data : undefined);
    writes.current += 1;
    current.current = { generation: generation.current, data: next };
    setState(() => next);
  }, []);

  return { data, error, loading, reload, setData };
};

/** A change a page asks the API for (a save, a decision, an upload): busy while it runs, and its problem if it failed. */
export type Action<A extends unknown[], R> = {
  /** Runs the change; resolves to its answer, or to undefined when it failed (the problem is then in `error`). */
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: unknown;
  /** Forgets the last problem (a dismissed conflict, a closed dialog). */
  reset: () => void;
};

export const useAction = <A extends unknown[], R>(act: (...args: A) => Promise<R>): Action<A, R> => {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const latest = useRef(act);
  latest.current = act;
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await latest.current(...args);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => setError(undefined), []);
  return { run, busy, error, reset };
};
