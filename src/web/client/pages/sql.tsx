/**
 * The SQL editor page: schema browser, editor, run and cancel, row limit and dialect, the result
 * grid, a quick chart of the result, and CSV download of what was fetched.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api, streamQuery } from '../api.ts';
import type { Cell, Column, QueryInfo, SchemaInfo } from '../api-types.ts';
import { Chart, type RowObject } from '../components/chart.tsx';
import { DataTable, columnsOf } from '../components/data-table.tsx';
import { SqlEditor, type EditorHandle } from '../components/sql-editor.tsx';
import { Alert, Empty, PageHeader, Select, messageOf } from '../components/ui.tsx';
import { loadDraft, saveDraft, takePendingRun } from '../drafts.ts';
import { downloadText, formatCount, formatDuration, toCsv } from '../format.ts';

const EXAMPLE = `-- Lead time of completed processes, per blueprint
SELECT blueprint_name,
       count(*) AS runs,
       approx_percentile(lead_time_days, 0.5) AS median_days
FROM process_durations
WHERE is_completed
GROUP BY blueprint_name
ORDER BY runs DESC`;

type RunState =
  | { phase: 'idle' }
  | { phase: 'running'; startedAt: number; queryId?: string; cancelling?: boolean }
  | { phase: 'done'; ms: number; rows: number; truncated: boolean; queryId: string }
  | { phase: 'failed'; message: string; queryId?: string }
  | { phase: 'cancelled'; queryId?: string };

const NUMERIC = /^(tinyint|smallint|integer|bigint|hugeint|double|float|real|decimal|u?(tiny|small|big)?int)/;

export function SqlPage(props: { org: string }) {
  const { org } = props;
  const [text, setText] = useState(() => loadDraft(org) ?? EXAMPLE);
  const [dialect, setDialect] = useState('trino');
  const [limit, setLimit] = useState('1000');
  const [run, setRun] = useState<RunState>({ phase: 'idle' });
  const [columns, setColumns] = useState<Column[]>([]);
  const [rows, setRows] = useState<Cell[][]>([]);
  const [tab, setTab] = useState<'results' | 'chart'>('results');
  const [schema, setSchema] = useState<SchemaInfo | undefined>();
  const [schemaError, setSchemaError] = useState<unknown>();
  const editor = useRef<EditorHandle | undefined>(undefined);
  const abort = useRef<AbortController | undefined>(undefined);
  const textRef = useRef(text);
  textRef.current = text;

  useEffect(() => {
    const a = new AbortController();
    api<SchemaInfo>('GET', `/orgs/${encodeURIComponent(org)}/schema`, undefined, a.signal).then(setSchema, (e: unknown) => {
      if (!a.signal.aborted) setSchemaError(e);
    });
    if (takePendingRun(org)) setTimeout(() => void execute(), 0);
    return () => {
      a.abort();
      abort.current?.abort();
    };
  }, [org]);

  const completion = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const r of schema?.relations ?? []) out[r.name] = r.columns.map((c) => c.name);
    for (const t of schema?.scratch.tables ?? []) out[`${schema!.scratch.schema}.${t}`] = [];
    return out;
  }, [schema]);

  const execute = async () => {
    if (run.phase === 'running') return;
    const sql = textRef.current;
    if (sql.trim() === '') {
      setRun({ phase: 'failed', message: 'Write a SQL statement to run.' });
      return;
    }
    saveDraft(org, sql);
    const a = new AbortController();
    abort.current = a;
    const startedAt = performance.now();
    setRun({ phase: 'running', startedAt });
    setColumns([]);
    setRows([]);
    let queryId: string | undefined;
    let buffer: Cell[][] = [];
    let flush: number | undefined;
    try {
      const end = await streamQuery(
        org,
        { sql, dialect, limit: Number(limit) },
        {
          onColumns: (c, id) => {
            queryId = id;
            setColumns(c);
            setRun({ phase: 'running', startedAt, queryId: id });
          },
          onRows: (r) => {
            buffer = buffer.concat(r);
            flush ??= window.setTimeout(() => {
              flush = undefined;
              const b = buffer;
              setRows(b);
            }, 100);
          },
        },
        a.signal,
      );
      if (flush !== undefined) clearTimeout(flush);
      setRows(buffer);
      setRun({ phase: 'done', ms: performance.now() - startedAt, rows: end.rows, truncated: end.truncated, queryId: queryId ?? '' });
    } catch (e) {
      if (flush !== undefined) clearTimeout(flush);
      setRows(buffer);
      if (a.signal.aborted || (e instanceof ApiError && e.code === 'cancelled')) setRun({ phase: 'cancelled', queryId });
      else setRun({ phase: 'failed', message: messageOf(e), queryId });
    }
  };

  const cancel = async () => {
    if (run.phase !== 'running') return;
    setRun({ ...run, cancelling: true });
    if (run.queryId) {
      try {
        await api<QueryInfo>('POST', `/orgs/${encodeURIComponent(org)}/queries/${encodeURIComponent(run.queryId)}/cancel`, {});
      } catch {
        // The query may have just finished; closing the stream below cancels it otherwise.
      }
    }
    abort.current?.abort();
  };

  const running = run.phase === 'running';
  const numericCols = columns.filter((c) => NUMERIC.test(c.type));
  return (
    <div class="sql-page">
      <PageHeader title="SQL editor" description={`Query ${org}'s tables and views. Trino SQL (the Athena dialect) or PostgreSQL; results are capped at the row limit.`} />
      <div class="sql-layout">
        <SchemaBrowser schema={schema} error={schemaError} onInsert={(t) => editor.current?.insert(t)} />
        <div class="sql-main">
          <div class="editor-card">
            <div class="editor-label" id="sql-label">
              Query
              <span class="hint">Ctrl+Enter runs · Tab leaves the editor</span>
            </div>
            <SqlEditor value={text} onChange={setText} onRun={() => void execute()} dialect={dialect} schema={completion} labelledBy="sql-label" handle={(h) => (editor.current = h)} />
            <div class="toolbar">
              <button type="button" class="btn btn-primary" onClick={() => void execute()} disabled={running}>
                {running ? 'Running…' : 'Run'}
              </button>
              <button type="button" class="btn" onClick={() => void cancel()} disabled={!running || (run.phase === 'running' && run.cancelling === true)}>
                Cancel
              </button>
              <Select
                label="Dialect"
                class="field-inline"
                value={dialect}
                onChange={setDialect}
                options={[
                  { value: 'trino', label: 'Trino (Athena)' },
                  { value: 'postgres', label: 'PostgreSQL' },
                ]}
              />
              <Select
                label="Row limit"
                class="field-inline"
                value={limit}
                onChange={setLimit}
                options={[
                  { value: '100', label: '100 rows' },
                  { value: '1000', label: '1,000 rows' },
                  { value: '10000', label: '10,000 rows' },
                ]}
              />
            </div>
          </div>
          <RunStatus run={run} rows={rows.length} />
          {run.phase === 'failed' && <Alert kind="error" title="The query failed">{run.message}</Alert>}
          {columns.length > 0 && (
            <div class="results-card">
              <div class="tabs" role="tablist" aria-label="Result view">
                <button type="button" role="tab" id="tab-results" aria-selected={tab === 'results'} aria-controls="tabpanel-results" tabIndex={tab === 'results' ? 0 : -1} onClick={() => setTab('results')} onKeyDown={(e) => tabKeys(e, setTab)}>
                  Results
                </button>
                <button type="button" role="tab" id="tab-chart" aria-selected={tab === 'chart'} aria-controls="tabpanel-chart" tabIndex={tab === 'chart' ? 0 : -1} onClick={() => setTab('chart')} onKeyDown={(e) => tabKeys(e, setTab)}>
                  Chart
                </button>
                <div class="toolbar-spacer" />
                <button type="button" class="btn btn-small" disabled={running} onClick={() => downloadText(`${org}-query.csv`, toCsv(columns, rows))}>
                  Download CSV
                </button>
              </div>
              {tab === 'results' ? (
                <div role="tabpanel" id="tabpanel-results" aria-labelledby="tab-results">
                  {rows.length === 0 && !running ? <Empty>The query returned no rows.</Empty> : <DataTable caption="Query results" hideCaption columns={columnsOf(columns)} rows={rows} maxHeight="480px" />}
                </div>
              ) : (
                <div role="tabpanel" id="tabpanel-chart" aria-labelledby="tab-chart">
                  <QuickChart columns={columns} numeric={numericCols} rows={rows} />
                </div>
              )}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

function tabKeys(e: KeyboardEvent, set: (t: 'results' | 'chart') => void) {
  if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
    const next = (e.currentTarget as HTMLElement).id === 'tab-results' ? 'chart' : 'results';
    set(next);
    setTimeout(() => document.getElementById(`tab-${next}`)?.focus(), 0);
  }
}

function RunStatus(props: { run: RunState; rows: number }) {
  const r = props.run;
  let text = '';
  if (r.phase === 'running') text = r.cancelling ? 'Cancelling…' : `Running… ${props.rows > 0 ? `${formatCount(props.rows)} rows so far` : ''}`;
  if (r.phase === 'done') text = `${formatCount(r.rows)} row${r.rows === 1 ? '' : 's'}${r.truncated ? ' (row limit reached: the result has more)' : ''} in ${formatDuration(r.ms)}`;
  if (r.phase === 'cancelled') text = `Cancelled${props.rows > 0 ? ` after ${formatCount(props.rows)} rows` : ''}.`;
  if (r.phase === 'failed') text = 'Failed.';
  return (
    <p class={`run-status run-${r.phase}`} role="status" aria-live="polite" data-phase={r.phase}>
      {text}
      {'queryId' in r && r.queryId ? <span class="muted"> · query {r.queryId.slice(0, 8)}</span> : null}
    </p>
  );
}

function QuickChart(props: { columns: Column[]; numeric: Column[]; rows: Cell[][] }) {
  const { columns, numeric } = props;
  const [x, setX] = useState(columns[0]?.name ?? '');
  const [y, setY] = useState(numeric.find((c) => c.name !== columns[0]?.name)?.name ?? numeric[0]?.name ?? '');
  const [kind, setKind] = useState<'bar' | 'line'>('bar');
  if (numeric.length === 0) return <Empty>A chart needs at least one numeric column in the result.</Empty>;
  const xi = columns.findIndex((c) => c.name === x);
  const yi = columns.findIndex((c) => c.name === y);
  const data: RowObject[] = props.rows.slice(0, 500).map((r) => ({ x: formatX(r[xi] ?? null), y: r[yi] ?? null }));
  return (
    <div class="quick-chart">
      <div class="toolbar">
        <Select label="Chart" class="field-inline" value={kind} onChange={(v) => setKind(v as 'bar' | 'line')} options={[{ value: 'bar', label: 'Bars' }, { value: 'line', label: 'Line' }]} />
        <Select label="X axis" class="field-inline" value={x} onChange={setX} options={columns.map((c) => ({ value: c.name, label: c.name }))} />
        <Select label="Y axis" class="field-inline" value={y} onChange={setY} options={numeric.map((c) => ({ value: c.name, label: c.name }))} />
      </div>
      {props.rows.length > 500 && <p class="hint">The chart shows the first 500 rows.</p>}
      <Chart spec={{ type: kind, category: 'x', categoryFormat: 'text', series: [{ column: 'y', name: y, format: 'number' }] }} rows={data} label={`${y} by ${x}`} height={340} />
    </div>
  );
}

function formatX(v: Cell): Cell {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? v.replace('T', ' ').replace(/:00$/, '') : v;
}

function SchemaBrowser(props: { schema: SchemaInfo | undefined; error: unknown; onInsert: (text: string) => void }) {
  const [filter, setFilter] = useState('');
  const f = filter.trim().toLowerCase();
  const rels = (props.schema?.relations ?? []).filter((r) => f === '' || r.name.includes(f) || r.columns.some((c) => c.name.includes(f)));
  return (
    <aside class="schema" aria-label="Schema browser">
      <div class="schema-head">
        <h2>Schema</h2>
        {props.schema && <span class="muted">{props.schema.database}</span>}
      </div>
      <label class="sr-only" for="schema-filter">
        Filter tables and columns
      </label>
      <input id="schema-filter" type="search" placeholder="Filter tables and columns" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      {props.error !== undefined && <Alert kind="error">{messageOf(props.error)}</Alert>}
      {!props.schema && props.error === undefined && <p class="muted">Loading…</p>}
      <ul class="schema-list">
        {rels.map((r) => (
          <li key={r.name}>
            <details open={f !== '' && !r.name.includes(f)}>
              <summary title={r.doc}>
                <span class="schema-name">{r.name}</span>
                <span class={`kind kind-${r.kind}`}>{r.kind}</span>
              </summary>
              <button type="button" class="btn btn-small btn-ghost schema-insert" onClick={() => props.onInsert(r.name)}>
                Insert “{r.name}”
              </button>
              <ul class="columns">
                {r.columns
                  .filter((c) => f === '' || r.name.includes(f) || c.name.includes(f))
                  .map((c) => (
                    <li key={c.name}>
                      <button type="button" class="column-button" title={c.doc} onClick={() => props.onInsert(c.name)}>
                        <span>{c.name}</span>
                        <span class="type">{c.type}</span>
                      </button>
                    </li>
                  ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
      {props.schema && props.schema.scratch.tables.length > 0 && (
        <>
          <h3 class="schema-sub">{props.schema.scratch.schema}</h3>
          <ul class="schema-list">
            {props.schema.scratch.tables.map((t) => (
              <li key={t}>
                <button type="button" class="column-button" onClick={() => props.onInsert(`${props.schema!.scratch.schema}.${t}`)}>
                  <span>{t}</span>
                  <span class="type">table</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
