/**
 * One dashboard panel: loads its rows for the current filters, then shows KPI tiles, a chart (with
 * a table view of the same rows, whose rows open the drill-down by keyboard) or a table. States
 * are visible in `data-state` (loading, ready, empty, error) for people and tests alike.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Cell, PanelSpec, ResultSet, ValueFormat } from '../api-types.ts';
import { formatValue } from '../format.ts';
import { Chart, type RowObject } from './chart.tsx';
import { DataTable, type DisplayColumn } from './data-table.tsx';
import type { DrillTarget } from './drill-dialog.tsx';
import { ErrorText, Spinner } from './ui.tsx';

export function Panel(props: {
  org: string;
  dash: string;
  spec: PanelSpec;
  /** `?from=…` — the filters and panel parameters. */
  search: string;
  onDrill: (t: DrillTarget) => void;
  onData?: (rows: RowObject[]) => void;
}) {
  const { spec } = props;
  const [state, setState] = useState<{ data?: ResultSet; error?: unknown; loading: boolean }>({ loading: true });
  const [asTable, setAsTable] = useState(false);

  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api<ResultSet>('GET', `/orgs/${encodeURIComponent(props.org)}/dashboards/${props.dash}/panels/${spec.id}${props.search}`, undefined, abort.signal)
      .then((data) => setState({ data, loading: false }))
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setState({ error, loading: false });
      });
    return () => abort.abort();
  }, [props.org, props.dash, spec.id, props.search]);

  const rows = useMemo<RowObject[]>(() => {
    const d = state.data;
    if (!d) return [];
    return d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c.name, r[i] ?? null])));
  }, [state.data]);
  useEffect(() => {
    if (state.data) props.onData?.(rows);
  }, [rows]);

  const drillable = spec.drill !== null;
  const drill = (i: number) => {
    const row = rows[i];
    if (!row || !drillable) return;
    props.onDrill({ panel: spec, row, label: labelOf(spec, row) });
  };
  const fieldLabel = rows[0]?.field_label;
  const status = state.error !== undefined ? 'error' : state.loading && !state.data ? 'loading' : rows.length === 0 ? 'empty' : 'ready';
  const showToggle = spec.chart.type !== 'kpis' && spec.chart.type !== 'table' && rows.length > 0;

  return (
    <section
      class={`panel panel-${spec.chart.type} ${spec.half ? 'panel-half' : ''}`}
      data-panel={spec.id}
      data-state={status}
      data-rows={rows.length}
      aria-busy={state.loading}
      aria-labelledby={`panel-${spec.id}-title`}
    >
      {spec.chart.type !== 'kpis' && (
        <header class="panel-header">
          <div>
            <h2 id={`panel-${spec.id}-title`}>{spec.title}</h2>
            <p class="panel-description">
              {typeof fieldLabel === 'string' && spec.id !== 'fields' ? <strong>{fieldLabel}. </strong> : null}
              {spec.description}
            </p>
          </div>
          {showToggle && (
            <button type="button" class="btn btn-small btn-ghost" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
              {asTable ? 'Show chart' : 'Show table'}
            </button>
          )}
        </header>
      )}
      {spec.chart.type === 'kpis' && (
        <h2 id={`panel-${spec.id}-title`} class="sr-only">
          {spec.title}
        </h2>
      )}
      <div class={`panel-body ${state.loading && state.data ? 'is-refreshing' : ''}`}>
        {state.error !== undefined && <ErrorText error={state.error} />}
        {status === 'loading' && <Spinner />}
        {status === 'empty' && spec.chart.type !== 'kpis' && <p class="muted panel-empty">No data for these filters.</p>}
        {status !== 'error' && state.data && rows.length > 0 && render(spec, rows, asTable, drillable ? drill : undefined)}
      </div>
    </section>
  );
}

function render(spec: PanelSpec, rows: RowObject[], asTable: boolean, drill: ((i: number) => void) | undefined) {
  const c = spec.chart;
  switch (c.type) {
    case 'kpis': {
      const r = rows[0]!;
      return (
        <dl class="kpis">
          {c.kpis.map((k) => (
            <div class="kpi" key={k.column} data-kpi={k.column}>
              <dt>{k.label}</dt>
              <dd data-value={r[k.column] === null ? '' : String(r[k.column])}>{formatValue(r[k.column] ?? null, k.format)}</dd>
            </div>
          ))}
        </dl>
      );
    }
    case 'table':
      return (
        <DataTable
          caption={spec.title}
          hideCaption
          columns={c.columns.map((col, i) => display(i, col.label, col.column, col.format))}
          rows={rows.map((r) => c.columns.map((col) => r[col.column] ?? null))}
          onOpen={drill}
          openLabel={drill ? (i) => `Show the rows behind ${labelOf(spec, rows[i]!)}` : undefined}
          maxHeight="420px"
        />
      );
    default:
      if (asTable) return <TableView spec={spec} rows={rows} drill={drill} />;
      return <Chart spec={c} rows={rows} label={spec.title} onSelect={drill} />;
  }
}

/** The chart's rows as a table: the keyboard path to every drill-down. */
function TableView(props: { spec: PanelSpec; rows: RowObject[]; drill: ((i: number) => void) | undefined }) {
  const c = props.spec.chart;
  let cols: DisplayColumn[] = [];
  let rows: Cell[][] = [];
  if (c.type === 'bar' || c.type === 'hbar' || c.type === 'line') {
    cols = [display(0, 'Category', c.category, c.categoryFormat), ...c.series.map((s, i) => display(i + 1, s.name, s.column, s.format))];
    rows = props.rows.map((r) => [r[c.category] ?? null, ...c.series.map((s) => r[s.column] ?? null)]);
  } else if (c.type === 'pivot') {
    cols = [display(0, 'Period', c.category, c.categoryFormat), display(1, 'Value', c.seriesColumn, 'text'), display(2, 'Answers', c.value, c.format)];
    rows = props.rows.map((r) => [r[c.category] ?? null, r[c.seriesColumn] ?? null, r[c.value] ?? null]);
  } else if (c.type === 'boxplot') {
    const labels = ['10th pct', '25th pct', 'Median', '75th pct', '90th pct'];
    cols = [display(0, 'Step', c.category, 'text'), display(1, 'Tasks', c.count, 'int'), ...c.box.map((b, i) => display(i + 2, labels[i]!, b, c.format))];
    rows = props.rows.map((r) => [r[c.category] ?? null, r[c.count] ?? null, ...c.box.map((b) => r[b] ?? null)]);
  }
  return (
    <DataTable
      caption={props.spec.title}
      hideCaption
      columns={cols}
      rows={rows}
      onOpen={props.drill}
      openLabel={props.drill ? (i) => `Show the rows behind ${labelOf(props.spec, props.rows[i]!)}` : undefined}
      maxHeight="420px"
    />
  );
}

function display(key: number, label: string, _column: string, format: ValueFormat): DisplayColumn {
  return { key, label, numeric: format !== 'text' && format !== 'datetime' && format !== 'month' && format !== 'week' && format !== 'bool', format: (v: Cell) => formatValue(v, format) };
}

/** How a row is named in a drill-down title: its category (charts) or first column (tables). */
export function labelOf(spec: PanelSpec, row: RowObject): string {
  const c = spec.chart;
  switch (c.type) {
    case 'bar':
    case 'hbar':
    case 'line':
    case 'pivot':
      return formatValue(row[c.category] ?? null, c.categoryFormat);
    case 'boxplot':
      return String(row[c.category] ?? '');
    case 'table':
      return formatValue(row[c.columns[0]!.column] ?? null, c.columns[0]!.format);
    default:
      return spec.title;
  }
}
