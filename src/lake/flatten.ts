/**
 * How input documents become table rows: DuckDB SQL over the newline-delimited JSON documents of
 * the staging store. Each table has one SQL expression per column, in a record checked against the
 * schema when this module loads, so a column added to src/schema without a mapping fails at once.
 *
 * The derived columns' formulas are here; their meaning in words is the column `doc` in src/schema.
 */
import {
  DUCKDB_TYPE, PARTITION_COLUMN, PROCESS_LISTS, TABLES, TASK_LISTS, assignments, inputColumns, members,
  processes, type TableDef, type TableName,
} from '../schema/index.ts';
import { sqlString } from '../util/sql-quote.ts';


/** The DuckDB type of a table's input columns as a STRUCT body, with nested lists appended. */
function structBody(table: TableDef, nested: Record<string, string> = {}): string {
  const cols = inputColumns(table).map((c) => `${c.name} ${DUCKDB_TYPE[c.type]}`);
  for (const [k, v] of Object.entries(nested)) cols.push(`${k} ${v}`);
  return cols.join(', ');
}

/** `columns={…}` argument of read_json for process snapshots. */
export function processDocColumns(): string {
  const taskType = `STRUCT(${structBody(PROCESS_LISTS.tasks, { assignees: `STRUCT(${structBody(TASK_LISTS.assignees)})[]` })})[]`;
  const lists: Record<string, string> = {
    tasks: taskType,
    form_fields: `STRUCT(${structBody(PROCESS_LISTS.form_fields)})[]`,
    comments: `STRUCT(${structBody(PROCESS_LISTS.comments)})[]`,
    issues: `STRUCT(${structBody(PROCESS_LISTS.issues)})[]`,
  };
  return jsonColumns([...inputColumns(processes).map((c) => [c.name, DUCKDB_TYPE[c.type]] as const), ...Object.entries(lists)]);
}

export function memberDocColumns(): string {
  return jsonColumns([...inputColumns(members).map((c) => [c.name, DUCKDB_TYPE[c.type]] as const), ['snapshot_at', 'TIMESTAMP']]);
}

function jsonColumns(cols: ReadonlyArray<readonly [string, string]>): string {
  return `{${cols.map(([n, t]) => `${sqlString(n)}: ${sqlString(t)}`).join(', ')}}`;
}

/**
 * The day of the month (1..31) the process started on (or was created on): which chunk of its
 * month partition its rows belong to (see chunks.ts). Not a lake column; the row store keeps it.
 */
export const DAY_COLUMN = 'started_day';

/**
 * Timestamps are read by DuckDB's own ISO 8601 cast (about twice as fast as a `timestampformat`):
 * validation has normalized every one to UTC `…Z`, which that cast reads exactly.
 *
 * Statements that load the process documents of `ndjsonPath` into temp tables `doc`, `task`,
 * `field`, `cmt`, `iss`, `asg`, from which `selectRows` reads.
 */
export function loadProcessDocsSql(ndjsonPath: string): string[] {
  const keys = `${PARTITION_COLUMN}, ${DAY_COLUMN}`;
  return [
    `CREATE OR REPLACE TEMP TABLE doc AS
       SELECT *, strftime(coalesce(started_at, created_at), '%Y-%m') AS ${PARTITION_COLUMN},
              day(coalesce(started_at, created_at))::UTINYINT AS ${DAY_COLUMN}
       FROM read_json(${sqlString(ndjsonPath)}, format = 'newline_delimited', columns = ${processDocColumns()}, maximum_object_size = 67108864)`,
    `CREATE OR REPLACE TEMP TABLE task AS SELECT process_id, snapshot_at, ${keys}, unnest(tasks) AS x FROM doc`,
    `CREATE OR REPLACE TEMP TABLE field AS SELECT process_id, ${keys}, unnest(form_fields) AS x FROM doc`,
    `CREATE OR REPLACE TEMP TABLE cmt AS SELECT process_id, ${keys}, unnest(comments) AS x FROM doc`,
    `CREATE OR REPLACE TEMP TABLE iss AS SELECT process_id, ${keys}, unnest(issues) AS x FROM doc`,
    `CREATE OR REPLACE TEMP TABLE asg AS SELECT process_id, ${keys}, x.task_id AS task_id, unnest(x.assignees) AS a FROM task`,
  ];
}

export function loadMemberDocsSql(ndjsonPath: string): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE mem AS SELECT * FROM read_json(${sqlString(ndjsonPath)}, format = 'newline_delimited',
       columns = ${memberDocColumns()})`,
  ];
}

export function loadLoginsSql(ndjsonPath: string): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE login AS SELECT * FROM read_json(${sqlString(ndjsonPath)}, format = 'newline_delimited',
       columns = {'member_id': 'VARCHAR', 'login_at': 'TIMESTAMP'})`,
  ];
}

type Mapping = { from: string; columns: Record<string, string> };

/** Every input column read straight from a struct alias (`x.name`) or the row itself. */
function straight(table: TableDef, alias: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of inputColumns(table)) out[c.name] = alias ? `${alias}.${c.name}` : c.name;
  return out;
}

const count = (expr: string) => `coalesce(${expr}, 0)::INTEGER`;
const listOf = (type: string) => `coalesce(list_transform(list_filter(x.assignees, a -> a.assignee_type = '${type}'), a -> a.assignee_id), [])`;

function mappings(org: string): Record<TableName, Mapping> {
  const ORG = sqlString(org);
  return {
    processes: {
      from: `doc LEFT JOIN (
               SELECT process_id AS pid, count(*) FILTER (x.due_at IS NOT NULL AND coalesce(x.completed_at, snapshot_at) > x.due_at) AS late,
                      count(*) FILTER (x.task_status = 'completed') AS completed
               FROM task GROUP BY process_id) l ON l.pid = doc.process_id`,
      columns: {
        ...straight(processes, null),
        organization_id: ORG,
        process_id: 'doc.process_id',
        total_tasks: count('len(tasks)'),
        tasks_completed: count('l.completed'),
        late_tasks: count('l.late'),
        has_open_issue: `coalesce(len(list_filter(issues, i -> NOT i.is_resolved)) > 0, false)`,
        started_month: PARTITION_COLUMN,
      },
    },
    steps: {
      // One aggregate over a task's form fields, comments and issues (one hash join, not three).
      from: `task
        LEFT JOIN (
          SELECT pid, tid, count(*) FILTER (kind = 'f') AS fields, count(*) FILTER (kind = 'c') AS comments,
                 count(*) FILTER (kind = 'i') AS issues, count(*) FILTER (kind = 'i' AND resolved) AS resolved
          FROM (SELECT process_id AS pid, x.task_id AS tid, 'f' AS kind, NULL::BOOLEAN AS resolved FROM field WHERE x.task_id IS NOT NULL
                UNION ALL SELECT process_id, x.task_id, 'c', NULL FROM cmt
                UNION ALL SELECT process_id, x.task_id, 'i', x.is_resolved FROM iss WHERE x.task_id IS NOT NULL)
          GROUP BY pid, tid) k
          ON k.pid = task.process_id AND k.tid = x.task_id`,
      columns: {
        ...straight(PROCESS_LISTS.tasks, 'x'),
        organization_id: ORG,
        process_id: 'task.process_id',
        assigned_member_ids: listOf('member'),
        assigned_group_ids: listOf('group'),
        assigned_guest_emails: listOf('guest'),
        total_assignees: count('len(x.assignees)'),
        form_field_count: count('k.fields'),
        comment_count: count('k.comments'),
        issues_reported: count('k.issues'),
        issues_resolved: count('k.resolved'),
        started_month: PARTITION_COLUMN,
      },
    },
    form_fields: {
      from: 'field',
      columns: {
        ...straight(PROCESS_LISTS.form_fields, 'x'),
        organization_id: ORG,
        process_id: 'process_id',
        is_kickoff: 'x.task_id IS NULL',
        answer_number: `CASE WHEN x.field_type IN ('number', 'text', 'dropdown', 'radio') THEN TRY_CAST(trim(x.answer) AS DOUBLE) END`,
        started_month: PARTITION_COLUMN,
      },
    },
    comments: {
      from: 'cmt',
      columns: { ...straight(PROCESS_LISTS.comments, 'x'), organization_id: ORG, process_id: 'process_id', started_month: PARTITION_COLUMN },
    },
    issues: {
      from: 'iss',
      columns: {
        ...straight(PROCESS_LISTS.issues, 'x'),
        organization_id: ORG,
        process_id: 'process_id',
        scope: `CASE WHEN x.task_id IS NULL THEN 'process' ELSE 'task' END`,
        started_month: PARTITION_COLUMN,
      },
    },
    assignments: {
      from: 'asg',
      columns: { ...straight(assignments, 'a'), organization_id: ORG, process_id: 'process_id', task_id: 'task_id', started_month: PARTITION_COLUMN },
    },
    members: {
      from: 'mem',
      columns: { ...straight(members, null), organization_id: ORG },
    },
    member_logins: {
      from: 'login',
      columns: { organization_id: ORG, member_id: 'member_id', login_at: 'login_at' },
    },
  };
}

/**
 * `SELECT <every column, in schema order, cast to its type> FROM …` for one table. The partition
 * column is included; for a process-scoped table, so is `DAY_COLUMN` (last).
 */
export function selectRows(org: string, table: TableName): string {
  const def = TABLES.find((t) => t.name === table)!;
  const m = mappings(org)[table];
  const cols = def.columns.map((c) => `CAST(${m.columns[c.name]} AS ${DUCKDB_TYPE[c.type]}) AS ${c.name}`);
  if (def.scope === 'process') cols.push(DAY_COLUMN);
  return `SELECT ${cols.join(',\n       ')}\nFROM ${m.from}`;
}

/** Checks that every table maps exactly its columns (run at load and in tests). */
export function checkMappings(): void {
  const m = mappings('x');
  for (const t of TABLES) {
    const have = new Set(Object.keys(m[t.name as TableName].columns));
    const want = new Set(t.columns.map((c) => c.name));
    const missing = [...want].filter((c) => !have.has(c));
    const extra = [...have].filter((c) => !want.has(c));
    if (missing.length || extra.length) throw new Error(`flatten mapping of ${t.name}: missing ${missing.join(',') || '-'}, extra ${extra.join(',') || '-'}`);
  }
}
checkMappings();
