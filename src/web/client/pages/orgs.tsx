/** Operators: every organization with its usage, turning analytics on and off, and creating organizations. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Organization, OrgWithUsage } from '../api-types.ts';
import { Alert, Confirm, ErrorText, PageHeader, Spinner, TextInput, messageOf } from '../components/ui.tsx';
import { formatBytes, formatCount, formatInstant, relativeTime } from '../format.ts';
import { href } from '../router.ts';

export function OrgsPage(props: { onOrgsChanged: () => void }) {
  const [orgs, setOrgs] = useState<OrgWithUsage[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState('UTC');
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();
  const [confirm, setConfirm] = useState<OrgWithUsage | undefined>();
  const [busy, setBusy] = useState(false);

  const load = () => api<{ orgs: OrgWithUsage[] }>('GET', '/admin/orgs').then((r) => setOrgs(r.orgs), setError);
  useEffect(() => void load(), []);

  const run = async (f: () => Promise<string>) => {
    setBusy(true);
    setStatus(undefined);
    try {
      const text = await f();
      await load();
      setStatus({ kind: 'success', text });
      props.onOrgsChanged();
    } catch (e) {
      setStatus({ kind: 'error', text: messageOf(e) });
    }
    setBusy(false);
  };
  const create = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const o = await api<Organization>('POST', '/admin/orgs', { name, timezone });
      setName('');
      return `Organization ${o.name} created (database ${o.database}, time zone ${o.timezone}). Create an access key and users for it from its pages.`;
    });
  };
  const toggle = (o: OrgWithUsage, enabled: boolean) =>
    void run(async () => {
      await api<Organization>('PATCH', `/admin/orgs/${encodeURIComponent(o.name)}`, { analyticsEnabled: enabled });
      return enabled ? `Analytics is on for ${o.name}: it can be queried and ingested into.` : `Analytics is off for ${o.name}: its queries and ingestion are refused.`;
    });

  return (
    <div class="orgs-page">
      <PageHeader title="Organizations" description="Every organization on this server, its usage over the last 30 days and its storage. Turning analytics off refuses its queries and ingestion at once." />
      {error !== undefined && <ErrorText error={error} />}
      {status && <Alert kind={status.kind}>{status.text}</Alert>}
      {!orgs && error === undefined && <Spinner />}
      {orgs && (
        <div class="org-grid">
          {orgs.map((o) => (
            <article class="card org-card" key={o.name} data-org={o.name} aria-labelledby={`org-${o.name}`}>
              <header class="org-card-head">
                <div>
                  <h2 id={`org-${o.name}`}>{o.name}</h2>
                  <p class="muted small">
                    {o.timezone} · created {relativeTime(o.createdAt)}
                  </p>
                </div>
                <button
                  type="button"
                  role="switch"
                  class="switch"
                  aria-checked={o.analyticsEnabled}
                  disabled={busy}
                  onClick={() => (o.analyticsEnabled ? setConfirm(o) : toggle(o, true))}
                >
                  <span class="switch-track" aria-hidden="true">
                    <span class="switch-thumb" />
                  </span>
                  <span>Analytics {o.analyticsEnabled ? 'on' : 'off'}</span>
                </button>
              </header>
              <dl class="usage">
                <div>
                  <dt>Queries</dt>
                  <dd>{formatCount(o.usage.queries)}</dd>
                </div>
                <div>
                  <dt>Failed</dt>
                  <dd>{formatCount(o.usage.failedQueries)}</dd>
                </div>
                <div>
                  <dt>Bytes scanned</dt>
                  <dd>{formatBytes(o.usage.bytesScanned)}</dd>
                </div>
                <div>
                  <dt>Storage</dt>
                  <dd>
                    {formatBytes(o.usage.storageBytes)}
                    <span class="muted small block">{formatCount(o.usage.storageFiles)} Parquet files</span>
                  </dd>
                </div>
                <div>
                  <dt>Rows</dt>
                  <dd>{formatCount(o.usage.rows)}</dd>
                </div>
                <div>
                  <dt>Last publish</dt>
                  <dd title={formatInstant(o.usage.publishedAt)}>{relativeTime(o.usage.publishedAt)}</dd>
                </div>
                <div>
                  <dt>Users</dt>
                  <dd>{formatCount(o.usage.users)}</dd>
                </div>
                <div>
                  <dt>Active keys</dt>
                  <dd>{formatCount(o.usage.activeKeys)}</dd>
                </div>
              </dl>
              <div class="row-actions">
                <a class="btn btn-small" href={href({ page: 'dashboard', org: o.name, dash: 'process-durations', params: new URLSearchParams() })}>
                  Dashboards
                </a>
                <a class="btn btn-small" href={href({ page: 'keys', org: o.name })}>
                  Access keys
                </a>
                <a class="btn btn-small" href={href({ page: 'users', org: o.name })}>
                  Users
                </a>
              </div>
            </article>
          ))}
        </div>
      )}
      <form class="card inline-form" onSubmit={create} aria-label="Create an organization">
        <TextInput label="New organization" value={name} onInput={setName} required pattern="[a-z][a-z0-9_]{0,62}" hint="Lower-case letters, digits and _; also its database name." placeholder="e.g. initech" />
        <TextInput label="Time zone" value={timezone} onInput={setTimezone} hint="IANA name, e.g. Europe/Berlin." />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Create organization
        </button>
      </form>
      {confirm && (
        <Confirm
          title={`Turn analytics off for ${confirm.name}?`}
          confirmLabel="Turn off"
          danger
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => {
            const o = confirm;
            setConfirm(undefined);
            toggle(o, false);
          }}
        >
          <p>Its BI tools, scripts and dashboards are refused until it is turned on again. Its data is kept.</p>
        </Confirm>
      )}
    </div>
  );
}
