import { useState } from 'preact/hooks';
import type { Session } from '../api/client';
import { useAction } from '../api/use-resource';
import { cognitoSignIn, localSignIn, type Mode } from '../auth';
import { ProblemBanner } from '../components/problem';

const PEOPLE = [
  { user: 'alice', groups: ['rep'], label: 'alice — rep' },
  { user: 'bob', groups: ['rep'], label: 'bob — rep' },
  { user: 'maria', groups: ['manager'], label: 'maria — manager' },
  { user: 'sam', groups: ['salesops'], label: 'sam — sales ops' },
  { user: 'dora', groups: ['privacy'], label: 'dora — privacy officer' },
];
const GROUPS = ['rep', 'manager', 'salesops', 'privacy'] as const;

/** Sign-in: the Cognito hosted UI on AWS; locally a development sign-in, clearly marked as such. */
export const SignInPage = ({ mode, onSignedIn }: { mode: Mode; onSignedIn: (s: Session) => void }) => {
  const [user, setUser] = useState('alice');
  const [groups, setGroups] = useState<string[]>(['rep']);
  const { run: signIn, busy, error } = useAction(async () => onSignedIn(await localSignIn(user.trim(), groups)));

  if (mode.kind === 'cognito') {
    return (
      <main class="sign-in" id="main">
        <h1>Sign in to leadflow</h1>
        <button type="button" class="primary" onClick={() => void cognitoSignIn(mode.config)}>
          Sign in with your company account
        </button>
      </main>
    );
  }
  if (mode.kind === 'unconfigured') {
    return (
      <main class="sign-in" id="main">
        <h1>leadflow</h1>
        <ProblemBanner
          error={
            new Error(
              'This console has no sign-in configured: runtime-config.json is missing and the API is not the local runtime.',
            )
          }
        />
      </main>
    );
  }

  const submit = (e: Event) => {
    e.preventDefault();
    void signIn();
  };
  const toggle = (g: string, on: boolean) =>
    setGroups((prev) => (on ? [...new Set([...prev, g])] : prev.filter((x) => x !== g)));

  return (
    <main class="sign-in" id="main">
      <h1>Sign in to leadflow</h1>
      <p class="local-only" role="note">
        <strong>Local development only.</strong> This sign-in mints a token for any user you name. It exists only under{' '}
        <code>npm start</code>; the deployed console signs in through Cognito.
      </p>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Quick pick</legend>
          {PEOPLE.map((p) => (
            <button
              type="button"
              key={p.user}
              onClick={() => {
                setUser(p.user);
                setGroups(p.groups);
              }}
            >
              {p.label}
            </button>
          ))}
        </fieldset>
        <label>
          User
          <input
            name="user"
            value={user}
            required
            autoComplete="username"
            onInput={(e) => setUser(e.currentTarget.value)}
          />
        </label>
        <fieldset>
          <legend>Groups</legend>
          {GROUPS.map((g) => (
            <label class="check" key={g}>
              <input
                type="checkbox"
                name="groups"
                value={g}
                checked={groups.includes(g)}
                onChange={(e) => toggle(g, e.currentTarget.checked)}
              />
              {g}
            </label>
          ))}
        </fieldset>
        <ProblemBanner error={error} />
        <button type="submit" class="primary" disabled={busy || !user.trim()}>
          Sign in (local)
        </button>
      </form>
    </main>
  );
};
