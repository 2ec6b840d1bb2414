/**
 * Console API for dashboards:
 *
 *   GET /console/api/dashboards                                        → { dashboards: spec[] } (no SQL)
 *   GET /console/api/orgs/:org/filters                                 → { blueprints, teams, members } for the filter menus
 *   GET /console/api/orgs/:org/dashboards/:dash/panels/:panel?filters  → { columns, rows, truncated, queryId }
 *   GET /console/api/orgs/:org/dashboards/:dash/panels/:panel/drill?filters&k.<key>=…&label=…
 *                                                                      → { title, columns, rows, truncated, limit, sql }
 *
 * Filters: from, to (YYYY-MM-DD), blueprint (id), team, member (id); form data also takes field.
 * Every query runs through the query service as the signed-in user in the organization of the
 * URL (after console-access.ts allowed it), with values bound as checked literals.
 */
import type { QueryService } from '../../service/query-service.ts';
import type { ConsoleAccess } from './console-access.ts';
import { DASHBOARDS, DRILL_ROW_LIMIT, dashboardById, dashboardSpec, panelById, parseKeys, parsePanelParams } from './console-dashboards.ts';
import { DASHBOARD_SQL_TAG } from './console-dashboard-kit.ts';
import { checkValue, parseFilters } from './console-filters.ts';
import { clientGone, collectQuery, sendConsoleJson } from './console-http.ts';
import type { Router } from './router.ts';

/** Rows a panel keeps at most (charts and tables stay readable far below this). */
const PANEL_ROW_LIMIT = 2000;

export function addConsoleDashboardRoutes(router: Router, access: ConsoleAccess, service: QueryService): void {
  const p = '/console/api';

  router.add('GET', `${p}/dashboards`, (req, res) => {
    access.session(req);
    sendConsoleJson(res, 200, { dashboards: DASHBOARDS.map(dashboardSpec) });
  });

  router.add('GET', `${p}/orgs/:org/filters`, async (req, res, params) => {
    const { principal } = access.forOrg(req, params.org!, 'view');
    const signal = clientGone(res);
    const run = (sql: string) => collectQuery(service, principal, sql, { maxRows: 5000, signal });
    const [blueprints, teams, members] = await Promise.all([
      run(`${DASHBOARD_SQL_TAG}filters */\nSELECT blueprint_id, max(blueprint_name) AS name FROM processes WHERE blueprint_id IS NOT NULL GROUP BY blueprint_id ORDER BY name, blueprint_id`),
      run(`${DASHBOARD_SQL_TAG}filters */\nSELECT DISTINCT team FROM members WHERE team IS NOT NULL ORDER BY team`),
      run(`${DASHBOARD_SQL_TAG}filters */\nSELECT member_id, coalesce(full_name, email, member_id) AS name, team FROM members ORDER BY name, member_id`),
    ]);
    sendConsoleJson(res, 200, {
      blueprints: blueprints.rows.map(([id, name]) => ({ id, name })),
      teams: teams.rows.map(([team]) => team),
      members: members.rows.map(([id, name, team]) => ({ id, name, team })),
    });
  });

  router.add('GET', `${p}/orgs/:org/dashboards/:dash/panels/:panel`, async (req, res, params, url) => {
    const { principal } = access.forOrg(req, params.org!, 'view');
    const dash = dashboardById(params.dash!);
    const panel = panelById(dash, params.panel!);
    const filters = parseFilters(url.searchParams);
    const panelParams = parsePanelParams(dash, url.searchParams);
    const r = await collectQuery(service, principal, panel.sql(filters, panelParams), { maxRows: PANEL_ROW_LIMIT, signal: clientGone(res) });
    sendConsoleJson(res, 200, r);
  });

  router.add('GET', `${p}/orgs/:org/dashboards/:dash/panels/:panel/drill`, async (req, res, params, url) => {
    const { principal } = access.forOrg(req, params.org!, 'view');
    const dash = dashboardById(params.dash!);
    const panel = panelById(dash, params.panel!);
    const filters = parseFilters(url.searchParams);
    const panelParams = parsePanelParams(dash, url.searchParams);
    const keys = parseKeys(panel, url.searchParams);
    const labelText = url.searchParams.get('label');
    const label = labelText === null || labelText === '' ? '' : checkValue('label', labelText);
    const sql = panel.drill!.sql(filters, keys, panelParams);
    const r = await collectQuery(service, principal, sql, { maxRows: DRILL_ROW_LIMIT, signal: clientGone(res) });
    // The SQL for "Open in SQL editor": without the console's tag, so the user's own run of it shows in the history.
    const editorSql = sql.startsWith(DASHBOARD_SQL_TAG) ? sql.slice(sql.indexOf('*/\n') + 3) : sql;
    sendConsoleJson(res, 200, { ...r, title: panel.drill!.title(keys, label), limit: DRILL_ROW_LIMIT, sql: editorSql });
  });
}
