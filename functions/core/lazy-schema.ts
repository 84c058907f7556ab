import * as z from 'zod';

/**
 * A schema built on first use instead of at import. Zod builds every schema object eagerly, and each
 * function's bundle imports the schemas of every configuration kind although only the configuration
 * API validates a saved document: at a cold start a function built about a thousand zod objects, most
 * of which it never used. Wrapped, a module-level schema is one `z.lazy` object until something parses
 * with it, composes it or asks for its JSON Schema; then it is built once and kept.
 */
export const lazySchema = <T extends z.ZodType>(build: () => T): z.ZodLazy<T> => {
  // Memoised here: zod keeps the parse's inner schema, but `unwrap()` would call the getter again.
  let built: T | undefined;
  return z.lazy(() => {
    built ??= build();
    return built;
  });
};
