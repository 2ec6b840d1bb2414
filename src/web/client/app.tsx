/**
 * The console shell: signs in (or shows the sign-in page), lays out the navigation, the
 * organization switch (operators), the data freshness and the user menu, and shows the page of
 * the current route. Access is the server's to decide: a page the user may not see shows the
 * server's refusal, in words.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, onSignedOut, setCsrfToken } from './api.ts';
import type { DashboardSpec, FilterOptions, OrgOverview, SessionInfo } from './api-types.ts';
import { ChangePasswordDialog } from './components/change-password.tsx';
import { Alert, ErrorText, Spinner, messageOf } from './components/ui.tsx';
import { formatInstant, relativeTime } from './format.ts';
import { ConnectPage } from './pages/connect.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { HistoryPage } from './pages/history.tsx';
import { KeysPage } from './pages/keys.tsx';
import { LoginPage } from './pages/login.tsx';
import { OrgsPage } from './pages/orgs.tsx';
import { SqlPage } from './pages/sql.tsx';
import { UsersPage } from './pages/users.tsx';
import { href, navigate, useRoute, type Route } from './router.ts';

const ROLE_TEXT = { operator: 'Operator', org_admin: 'Admin', viewer: 'Viewer' } as const;
/** Pages that only query; with analytics off they would show one refusal per panel. */
const NEEDS_ANALYTICS = new Set<Route['page']>(['dashboard', 'sql', 'history']);

export function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>();
  const [bootError, setBootError] = useState<unknown>();

  const signedIn = (s: SessionInfo) => {
    setCsrfToken(s.csrfToken);
    setNotice(undefined);
    setSession(s);
  };
  useEffect(() => {
    api<SessionInfo>('GET', '/session').then(signedIn, (e: unknown) => {
      if ((e as { status?: number }).status === 401) setSession(null);
      else setBootError(e);
    });
    return onSignedOut(() => {
      setNotice('Your session has ended. Sign in again to continue.');
      setSession(null);
    });
  }, []);

  if (bootError !== undefined) {
    return (
      <main class="login" id="main">
        <div class="login-card">
          <ErrorText error={bootError} />
          <button type="button" class="btn" onClick={() => location.reload()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (session === undefined) return <Spinner label="Opening the console…" />;
  if (session === null) return <LoginPage onSignedIn={signedIn} notice={notice} />;
  return (
    <Console
      session={session}
      onSignOut={async () => {
        try {
          await api('DELETE', '/session');
        } catch {
          // signed out already
        }
        setSession(null);
        setNotice('You are signed out.');
        history.replaceState(null, '', '#/');
      }}
      onSessionChanged={signedIn}
      onOrgsChanged={async () => {
        try {
          signedIn(await api<SessionInfo>('GET', '/session'));
        } catch {
          // the next call will show what is wrong
        }
      }}
    />
  );
}

function Console(props: { session: SessionInfo; onSignOut: () => void; onSessionChanged: (s: SessionInfo) => void; onOrgsChanged: () => void }) {
  const { session } = props;
  const [changingPassword, setChangingPassword] = useState(false);
  const route = useRoute();
  const [dashboards, setDashboards] = useState<DashboardSpec[] | undefined>();
  const [navOpen, setNavOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const org = 'org' in route ? route.org : undefined;
  const pageKey = `${route.page}/${org ?? ''}/${'dash' in route ? route.dash : ''}/${'tool' in route ? route.tool : ''}`;
  const overview = useOrgData<OrgOverview>(org, (o) => `/orgs/${encodeURIComponent(o)}`, pageKey);
  const options = useOrgData<FilterOptions>(route.page === 'dashboard' ? org : undefined, (o) => `/orgs/${encodeURIComponent(o)}/filters`);

  useEffect(() => {
    api<{ dashboards: DashboardSpec[] }>('GET', '/dashboards').then((r) => setDashboards(r.dashboards), () => setDashboards([]));
  }, []);

  // The home route goes to the first dashboard of the user's organization (operators: the organizations page).
  useEffect(() => {
    if (route.page !== 'home') return;
    if (session.user.role === 'operator' && session.orgs.length === 0) navigate({ page: 'orgs' }, { replace: true });
    else navigate({ page: 'dashboard', org: session.user.org ?? session.orgs[0]!, dash: 'process-durations', params: new URLSearchParams() }, { replace: true });
  }, [route.page]);

  // A new page: close the menu, name the page, and move focus to it (for screen readers).
  const first = useRef(true);
  useEffect(() => {
    setNavOpen(false);
    document.title = `${titleOf(route, dashboards)}${org ? ` · ${org}` : ''} · Runlake`;
    if (first.current) first.current = false;
    else main.current?.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }, [pageKey, dashboards]);

  const currentOrg = org ?? session.user.org ?? session.orgs[0];
  return (
    <div class={`shell ${navOpen ? 'nav-open' : ''}`}>
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <aside class="sidebar" id="sidebar" aria-label="Main navigation">
        <div class="sidebar-inner">
          <a class="brand" href={href({ page: 'home' })}>
            <img src={document.querySelector<HTMLLinkElement>('link[rel=icon]')?.href} alt="" width="28" height="28" />
            <span>Runlake</span>
          </a>
          {currentOrg && <OrgSwitch session={session} org={currentOrg} route={route} />}
          <nav>
            {currentOrg && (
              <>
                <NavSection title="Dashboards">
                  {(dashboards ?? []).map((d) => (
                    <NavLink key={d.id} route={route} to={{ page: 'dashboard', org: currentOrg, dash: d.id, params: new URLSearchParams() }} active={route.page === 'dashboard' && route.dash === d.id}>
                      {d.title}
                    </NavLink>
                  ))}
                </NavSection>
                <NavSection title="Explore">
                  <NavLink route={route} to={{ page: 'sql', org: currentOrg }} active={route.page === 'sql'}>
                    SQL editor
                  </NavLink>
                  <NavLink route={route} to={{ page: 'history', org: currentOrg }} active={route.page === 'history'}>
                    Query history
                  </NavLink>
                  <NavLink route={route} to={{ page: 'connect', org: currentOrg, tool: 'looker-athena' }} active={route.page === 'connect'}>
                    Connect a tool
                  </NavLink>
                </NavSection>
                {session.canAdminister && (
                  <NavSection title="Manage">
                    <NavLink route={route} to={{ page: 'keys', org: currentOrg }} active={route.page === 'keys'}>
                      Access keys
                    </NavLink>
                    <NavLink route={route} to={{ page: 'users', org: currentOrg }} active={route.page === 'users'}>
                      Users
                    </NavLink>
                  </NavSection>
                )}
              </>
            )}
            {session.user.role === 'operator' && (
              <NavSection title="Operator">
                <NavLink route={route} to={{ page: 'orgs' }} active={route.page === 'orgs'}>
                  Organizations
                </NavLink>
              </NavSection>
            )}
            <NavSection title="Account">
              <li>
                <button
                  type="button"
                  class="nav-button"
                  onClick={() => {
                    setNavOpen(false);
                    setChangingPassword(true);
                  }}
                >
                  Change password
                </button>
              </li>
            </NavSection>
          </nav>
        </div>
      </aside>
      <div class="main-col">
        <header class="topbar">
          <button type="button" class="btn btn-ghost menu-button" aria-expanded={navOpen} aria-controls="sidebar" onClick={() => setNavOpen(!navOpen)}>
            <span aria-hidden="true">☰</span> Menu
          </button>
          <div class="topbar-org">{org && overview.data ? <Freshness o={overview.data} /> : null}</div>
          <div class="user-menu">
            <span class="user-name">
              {session.user.username}
              <span class="muted small"> · {ROLE_TEXT[session.user.role]}</span>
            </span>
            <button type="button" class="btn btn-small" onClick={props.onSignOut}>
              Sign out
            </button>
          </div>
          {changingPassword && <ChangePasswordDialog onChanged={props.onSessionChanged} onClose={() => setChangingPassword(false)} />}
        </header>
        <div class="nav-scrim" onClick={() => setNavOpen(false)} aria-hidden="true" />
        <main id="main" ref={main} tabIndex={-1}>
          {org && overview.error !== undefined ? (
            <Alert kind="error" title="This organization cannot be opened">
              {messageOf(overview.error)}
            </Alert>
          ) : (
            <>
              {org && overview.data && !overview.data.analyticsEnabled && (
                <Alert kind="warning" title="Analytics is off for this organization">
                  Its dashboards, SQL and query history are unavailable, and BI tools are refused, until an operator turns analytics on.{' '}
                  {session.user.role === 'operator' && <a href={href({ page: 'orgs' })}>Manage organizations</a>}
                </Alert>
              )}
              {org && overview.data && !overview.data.analyticsEnabled && NEEDS_ANALYTICS.has(route.page) ? null : (
                <Page route={route} session={session} dashboards={dashboards} options={options} onOrgsChanged={props.onOrgsChanged} />
              )}
            </>
          )}
        </main>
      </div>
    </div>
  );
}

function Page(props: { route: Route; session: SessionInfo; dashboards: DashboardSpec[] | undefined; options: OrgData<FilterOptions>; onOrgsChanged: () => void }) {
  const r = props.route;
  switch (r.page) {
    case 'home':
      return <Spinner />;
    case 'dashboard': {
      if (!props.dashboards) return <Spinner />;
      const spec = props.dashboards.find((d) => d.id === r.dash);
      if (!spec) return <Alert kind="error">There is no dashboard called “{r.dash}”.</Alert>;
      return <DashboardPage key={`${r.org}/${r.dash}`} org={r.org} spec={spec} params={r.params} options={props.options.data} optionsError={props.options.error} />;
    }
    case 'sql':
      return <SqlPage key={r.org} org={r.org} />;
    case 'history':
      return <HistoryPage key={r.org} org={r.org} />;
    case 'keys':
      return <KeysPage key={r.org} org={r.org} />;
    case 'users':
      return <UsersPage key={r.org} org={r.org} />;
    case 'connect':
      return <ConnectPage key={r.org} org={r.org} tool={r.tool} canAdminister={props.session.canAdminister} />;
    case 'orgs':
      return <OrgsPage onOrgsChanged={props.onOrgsChanged} />;
    case 'not-found':
      return (
        <Alert kind="error" title="Page not found">
          There is no page at “{r.path}”. <a href="#/">Go to the dashboards</a>.
        </Alert>
      );
  }
}

interface OrgData<T> {
  data?: T;
  error?: unknown;
}

/**
 * Loads per-organization data: again when the organization changes, and when `refresh` changes
 * (the overview on every page change, so freshness stays current); the last answer is kept while
 * a refresh is on its way.
 */
function useOrgData<T>(org: string | undefined, path: (org: string) => string, refresh = ''): OrgData<T> {
  const [state, setState] = useState<OrgData<T> & { org?: string }>({});
  useEffect(() => {
    if (!org) return;
    const a = new AbortController();
    if (state.org !== org) setState({ org });
    api<T>('GET', path(org), undefined, a.signal).then(
      (data) => setState({ org, data }),
      (error: unknown) => {
        if (!a.signal.aborted) setState({ org, error });
      },
    );
    return () => a.abort();
  }, [org, refresh]);
  return state.org === org ? state : {};
}

function Freshness(props: { o: OrgOverview }) {
  const f = props.o.freshness;
  if (!f.publishedAt) return <span class="freshness muted">No data published yet</span>;
  return (
    <span class="freshness" title={`Snapshot ${f.version ?? ''} published ${formatInstant(f.publishedAt)}`} data-published-at={f.publishedAt}>
      <span class="dot" aria-hidden="true" />
      Data as of {relativeTime(f.publishedAt)}
      {f.pending > 0 && <span class="muted"> · {f.pending} change{f.pending === 1 ? '' : 's'} waiting to publish</span>}
    </span>
  );
}

function OrgSwitch(props: { session: SessionInfo; org: string; route: Route }) {
  const { session } = props;
  if (session.user.role !== 'operator') {
    return (
      <div class="org-label">
        <span class="muted small">Organization</span>
        <strong>{props.org}</strong>
      </div>
    );
  }
  return (
    <div class="org-switch">
      <label for="org-switch" class="muted small">
        Organization
      </label>
      <select
        id="org-switch"
        value={props.org}
        onChange={(e) => {
          const next = (e.target as HTMLSelectElement).value;
          const r = props.route;
          if ('org' in r) navigate(r.page === 'dashboard' ? { ...r, org: next, params: new URLSearchParams() } : { ...r, org: next });
          else navigate({ page: 'dashboard', org: next, dash: 'process-durations', params: new URLSearchParams() });
        }}
      >
        {session.orgs.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

function NavSection(props: { title: string; children: ComponentChildren }) {
  return (
    <div class="nav-section">
      <h2 class="nav-title">{props.title}</h2>
      <ul>{props.children}</ul>
    </div>
  );
}

function NavLink(props: { route: Route; to: Route; active: boolean; children: ComponentChildren }) {
  return (
    <li>
      <a href={href(props.to)} aria-current={props.active ? 'page' : undefined} class={props.active ? 'active' : ''}>
        {props.children}
      </a>
    </li>
  );
}

function titleOf(r: Route, dashboards: DashboardSpec[] | undefined): string {
  switch (r.page) {
    case 'dashboard':
      return dashboards?.find((d) => d.id === r.dash)?.title ?? 'Dashboard';
    case 'sql':
      return 'SQL editor';
    case 'history':
      return 'Query history';
    case 'keys':
      return 'Access keys';
    case 'users':
      return 'Users';
    case 'connect':
      return 'Connect a tool';
    case 'orgs':
      return 'Organizations';
    default:
      return 'Console';
  }
}
