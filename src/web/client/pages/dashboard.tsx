/**
 * A dashboard page: its title, the filters, and its panels, each loading on its own. Clicking a
 * chart point or a table row opens the rows behind it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { DashboardSpec, FilterOptions } from '../api-types.ts';
import type { RowObject } from '../components/chart.tsx';
import { DrillDialog, type DrillTarget } from '../components/drill-dialog.tsx';
import { FilterBar } from '../components/filter-bar.tsx';
import { Panel } from '../components/panel.tsx';
import { ErrorText, PageHeader, Select } from '../components/ui.tsx';
import { navigate } from '../router.ts';

export function DashboardPage(props: { org: string; spec: DashboardSpec; params: URLSearchParams; options: FilterOptions | undefined; optionsError: unknown }) {
  const { org, spec, params } = props;
  const [drill, setDrill] = useState<DrillTarget | undefined>();
  const [fields, setFields] = useState<RowObject[]>([]);
  useEffect(() => setDrill(undefined), [org, spec.id]);

  // Only the parameters the server knows go into panel requests, in a stable order.
  const known = ['from', 'to', 'blueprint', 'team', 'member', ...spec.params];
  const search = new URLSearchParams(known.filter((k) => params.get(k)).map((k) => [k, params.get(k)!])).toString();
  const filters = new URLSearchParams(search);
  const change = (p: URLSearchParams) => navigate({ page: 'dashboard', org, dash: spec.id, params: p }, { replace: true });

  const fieldSelect = spec.params.includes('field') ? (
    <Select
      label="Field"
      class="field-wide"
      value={params.get('field') ?? ''}
      options={[
        { value: '', label: 'Most answered choice field' },
        ...fields.map((f) => ({ value: String(f.field_id), label: String(f.field) })),
        ...(params.get('field') && !fields.some((f) => f.field_id === params.get('field')) ? [{ value: params.get('field')!, label: params.get('field')! }] : []),
      ]}
      onChange={(v) => {
        const p = new URLSearchParams(params);
        if (v === '') p.delete('field');
        else p.set('field', v);
        change(p);
      }}
    />
  ) : null;

  return (
    <div class="dashboard" data-dashboard={spec.id}>
      <PageHeader
        title={spec.title}
        description={spec.description}
        actions={
          <button type="button" class="btn" disabled={[...params.keys()].length === 0} onClick={() => change(new URLSearchParams())}>
            Reset filters
          </button>
        }
      />
      <FilterBar params={filters} options={props.options} onChange={change} extra={fieldSelect} />
      {props.optionsError !== undefined && <ErrorText error={props.optionsError} />}
      <div class="panels">
        {spec.panels.map((p) => (
          <Panel
            key={p.id}
            org={org}
            dash={spec.id}
            spec={p}
            search={search === '' ? '' : `?${search}`}
            onDrill={setDrill}
            onData={p.id === 'fields' ? setFields : undefined}
          />
        ))}
      </div>
      {drill && <DrillDialog key={`${drill.panel.id}-${drill.label}`} org={org} dash={spec.id} filters={filters} target={drill} onClose={() => setDrill(undefined)} />}
    </div>
  );
}
