/**
 * The rows behind a clicked chart point or table row: asked of the server's drill-down endpoint
 * with the dashboard's filters and the point's keys, shown in a dialog with CSV download and a
 * way to open the same SQL in the editor.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.ts';
import type { Cell, DrillResult, PanelSpec } from '../api-types.ts';
import { handOver } from '../drafts.ts';
import { downloadText, formatCount, toCsv } from '../format.ts';
import { navigate } from '../router.ts';
import { DataTable, columnsOf } from './data-table.tsx';
import { Dialog, ErrorText, Spinner } from './ui.tsx';

export interface DrillTarget {
  panel: PanelSpec;
  row: Record<string, Cell>;
  label: string;
}

export function DrillDialog(props: { org: string; dash: string; filters: URLSearchParams; target: DrillTarget; onClose: () => void }) {
  const { panel, row, label } = props.target;
  const [state, setState] = useState<{ data?: DrillResult; error?: unknown }>({});

  useEffect(() => {
    const abort = new AbortController();
    const params: Record<string, string | undefined> = Object.fromEntries(props.filters.entries());
    for (const k of panel.drill?.keys ?? []) {
      const v = row[k.column];
      if (v !== null && v !== undefined) params[`k.${k.column}`] = String(v);
    }
    params.label = label.slice(0, 200);
    api<DrillResult>('GET', `/orgs/${encodeURIComponent(props.org)}/dashboards/${props.dash}/panels/${panel.id}/drill${query(params)}`, undefined, abort.signal)
      .then((data) => setState({ data }))
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setState({ error });
      });
    return () => abort.abort();
  }, []);

  const data = state.data;
  const title = data?.title ?? label;
  return (
    <Dialog
      wide
      title={title}
      subtitle={
        data
          ? data.rows.length >= data.limit
            ? `The first ${formatCount(data.limit)} rows behind “${panel.title}”`
            : `${formatCount(data.rows.length)} row${data.rows.length === 1 ? '' : 's'} behind “${panel.title}”`
          : `Rows behind “${panel.title}”`
      }
      onClose={props.onClose}
      footer={
        <>
          {data && (
            <>
              <button type="button" class="btn" onClick={() => downloadText(`${props.dash}-${panel.id}.csv`, toCsv(data.columns, data.rows))}>
                Download CSV
              </button>
              <button
                type="button"
                class="btn"
                onClick={() => {
                  handOver(props.org, data.sql);
                  props.onClose();
                  navigate({ page: 'sql', org: props.org });
                }}
              >
                Open in SQL editor
              </button>
            </>
          )}
          <button type="button" class="btn btn-primary" onClick={props.onClose}>
            Close
          </button>
        </>
      }
    >
      <div class="drill" data-state={data ? 'ready' : state.error ? 'error' : 'loading'} data-rows={data?.rows.length}>
        {state.error !== undefined && <ErrorText error={state.error} />}
        {!data && state.error === undefined && <Spinner label="Loading the rows…" />}
        {data && data.rows.length === 0 && <p class="muted">No rows match.</p>}
        {data && data.rows.length > 0 && <DataTable caption={title} hideCaption columns={columnsOf(data.columns, { humanize: true })} rows={data.rows} maxHeight="60vh" />}
      </div>
    </Dialog>
  );
}
