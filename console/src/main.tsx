import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { type Session, session as stored, whenSignedOut } from './api/client';
import { completeCognitoSignIn, detectMode, type Mode, signOut } from './auth';
import { InboxPage } from './pages/inbox';
import { href, useRoute } from './router';
import './styles.css';

// Pages other than the inbox load on demand, so the first load stays small (the dashboard brings charts);
// the sign-in form too, since a signed-in session never shows it.
const SignInPage = lazy(() => import('./pages/sign-in').then((m) => m.SignInPage));
const LeadPage = lazy(() => import('./pages/lead').then((m) => m.LeadPage));
const OpportunityPage = lazy(() => import('./pages/opportunity').then((m) => m.OpportunityPage));
const TasksPage = lazy(() => import('./pages/tasks').then((m) => m.TasksPage));
const SalesOpsPage = lazy(() => import('./pages/sales-ops').then((m) => m.SalesOpsPage));
const ImportPage = lazy(() => import('./pages/import').then((m) => m.ImportPage));
const DashboardPage = lazy(() => import('./pages/dashboard').then((m) => m.DashboardPage));
const DuplicatesPage = lazy(() => import('./pages/duplicates').then((m) => m.DuplicatesPage));

const NAV = [
  { path: '/inbox', label: 'Inbox' },
  { path: '/tasks', label: 'Tasks' },
  { path: '/sales-ops', label: 'Sales ops' },
  { path: '/import', label: 'Import' },
  { path: '/dashboard', label: 'Dashboard' },
  { path: '/duplicates', label: 'Duplicates' },
];

const App = () => {
  const route = useRoute();
  const [mode, setMode] = useState<Mode>();
  const [session, setSession] = useState<Session | undefined>(() => stored.get());

  useEffect(() => {
    void detectMode().then(async (m) => {
      setMode(m);
      if (m.kind === 'cognito') {
        const s = await completeCognitoSignIn(m.config);
        if (s) setSession(s);
      }
    });
    return whenSignedOut(() => setSession(undefined));
  }, []);

  if (!mode) return <p class="loading">Loading…</p>;
  if (!session) {
    return (
      <Suspense fallback={<p class="loading">Loading…</p>}>
        <SignInPage
          mode={mode}
          onSignedIn={(s) => {
            setSession(s);
            if (route.path === '/sign-in') location.hash = '#/inbox';
          }}
        />
      </Suspense>
    );
  }

  const [first] = route.segments;
  const page = (() => {
    switch (first) {
      case 'leads':
        return <LeadPage id={route.segments[1] ?? ''} session={session} />;
      case 'opportunities':
        return <OpportunityPage id={route.segments[1] ?? ''} />;
      case 'tasks':
        return <TasksPage session={session} />;
      case 'sales-ops':
        return <SalesOpsPage route={route} session={session} />;
      case 'import':
        return <ImportPage />;
      case 'dashboard':
        return <DashboardPage route={route} />;
      case 'duplicates':
        return <DuplicatesPage route={route} />;
      default:
        return <InboxPage route={route} session={session} />;
    }
  })();

  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">leadflow</span>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <a key={n.path} href={href(n.path)} aria-current={`/${first ?? 'inbox'}` === n.path ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <span class="who">
          {mode.kind === 'local' && <span class="badge local">local</span>} {session.user} (
          {session.groups.join(', ') || 'no groups'})
          <button
            type="button"
            onClick={() => {
              setSession(undefined);
              signOut(mode);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p class="loading">Loading…</p>}>{page}</Suspense>
      </main>
    </>
  );
};

const root = document.getElementById('app');
if (root) render(<App />, root);
