import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { type Session, session as stored, whenSignedOut } from './api/client';
import { completeCognitoSignIn, detectMode, type Mode, signOut } from './auth';
import { SearchBox } from './components/search-box';
import { useDirectory } from './directory';
import { isManager } from './format';
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
const LeadsListPage = lazy(() => import('./pages/leads-list').then((m) => m.LeadsListPage));
const PrivacyPage = lazy(() => import('./pages/privacy').then((m) => m.PrivacyPage));
const DashboardPage = lazy(() => import('./pages/dashboard').then((m) => m.DashboardPage));
const DuplicatesPage = lazy(() => import('./pages/duplicates').then((m) => m.DuplicatesPage));
const MergePage = lazy(() => import('./pages/merge').then((m) => m.MergePage));

const AccountPage = lazy(() => import('./pages/crm').then((m) => m.AccountPage));
const ContactPage = lazy(() => import('./pages/crm').then((m) => m.ContactPage));

/** The pages in the navigation, each shown only to the groups that can use it (the API decides either way). */
const NAV: { path: string; label: (s: Session) => string; shown: (s: Session) => boolean }[] = [
  { path: '/inbox', label: () => 'Inbox', shown: () => true },
  { path: '/list', label: () => 'Leads', shown: () => true },
  { path: '/tasks', label: () => 'Tasks', shown: () => true },
  { path: '/sales-ops', label: () => 'Sales ops', shown: isManager },
  { path: '/import', label: () => 'Import', shown: () => true },
  { path: '/dashboard', label: (s) => (isManager(s) ? 'Dashboard' : 'My dashboard'), shown: () => true },
  { path: '/duplicates', label: () => 'Duplicates', shown: isManager },
  {
    path: '/privacy',
    label: () => 'Privacy',
    shown: (s) => s.groups.includes('salesops') || s.groups.includes('privacy'),
  },
];

/** A page the caller's groups cannot use, reached by a link or a typed URL: said plainly, not as an error. */
const NotForYou = ({ page }: { page: string }) => (
  <section aria-labelledby="nfy-title">
    <h1 id="nfy-title">{page}</h1>
    <p>This page is for managers and sales ops. Your leads and tasks are in the Inbox and Tasks.</p>
    <p>
      <a href={href('/inbox')}>Go to the inbox</a>
    </p>
  </section>
);

/** The signed-in person by name, with their groups. */
const Who = ({ session }: { session: Session }) => {
  const people = useDirectory();
  return (
    <span data-testid="who">
      {people.name(session.user)} ({session.groups.join(', ') || 'no groups'})
    </span>
  );
};

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
      case 'list':
        return <LeadsListPage route={route} session={session} />;
      case 'accounts':
        return <AccountPage id={route.segments[1] ?? ''} />;
      case 'contacts':
        return <ContactPage id={route.segments[1] ?? ''} />;
      case 'tasks':
        return <TasksPage session={session} />;
      case 'sales-ops':
        return isManager(session) ? <SalesOpsPage route={route} session={session} /> : <NotForYou page="Sales ops" />;
      case 'import':
        return <ImportPage />;
      case 'privacy':
        return <PrivacyPage />;
      case 'dashboard':
        return <DashboardPage route={route} session={session} />;
      case 'merge':
        return <MergePage route={route} />;
      case 'duplicates':
        return isManager(session) ? <DuplicatesPage route={route} /> : <NotForYou page="Duplicates" />;
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
          {NAV.filter((n) => n.shown(session)).map((n) => (
            <a key={n.path} href={href(n.path)} aria-current={`/${first ?? 'inbox'}` === n.path ? 'page' : undefined}>
              {n.label(session)}
            </a>
          ))}
        </nav>
        <SearchBox />
        <span class="who">
          {mode.kind === 'local' && <span class="badge local">local</span>} <Who session={session} />
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
