/** What the helper needs of an AWS SDK v3 client: its middleware stack. */
type WithMiddlewareStack = { middlewareStack: { remove(toRemove: string): boolean } };

/**
 * Takes the SDK's `loggerMiddleware` off a client that was given no logger (none of ours is). The SDK adds
 * it to every client and, after each request, builds the log record before handing it to the logger: it
 * walks the whole input and output through their schemas to mask sensitive members, and the default
 * logger then drops the record. That walk was about 3 % of the local runtime's CPU (a profile of an import's
 * routing), and Lambda paid it on every request too. Nothing else reads the middleware's work.
 */
export const withoutSdkLogger = <C extends WithMiddlewareStack>(client: C): C => {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
};
