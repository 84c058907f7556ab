import { expect as jestExpect } from '@jest/globals';

/**
 * Two forms jest's `expect` lacks and the suite uses: a message shown when the assertion fails
 * (`expect(res.status, res.text).toBe(202)` shows the body that came back), and polling
 * (`await expectEventually(() => page.url()).toMatch(/#\/leads/)`).
 */

type Matchers<T> = ReturnType<typeof jestExpect<T>>;

const withMessage = (error: unknown, message: string): unknown => {
  if (!(error instanceof Error)) return error;
  const original = error.message;
  error.message = `${message}\n\n${original}`;
  if (error.stack?.includes(original)) error.stack = error.stack.replace(original, error.message);
  return error;
};

/** The matchers (and their `.not`, `.resolves`, `.rejects`) with `message` put in front of any failure. */
const explained = <M extends object>(matchers: M, message: string): M =>
  new Proxy(matchers, {
    get: (target, key) => {
      const value: unknown = Reflect.get(target, key);
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          try {
            const result: unknown = value.apply(target, args);
            return result instanceof Promise
              ? result.catch((error: unknown) => {
                  throw withMessage(error, message);
                })
              : result;
          } catch (error) {
            throw withMessage(error, message);
          }
        };
      }
      return value !== null && typeof value === 'object' ? explained(value, message) : value;
    },
  });

/** jest's `expect`, which also takes a message to show when the assertion fails. */
export const expect: typeof jestExpect & (<T>(actual: T, message?: string) => Matchers<T>) = Object.assign(
  <T>(actual: T, message?: string): Matchers<T> =>
    message === undefined ? jestExpect(actual) : explained(jestExpect(actual), message),
  jestExpect,
);

type Polled<M> = { [K in keyof M]: M[K] extends (...args: infer A) => unknown ? (...args: A) => Promise<void> : never };
type PolledMatchers<T> = Polled<Omit<Matchers<T>, 'not' | 'resolves' | 'rejects'>> & {
  not: Polled<Matchers<T>['not']>;
};

/**
 * Reads `read()` until the matcher passes or `timeout` ms have gone by, then fails with the last
 * failure (vitest's `expect.poll`, with its defaults: every 50 ms for up to a second).
 */
export const expectEventually = <T>(
  read: () => T | Promise<T>,
  { timeout = 1_000, interval = 50 } = {},
): PolledMatchers<Awaited<T>> => {
  const matcher = (negated: boolean, name: PropertyKey) => {
    const pick = (actual: unknown) => {
      const matchers: object = jestExpect(actual);
      const holder: object = negated ? Reflect.get(matchers, 'not') : matchers;
      const fn: unknown = Reflect.get(holder, name);
      if (typeof fn !== 'function') throw new TypeError(`expect has no matcher ${String(name)}`);
      return (args: unknown[]): unknown => fn.apply(holder, args);
    };
    pick(undefined);
    return async (...args: unknown[]): Promise<void> => {
      const deadline = Date.now() + timeout;
      for (;;) {
        try {
          await pick(await read())(args);
          return;
        } catch (error) {
          if (Date.now() >= deadline) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    };
  };
  const polled = (negated: boolean) => new Proxy({}, { get: (_target, name) => matcher(negated, name) });
  return new Proxy(
    {},
    { get: (_target, name) => (name === 'not' ? polled(true) : matcher(false, name)) },
  ) as PolledMatchers<Awaited<T>>;
};
