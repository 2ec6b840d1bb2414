/**
 * The console's dashboards: the registry of the five (process durations, team scorecards, form
 * data, active processes, SLA compliance), lookups, the parsing of a panel request's parameters
 * (filters are console-filters.ts's; panel parameters and drill keys here), and the spec the
 * client draws from (no SQL leaves the server this way).
 *
 * Invariant: every value a request carries is checked here or in console-filters.ts before a
 * dashboard's SQL builder sees it.
 */
import { RunlakeError } from '../../util/errors.ts';
import { checkTimestamp, checkValue } from './console-filters.ts';
import { DASHBOARD_IDS, type DashboardDef, type KeyValues, type PanelDef, type PanelParams } from './console-dashboard-kit.ts';
import { activeProcesses } from './console-dash-active.ts';
import { processDurations } from './console-dash-durations.ts';
import { formData } from './console-dash-forms.ts';
import { slaCompliance } from './console-dash-sla.ts';
import { teamScorecards } from './console-dash-team.ts';

export { DRILL_ROW_LIMIT, type DashboardDef, type PanelDef } from './console-dashboard-kit.ts';

export const DASHBOARDS: readonly DashboardDef[] = [processDurations, teamScorecards, formData, activeProcesses, slaCompliance];

export function dashboardById(id: string): DashboardDef {
  const d = DASHBOARDS.find((x) => x.id === id);
  if (!d) throw new RunlakeError('not_found', `there is no dashboard "${id}"; the dashboards are ${DASHBOARD_IDS.join(', ')}`);
  return d;
}

export function panelById(d: DashboardDef, id: string): PanelDef {
  const p = d.panels.find((x) => x.id === id);
  if (!p) throw new RunlakeError('not_found', `dashboard "${d.id}" has no panel "${id}"; its panels are ${d.panels.map((x) => x.id).join(', ')}`);
  return p;
}

/** The dashboard parameters besides filters (form data's `field`). */
export function parsePanelParams(d: DashboardDef, params: URLSearchParams): PanelParams {
  const out: PanelParams = {};
  for (const name of d.params) {
    const v = params.get(name);
    if (v !== null && v !== '') out[name] = checkValue(name, v);
  }
  return out;
}

/**
 * The drill keys of a request: `k.<column>=<value>` per key (absent = NULL). Each is checked for
 * its type: text like any filter value, timestamps in ISO form, integers as whole numbers.
 */
export function parseKeys(panel: PanelDef, params: URLSearchParams): KeyValues {
  if (!panel.drill) throw new RunlakeError('bad_request', `panel "${panel.id}" has no drill-down`);
  const out: KeyValues = {};
  for (const key of panel.drill.keys) {
    const name = `k.${key.column}`;
    const v = params.get(name);
    if (v === null) {
      out[key.column] = null;
      continue;
    }
    switch (key.type) {
      case 'text':
        out[key.column] = v === '' ? '' : checkValue(name, v);
        break;
      case 'timestamp':
        out[key.column] = checkTimestamp(name, v);
        break;
      case 'int':
        if (!/^\d{1,6}$/.test(v)) throw new RunlakeError('bad_request', `"${name}" must be a whole number`);
        out[key.column] = Number(v);
        break;
    }
  }
  return out;
}

/** What the client needs to draw a dashboard: no SQL. */
export function dashboardSpec(d: DashboardDef): Record<string, unknown> {
  return {
    id: d.id,
    title: d.title,
    description: d.description,
    params: d.params,
    panels: d.panels.map((p) => ({
      id: p.id, title: p.title, description: p.description, chart: p.chart, half: p.half === true,
      drill: p.drill ? { keys: p.drill.keys } : null,
    })),
  };
}
