import { InvalidArgumentError, Option } from 'commander';

/**
 * Where the leadflow API is, decided the same way by every subcommand: `--api`, else
 * `LEADFLOW_API_URL`, else the local runtime on `PORT` (as `npm start` reads it), else :3000.
 */
export const defaultApiUrl = (env: NodeJS.ProcessEnv = process.env): string => {
  if (env.LEADFLOW_API_URL) return env.LEADFLOW_API_URL;
  return `http://127.0.0.1:${env.PORT || '3000'}`;
};

/** An `--api` value as a base URL without a trailing slash; anything else names the flag to fix. */
export const parseApiUrl = (value: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`'${value}' is not a URL; give --api http://host:port (or set LEADFLOW_API_URL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      `'${value}' is not an http(s) URL; give --api http://host:port (or set LEADFLOW_API_URL)`,
    );
  }
  return value.replace(/\/+$/, '');
};

/** The shared `--api <url>` option; `what` says what the command uses it for. */
export const apiOption = (what = 'the leadflow API') =>
  new Option('--api <url>', `${what} (default: LEADFLOW_API_URL, else http://127.0.0.1:$PORT, else :3000)`)
    .argParser(parseApiUrl)
    .default(parseApiUrl(defaultApiUrl()), defaultApiUrl());

/** The local runtime mints its own tokens; a deployed API needs one given. */
export const isLocalApi = (api: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(api).hostname);
