/**
 * A result grid: a real <table> with a caption, a sticky header, numbers right-aligned, NULLs
 * shown as a dimmed dash, and rows rendered in pages (long results stay fast). When `onOpen` is
 * given, each row's first cell is a button that opens what is behind the row.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Cell, Column } from '../api-types.ts';
import { NULL_TEXT, formatCell, formatCount } from '../format.ts';

const PAGE = 200;
const NUMERIC = /^(tinyint|smallint|integer|bigint|hugeint|double|float|real|decimal|utinyint|usmallint|uinteger|ubigint)/;

export interface DisplayColumn {
  key: number;
  label: string;
  numeric: boolean;
  format: (v: Cell) => string;
}

/** Display columns of a result; `humanize` turns `due_at` into `Due at` (drill-downs; the SQL editor keeps names). */
export function columnsOf(columns: Column[], opts: { humanize?: boolean } = {}): DisplayColumn[] {
  return columns.map((c, i) => ({
    key: i,
    label: opts.humanize ? humanize(c.name) : c.name,
    numeric: NUMERIC.test(c.type),
    format: (v: Cell) => formatCell(v, c.type),
  }));
}

function humanize(name: string): string {
  const t = name.replace(/_/g, ' ').replace(/\bid\b/g, 'ID');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export function DataTable(props: {
  caption: ComponentChildren;
  columns: DisplayColumn[];
  rows: Cell[][];
  onOpen?: (rowIndex: number) => void;
  openLabel?: (rowIndex: number) => string;
  /** Show the caption only to screen readers. */
  hideCaption?: boolean;
  maxHeight?: string;
}) {
  const [shown, setShown] = useState(PAGE);
  const rows = props.rows.slice(0, shown);
  return (
    <div class="table-wrap" style={props.maxHeight ? { maxHeight: props.maxHeight } : undefined} tabIndex={0} role="region" aria-label={typeof props.caption === 'string' ? props.caption : 'Results'}>
      <table class="data-table">
        <caption class={props.hideCaption ? 'sr-only' : ''}>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric ? 'num' : ''}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {props.columns.map((c, j) => {
                const v = r[c.key] ?? null;
                const text = c.format(v);
                const content = v === null ? <span class="null">{NULL_TEXT}</span> : text;
                return (
                  <td key={c.key} class={c.numeric ? 'num' : ''}>
                    {j === 0 && props.onOpen ? (
                      <button type="button" class="link-button" onClick={() => props.onOpen!(i)} aria-label={props.openLabel ? props.openLabel(i) : undefined}>
                        {content}
                      </button>
                    ) : (
                      content
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {props.rows.length > shown && (
        <div class="table-more">
          <span>
            Showing {formatCount(shown)} of {formatCount(props.rows.length)} rows
          </span>
          <button type="button" class="btn btn-small" onClick={() => setShown(shown + PAGE * 5)}>
            Show more rows
          </button>
        </div>
      )}
    </div>
  );
}
