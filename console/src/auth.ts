import { api, must, type Session, session, setApiBase } from './api/client';

/**
 * How the console signs people in.
 *
 * On AWS: the Cognito hosted UI with the authorization-code flow and PKCE. The browser never sees a
 * password, MFA and federation come with the user pool, and it needs no SDK (SRP would add the
 * Cognito identity library to the initial load). The stack writes `/runtime-config.json` next to the
 * app with the API URL, the hosted-UI domain and the app client id.
 *
 * Locally (`npm start`, `GET /health` answers `{ "mode": "local" }`): a development sign-in that
 * mints a token for any user and groups through `POST /_local/token`. It does not exist on AWS.
 */
export type RuntimeConfig = { apiUrl?: string; cognito?: { domain: string; clientId: string; scopes?: string[] } };
export type Mode =
  | { kind: 'local' }
  | { kind: 'cognito'; config: Required<Pick<RuntimeConfig, 'cognito'>>['cognito'] }
  | { kind: 'unconfigured' };

const VERIFIER_KEY = 'leadflow.pkce';

const loadRuntimeConfig = async (): Promise<RuntimeConfig> => {
  try {
    const response = await fetch('/runtime-config.json', { cache: 'no-store' });
    if (!response.ok) return {};
    return (await response.json()) as RuntimeConfig;
  } catch {
    return {};
  }
};

export const detectMode = async (): Promise<Mode> => {
  const config = await loadRuntimeConfig();
  if (config.apiUrl) setApiBase(config.apiUrl);
  try {
    const { data } = await api.GET('/health');
    if (data?.mode === 'local') return { kind: 'local' };
  } catch {
    // the API may be unreachable; the Cognito configuration below still lets people sign in
  }
  return config.cognito ? { kind: 'cognito', config: config.cognito } : { kind: 'unconfigured' };
};

export const localSignIn = async (user: string, groups: string[]): Promise<Session> => {
  const { token } = await must(
    api.POST('/_local/token', { body: { user, groups: groups as ('rep' | 'manager' | 'salesops' | 'privacy')[] } }),
  );
  const s = { token, user, groups };
  session.set(s);
  return s;
};

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const redirectUri = () => `${location.origin}/`;

/** Sends the browser to the hosted UI; it comes back to `/?code=…&state=…`. */
export const cognitoSignIn = async (config: { domain: string; clientId: string; scopes?: string[] }) => {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(VERIFIER_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL('/oauth2/authorize', config.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: (config.scopes ?? ['openid', 'email', 'profile']).join(' '),
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  }).toString();
  location.assign(url.toString());
};

type TokenAnswer = { access_token: string; id_token?: string };

const claimsOf = (jwt: string): Record<string, unknown> => {
  const payload = jwt.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
};

/** Completes the hosted-UI round trip when the URL carries `code` and the state we sent. */
export const completeCognitoSignIn = async (config: {
  domain: string;
  clientId: string;
}): Promise<Session | undefined> => {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const pending = sessionStorage.getItem(VERIFIER_KEY);
  if (!code || !pending) return undefined;
  const { verifier, state, hash } = JSON.parse(pending) as { verifier: string; state: string; hash: string };
  sessionStorage.removeItem(VERIFIER_KEY);
  if (params.get('state') !== state) throw new Error('The sign-in answer did not match the request; try again');
  const response = await fetch(new URL('/oauth2/token', config.domain), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new Error(`Sign-in failed (${response.status})`);
  const tokens = (await response.json()) as TokenAnswer;
  const claims = claimsOf(tokens.access_token);
  const s: Session = {
    token: tokens.access_token,
    user: String(claims.username ?? claims['cognito:username'] ?? claims.sub ?? ''),
    groups: Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [],
  };
  session.set(s);
  history.replaceState(null, '', `/${hash || '#/inbox'}`);
  return s;
};

export const signOut = (mode: Mode) => {
  session.clear();
  if (mode.kind === 'cognito') {
    const url = new URL('/logout', mode.config.domain);
    url.search = new URLSearchParams({ client_id: mode.config.clientId, logout_uri: redirectUri() }).toString();
    location.assign(url.toString());
  } else {
    location.hash = '#/sign-in';
  }
};
