/**
 * The shapes the console API answers with (src/protocols/http/console-*.ts). The console talks to
 * the server only through this HTTP API, so these types are its contract, written out here.
 */
export type Role = 'operator' | 'org_admin' | 'viewer';

export interface SessionInfo {
  user: { username: string; role: Role; org: string | null };
  csrfToken: string;
  /** Organizations this user may open. */
  orgs: string[];
  canAdminister: boolean;
}

export type ValueFormat = 'int' | 'number' | 'pct' | 'hours' | 'days' | 'datetime' | 'month' | 'week' | 'text' | 'bool';

export interface SeriesSpec {
  column: string;
  name: string;
  format: ValueFormat;
  stack?: string;
  line?: boolean;
  axis?: 0 | 1;
  tone?: 'good' | 'warn' | 'bad';
}

export type ChartSpec =
  | { type: 'kpis'; kpis: { column: string; label: string; format: ValueFormat }[] }
  | { type: 'bar' | 'hbar' | 'line'; category: string; categoryFormat: ValueFormat; series: SeriesSpec[] }
  | { type: 'pivot'; category: string; categoryFormat: ValueFormat; seriesColumn: string; value: string; format: ValueFormat }
  | { type: 'boxplot'; category: string; box: [string, string, string, string, string]; format: ValueFormat; count: string }
  | { type: 'table'; columns: { column: string; label: string; format: ValueFormat }[] };

export interface PanelSpec {
  id: string;
  title: string;
  description: string;
  chart: ChartSpec;
  half: boolean;
  drill: { keys: { column: string; type: 'text' | 'timestamp' | 'int' }[] } | null;
}

export interface DashboardSpec {
  id: string;
  title: string;
  description: string;
  params: string[];
  panels: PanelSpec[];
}

export type Cell = null | boolean | number | string | Cell[] | { [k: string]: Cell };

export interface Column {
  name: string;
  type: string;
}

export interface ResultSet {
  columns: Column[];
  rows: Cell[][];
  truncated: boolean;
  queryId: string;
}

export interface DrillResult extends ResultSet {
  title: string;
  limit: number;
  sql: string;
}

export interface FilterOptions {
  blueprints: { id: string; name: string }[];
  teams: string[];
  members: { id: string; name: string; team: string | null }[];
}

export interface OrgOverview {
  name: string;
  database: string;
  timezone: string;
  analyticsEnabled: boolean;
  freshness: { publishedAt: string | null; version: number | null; pending: number };
}

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface QueryInfo {
  queryId: string;
  principal: string;
  protocol: string;
  dialect: string;
  sql: string;
  state: QueryState;
  error: { code: string; message: string } | null;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  queueMs: number | null;
  execMs: number | null;
  rows: number | null;
  bytesScanned: number | null;
  cached: boolean;
  truncated: boolean;
}

export interface AccessKey {
  accessKeyId: string;
  org: string;
  description: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedKey extends AccessKey {
  secretAccessKey: string;
  replaces?: string;
}

export interface ConsoleUser {
  username: string;
  role: Role;
  org: string | null;
  createdAt: string;
}

export interface Organization {
  name: string;
  database: string;
  analyticsEnabled: boolean;
  timezone: string;
  createdAt: string;
}

export interface OrgWithUsage extends Organization {
  usage: {
    days: number;
    queries: number;
    failedQueries: number;
    bytesScanned: number;
    storageBytes: number;
    storageFiles: number;
    rows: number;
    publishedAt: string | null;
    users: number;
    activeKeys: number;
  };
}

export interface Connection {
  org: string;
  database: string;
  workgroup: string;
  catalog: string;
  scratchSchema: string;
  pgwire: { host: string; port: number; sslmode: string };
  athena: { host: string; port: number; endpoint: string; region: string; outputLocation: string };
}

export interface SchemaInfo {
  database: string;
  relations: { name: string; kind: 'table' | 'view'; doc: string; columns: { name: string; type: string; doc: string }[] }[];
  scratch: { schema: string; tables: string[] };
}
