import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routing (`/#/inbox`, `/#/leads/<id>`, `/#/dashboard?from=…&to=…`): the server only serves `/`
 * and `/assets/*`, and the API keeps its own paths on the same origin.
 */
export type Route = { path: string; segments: string[]; query: URLSearchParams };

export const parseHash = (hash: string): Route => {
  const raw = hash.replace(/^#/, '') || '/inbox';
  const [path = '/inbox', search = ''] = raw.split('?');
  return {
    path,
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
};

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
};

export const href = (path: string, query?: Record<string, string | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
};

/** Replaces the query of the current hash route, keeping history short (filters, date ranges). */
export const setQuery = (path: string, query: Record<string, string | undefined>) => {
  history.replaceState(null, '', href(path, query));
  dispatchEvent(new HashChangeEvent('hashchange'));
};
