/**
 * Hash routes of the console (the server serves one page at `/`):
 *
 *   #/<org>/dashboards/<id>?from=&to=&blueprint=&team=&member=&field=
 *   #/<org>/sql   #/<org>/history   #/<org>/keys   #/<org>/users   #/<org>/connect/<tool>
 *   #/admin/orgs  (operators)
 *
 * Filters live in the route, so a dashboard view can be bookmarked and shared.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'home' }
  | { page: 'dashboard'; org: string; dash: string; params: URLSearchParams }
  | { page: 'sql'; org: string }
  | { page: 'history'; org: string }
  | { page: 'keys'; org: string }
  | { page: 'users'; org: string }
  | { page: 'connect'; org: string; tool: string }
  | { page: 'orgs' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0) return { page: 'home' };
  if (parts[0] === 'admin' && parts[1] === 'orgs' && parts.length === 2) return { page: 'orgs' };
  const [org, section, sub] = parts as [string, string | undefined, string | undefined];
  switch (section) {
    case 'dashboards':
      if (sub) return { page: 'dashboard', org, dash: sub, params };
      break;
    case 'sql':
    case 'history':
    case 'keys':
    case 'users':
      if (!sub) return { page: section, org };
      break;
    case 'connect':
      return { page: 'connect', org, tool: sub ?? 'psql' };
    case undefined:
      return { page: 'dashboard', org, dash: 'process-durations', params };
  }
  return { page: 'not-found', path };
}

export function href(r: Route): string {
  const o = (org: string) => encodeURIComponent(org);
  switch (r.page) {
    case 'home':
      return '#/';
    case 'dashboard': {
      const qs = r.params.toString();
      return `#/${o(r.org)}/dashboards/${r.dash}${qs ? `?${qs}` : ''}`;
    }
    case 'connect':
      return `#/${o(r.org)}/connect/${r.tool}`;
    case 'orgs':
      return '#/admin/orgs';
    case 'not-found':
      return `#/${r.path}`;
    default:
      return `#/${o(r.org)}/${r.page}`;
  }
}

export function navigate(r: Route, opts: { replace?: boolean } = {}): void {
  const h = href(r);
  if (opts.replace) history.replaceState(null, '', h);
  else history.pushState(null, '', h);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The current route, re-rendering on every change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => {
      window.removeEventListener('hashchange', on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return route;
}
