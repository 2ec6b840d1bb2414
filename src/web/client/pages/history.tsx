/**
 * Query history: this organization's own queries from every protocol, newest first, filtered by
 * state, protocol and text; any of them opens in the SQL editor or runs again.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.ts';
import type { QueryInfo } from '../api-types.ts';
import { Badge, Empty, ErrorText, PageHeader, Select, Spinner, TextInput } from '../components/ui.tsx';
import { handOver } from '../drafts.ts';
import { formatBytes, formatCount, formatDuration, formatInstant, relativeTime } from '../format.ts';
import { navigate } from '../router.ts';

const STATE_TONE = { SUCCEEDED: 'good', FAILED: 'bad', CANCELLED: 'warn', RUNNING: 'info', QUEUED: 'neutral' } as const;
const PROTOCOLS: Record<string, string> = { console: 'Console', http: 'HTTP API', pgwire: 'PostgreSQL', athena: 'Athena API' };

export function HistoryPage(props: { org: string }) {
  const { org } = props;
  const [state, setState] = useState('');
  const [protocol, setProtocol] = useState('');
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [dashboards, setDashboards] = useState(false);
  const [list, setList] = useState<{ queries: QueryInfo[]; next: string | null } | undefined>();
  const [error, setError] = useState<unknown>();
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 300);
    return () => clearTimeout(t);
  }, [search]);

  const path = (before?: string) =>
    `/orgs/${encodeURIComponent(org)}/queries${query({ state, protocol, search: debounced, dashboards: dashboards ? 'include' : undefined, before, limit: '50' })}`;

  useEffect(() => {
    const a = new AbortController();
    setList(undefined);
    setError(undefined);
    api<{ queries: QueryInfo[]; next: string | null }>('GET', path(), undefined, a.signal).then(setList, (e: unknown) => {
      if (!a.signal.aborted) setError(e);
    });
    return () => a.abort();
  }, [org, state, protocol, debounced, dashboards]);

  const more = async () => {
    if (!list?.next) return;
    setLoadingMore(true);
    try {
      const page = await api<{ queries: QueryInfo[]; next: string | null }>('GET', path(list.next));
      setList({ queries: [...list.queries, ...page.queries], next: page.next });
    } catch (e) {
      setError(e);
    }
    setLoadingMore(false);
  };

  const open = (q: QueryInfo, run: boolean) => {
    handOver(org, q.sql, run);
    navigate({ page: 'sql', org });
  };

  return (
    <div class="history-page">
      <PageHeader title="Query history" description={`Every query run on ${org}: from this console, BI tools over PostgreSQL or the Athena API, and scripts. Only your organization's queries appear here.`} />
      <form class="filters" role="search" aria-label="History filters" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="State"
          value={state}
          onChange={setState}
          options={[
            { value: '', label: 'Any state' },
            { value: 'SUCCEEDED', label: 'Succeeded' },
            { value: 'FAILED', label: 'Failed' },
            { value: 'CANCELLED', label: 'Cancelled' },
            { value: 'RUNNING', label: 'Running' },
            { value: 'QUEUED', label: 'Queued' },
          ]}
        />
        <Select label="Source" value={protocol} onChange={setProtocol} options={[{ value: '', label: 'Any source' }, ...Object.entries(PROTOCOLS).map(([value, label]) => ({ value, label }))]} />
        <TextInput label="Search" class="field-wide" type="search" value={search} onInput={setSearch} placeholder="Text in the SQL, a user or an access key" />
        <label class="check">
          <input type="checkbox" checked={dashboards} onChange={(e) => setDashboards((e.target as HTMLInputElement).checked)} />
          Include the dashboards' own queries
        </label>
      </form>
      {error !== undefined && <ErrorText error={error} />}
      {!list && error === undefined && <Spinner label="Loading the history…" />}
      {list && list.queries.length === 0 && <Empty>No queries match these filters.</Empty>}
      {list && list.queries.length > 0 && (
        <div class="card table-card">
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Queries">
            <table class="data-table history-table stack-table">
              <caption class="sr-only">Queries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">State</th>
                  <th scope="col">SQL</th>
                  <th scope="col" class="num">Result</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.queries.map((q) => (
                  <tr key={q.queryId} data-query-id={q.queryId} data-state={q.state}>
                    <td class="nowrap">
                      <div title={formatInstant(q.submittedAt)}>{relativeTime(q.submittedAt)}</div>
                      <div class="mono small">{q.principal}</div>
                      <div class="muted small">{PROTOCOLS[q.protocol] ?? q.protocol}</div>
                    </td>
                    <td class="nowrap">
                      <Badge tone={STATE_TONE[q.state]}>{q.state.toLowerCase()}</Badge>
                      {q.cached && <div class="muted small">from cache</div>}
                    </td>
                    <td class="sql-cell">
                      <code title={q.sql}>{q.sql.length > 300 ? `${q.sql.slice(0, 300)}…` : q.sql}</code>
                      {q.error && <div class="error-text small">{q.error.message}</div>}
                    </td>
                    <td class="num nowrap result-cell">
                      <div data-label="Duration">{formatDuration(q.execMs)}</div>
                      <div class="muted small" data-label="Rows">
                        {q.rows === null ? '—' : `${formatCount(q.rows)} row${q.rows === 1 ? '' : 's'}`}
                      </div>
                      <div class="muted small" data-label="Scanned">
                        {q.bytesScanned === null ? '—' : `${formatBytes(q.bytesScanned)} read`}
                      </div>
                    </td>
                    <td class="actions">
                      <div class="stacked-actions">
                        <button type="button" class="btn btn-small" onClick={() => open(q, false)} aria-label={`Open query ${q.queryId.slice(0, 8)} in the SQL editor`}>
                          Open
                        </button>
                        <button type="button" class="btn btn-small" onClick={() => open(q, true)} aria-label={`Run query ${q.queryId.slice(0, 8)} again`}>
                          Run again
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.next && (
            <div class="table-more">
              <button type="button" class="btn" onClick={() => void more()} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load older queries'}
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
