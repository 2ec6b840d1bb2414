/**
 * The real PostgreSQL JDBC driver (pgJDBC, the driver of DBeaver, Metabase, Tableau, Looker and
 * Looker Studio) against a real `runlake serve`: test/clients/jdbc/PgJdbcProbe.java connects over
 * verified TLS, walks DatabaseMetaData, runs a PreparedStatement past prepareThreshold (named
 * server statements, binary results), fetches with a fetch size inside a transaction (portals,
 * PortalSuspended), and tries a wrong password and another organization's database; this test
 * asserts on the JSON report it prints.
 *
 * Expectations come from the data contract (src/schema tables and primary keys, the analytic
 * views' declared columns) and from the documents ingested here, mapped to what pgJDBC reports
 * on a real PostgreSQL for those types, not from the server's own OID map.
 *
 * Needs java, javac and the driver jar (RUNLAKE_PGJDBC_JAR, default
 * .ci/cache/jars/postgresql-42.7.14.jar; `source .ci/java.sh` provides all three). Skipped with a
 * message when they are missing locally; with CI set, missing them fails the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.ts';
import { openLocalAdmin } from '../../src/app/admin-client.ts';
import { analyticViews } from '../../src/catalog/analytic-views.ts';
import { orgRelations, type OrgRelation } from '../../src/catalog/relations.ts';
import type { EngineType } from '../../src/engine/engine.ts';
import { bind } from '../../src/protocols/pgwire/runlake-backend.ts';
import { EngineDate, EngineTimestamp } from '../../src/engine/engine.ts';
import { memberDoc, processDoc } from '../support/docs.ts';
import { REPO, startServe, type ServerProcess } from '../support/server.ts';

const JAR = process.env.RUNLAKE_PGJDBC_JAR || join(REPO, '.ci', 'cache', 'jars', 'postgresql-42.7.14.jar');
const PROBE = join(REPO, 'test', 'clients', 'jdbc', 'PgJdbcProbe.java');
const ORG_TZ = 'Europe/Berlin';
/** The JVM's zone (pgJDBC sends it as TimeZone): not UTC, so zone handling is exercised. */
const JVM_TZ = 'America/New_York';

function missingTools(): string | undefined {
  for (const tool of ['java', 'javac']) {
    if (spawnSync(tool, ['-version'], { stdio: 'ignore' }).status !== 0) return `${tool} is not installed`;
  }
  if (!existsSync(JAR)) return `the pgJDBC jar is not at ${JAR}`;
  return undefined;
}
const missing = missingTools();
const skip = missing && !process.env.CI ? `${missing} (source .ci/java.sh installs a JDK and fetches the driver)` : false;

/** What pgJDBC's DatabaseMetaData / ResultSetMetaData report for a column of this engine type. */
function jdbcType(t: EngineType): { type: number; name: string } {
  switch (t.kind) {
    case 'varchar':
      return { type: 12, name: 'text' }; // Types.VARCHAR
    case 'integer':
      return { type: 4, name: 'int4' }; // Types.INTEGER
    case 'bigint':
      return { type: -5, name: 'int8' }; // Types.BIGINT
    case 'double':
      return { type: 8, name: 'float8' }; // Types.DOUBLE
    case 'boolean':
      return { type: -7, name: 'bool' }; // Types.BIT: pgJDBC reports bool as BIT
    case 'timestamp':
      return { type: 93, name: 'timestamp' }; // Types.TIMESTAMP
    case 'timestamptz':
      return { type: 93, name: 'timestamptz' }; // pgJDBC: Types.TIMESTAMP too
    case 'date':
      return { type: 91, name: 'date' };
    case 'list':
      if (t.element?.kind === 'varchar') return { type: 2003, name: '_text' }; // Types.ARRAY
      break;
    default:
      break;
  }
  throw new Error(`jdbc.test.ts: no expectation for engine type ${JSON.stringify(t)}: add what pgJDBC reports for it`);
}

interface ProbeError {
  sqlState: string;
  message: string;
  server?: { severity: string; sqlState: string; message: string; detail: string | null; hint: string | null };
}
type Row = Record<string, unknown>;
type Cell = { type: string; value: unknown };
interface PreparedRun {
  run: number;
  serverPrepared: boolean;
  formats: Record<string, 'T' | 'B'>;
  rows: Record<string, Cell>[];
}
interface Wire {
  namedParse: number;
  unnamedParse: number;
  limitedExecute: number;
  portalSuspended: number;
  executes: string[];
  errors: string[];
}
interface Series {
  rows: number;
  wrong: string[];
  formats?: Record<string, 'T' | 'B'>;
}
interface Report {
  connectError?: ProbeError;
  connection: Row & { error?: ProbeError };
  metadata: Record<string, unknown> & { error?: ProbeError };
  resultSetMetadata: Record<string, { name: string; type: number; typeName: string }[] | { error: ProbeError }>;
  prepared: { error?: ProbeError; prepareThreshold: number; runs: PreparedRun[]; wire: Wire };
  fetch: { error?: ProbeError; statement: Series; statementWire: Wire; prepared: Series[]; preparedWire: Wire; committed: boolean };
  refusals: Record<'wrongPassword' | 'otherDatabase' | 'missingDatabase', ProbeError>;
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Rows of a metadata section (failing with the driver's error when the call failed). */
function section<T>(report: Report, name: string): T {
  const v = report.metadata[name] as T | { error: ProbeError };
  if (v && typeof v === 'object' && 'error' in v) assert.fail(`DatabaseMetaData ${name} failed: ${JSON.stringify(v.error)}`);
  return v as T;
}

describe('pgJDBC against runlake serve', { skip }, () => {
  let dataDir: string;
  let classes: string;
  let server: ServerProcess;
  let report: Report;
  let relations: (OrgRelation & { schema: string })[];

  before(async () => {
    if (missing) throw new Error(`${missing}: CI must run "source .ci/java.sh" before the tests`);
    dataDir = mkdtempSync(join(tmpdir(), 'runlake-jdbc-'));
    classes = mkdtempSync(join(tmpdir(), 'runlake-jdbc-classes-'));
    const javac = await run('javac', ['-nowarn', '-encoding', 'UTF-8', '-cp', JAR, '-d', classes, PROBE], { timeoutMs: 120_000 });
    assert.equal(javac.code, 0, `javac failed:\n${javac.stderr}`);

    const control = await openLocalAdmin(loadConfig({ dataDir }, {}));
    await control.admin.createOrg({ name: 'acme', timezone: ORG_TZ });
    await control.admin.createOrg({ name: 'globex' });
    const key = await control.admin.createAccessKey('acme');
    const token = (await control.admin.createIngestToken('*')).token;
    await control.close();
    server = await startServe(dataDir);
    const pgPort = Number(/PostgreSQL wire: +[^:]+:(\d+)/.exec(server.output())?.[1]);
    assert.ok(pgPort > 0, `the server reports its pgwire port:\n${server.output()}`);

    const one = {
      ...processDoc('acme-1', { name: 'acme one', month: '2025-03', tasks: 3 }),
      blueprint_version: 3,
      process_status: 'complete' as const,
      tags: ['x', 'y, z'],
      started_at: '2025-03-09T07:30:15.250Z',
      completed_at: '2025-03-12T18:00:00.000Z',
    };
    const post = async (org: string, path: string, body: unknown) => {
      const r = await fetch(`${server.info.httpUrl}/ingest/v1/orgs/${org}/${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      assert.ok(r.ok, `ingest ${org}/${path}: ${r.status} ${await r.text()}`);
    };
    await post('acme', 'processes', [one, processDoc('acme-2', { name: 'acme two' })]);
    await post('acme', 'members', [memberDoc('m1')]);
    await post('globex', 'processes', [processDoc('globex-1', { name: 'globex one' })]);
    for (const org of ['acme', 'globex']) {
      const r = await fetch(`${server.info.httpUrl}/admin/v1/orgs/${org}/publish`, { method: 'POST', headers: { authorization: `Bearer ${server.info.adminToken}` } });
      assert.ok(r.ok, `publish ${org}: ${r.status} ${await r.text()}`);
    }

    // A Looker PDT and a scratch view, so looker_scratch has a table and a view to list.
    const cert = join(dataDir, 'tls', 'cert.pem');
    const c = new pg.Client({ host: '127.0.0.1', port: pgPort, database: 'acme', user: key.accessKeyId, password: key.secretAccessKey, ssl: { ca: readFileSync(cert, 'utf8') } });
    await c.connect();
    try {
      await c.query('CREATE TABLE looker_scratch.jdbc_pdt AS SELECT process_status, count(*) AS n, max(started_at) AS last_started, avg(total_tasks) AS avg_tasks FROM processes GROUP BY 1');
      await c.query('CREATE VIEW looker_scratch.jdbc_open AS SELECT process_id, has_open_issue FROM processes');
    } finally {
      await c.end();
    }

    const probe = await run(
      'java',
      [`-Duser.timezone=${JVM_TZ}`, '-cp', `${classes}:${JAR}`, 'PgJdbcProbe',
        '--host', '127.0.0.1', '--port', String(pgPort), '--database', 'acme', '--user', key.accessKeyId, '--password', key.secretAccessKey,
        '--other-database', 'globex', '--sslmode', 'verify-full', '--sslrootcert', cert, '--schemas', 'public,looker_scratch',
        '--process-id', 'acme-1', '--runs', '8', '--fetch-rows', '1000', '--fetch-size', '100'],
      { timeoutMs: 180_000 },
    );
    assert.equal(probe.code, 0, `PgJdbcProbe failed:\n${probe.stderr}\n${probe.stdout}`);
    report = JSON.parse(probe.stdout) as Report;
    relations = orgRelations(analyticViews({ timezone: ORG_TZ })).map((r) => ({ ...r, schema: 'public' }));
    relations.push(
      {
        schema: 'looker_scratch', name: 'jdbc_pdt', kind: 'table', doc: '',
        columns: [
          { name: 'process_status', type: { kind: 'varchar' }, doc: '' },
          { name: 'n', type: { kind: 'bigint' }, doc: '' },
          { name: 'last_started', type: { kind: 'timestamp' }, doc: '' },
          { name: 'avg_tasks', type: { kind: 'double' }, doc: '' },
        ],
      },
      {
        schema: 'looker_scratch', name: 'jdbc_open', kind: 'view', doc: '',
        columns: [{ name: 'process_id', type: { kind: 'varchar' }, doc: '' }, { name: 'has_open_issue', type: { kind: 'boolean' }, doc: '' }],
      },
    );
  });
  after(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (classes) rmSync(classes, { recursive: true, force: true });
  });

  it('connects with the driver over verified TLS to the organization database', () => {
    assert.equal(report.connectError, undefined, JSON.stringify(report.connectError));
    const c = report.connection;
    assert.equal(c.error, undefined, JSON.stringify(c.error));
    assert.equal(c.driverName, 'PostgreSQL JDBC Driver');
    assert.equal(c.productName, 'PostgreSQL');
    assert.equal(c.catalog, 'acme');
    assert.equal(c.currentDatabase, 'acme');
    assert.equal(c.schema, 'public');
    assert.equal(c.selectOne, 1);
    assert.equal(c.valid, true, 'Connection.isValid() (an empty query) succeeds');
  });

  it('getCatalogs/getSchemas: the organization only, with public and looker_scratch', () => {
    assert.deepEqual(section<Row[]>(report, 'catalogs'), [{ TABLE_CAT: 'acme' }]);
    const schemas = section<Row[]>(report, 'schemas').map((s) => s.TABLE_SCHEM);
    assert.deepEqual([...schemas].sort(), ['information_schema', 'looker_scratch', 'pg_catalog', 'public']);
    for (const s of section<Row[]>(report, 'schemas')) assert.equal(s.TABLE_CATALOG, 'acme');
  });

  it('getTables: every table and view of the organization with its comment, and the scratch PDT', () => {
    const tables = section<Row[]>(report, 'tables');
    const listed = tables.filter((t) => t.TABLE_TYPE === 'TABLE' || t.TABLE_TYPE === 'VIEW');
    const expected = relations.map((r) => `${r.schema}.${r.name}:${r.kind === 'table' ? 'TABLE' : 'VIEW'}`).sort();
    assert.deepEqual(listed.map((t) => `${t.TABLE_SCHEM}.${t.TABLE_NAME}:${t.TABLE_TYPE}`).sort(), expected);
    for (const r of relations.filter((x) => x.doc)) {
      assert.equal(listed.find((t) => t.TABLE_NAME === r.name)?.REMARKS, r.doc, `REMARKS of ${r.name}`);
    }
    for (const t of tables) assert.equal(t.TABLE_CAT, 'acme');
    // Each table's primary-key index is listed as an INDEX, as PostgreSQL does.
    const indexes = tables.filter((t) => t.TABLE_TYPE === 'INDEX').map((t) => t.TABLE_NAME).sort();
    assert.deepEqual(indexes, relations.filter((r) => r.primaryKey?.length).map((r) => `${r.name}_pkey`).sort());
    // Asking by type, as DBeaver's and Tableau's navigators do.
    const byType = (name: string) => section<Row[]>(report, name).map((t) => t.TABLE_NAME).sort();
    assert.deepEqual(byType('tablesOfTypeTable'), relations.filter((r) => r.schema === 'public' && r.kind === 'table').map((r) => r.name).sort());
    assert.deepEqual(byType('tablesOfTypeView'), relations.filter((r) => r.schema === 'public' && r.kind === 'view').map((r) => r.name).sort());
    assert.deepEqual(section<Row[]>(report, 'systemTables'), [{ TABLE_SCHEM: 'pg_catalog', TABLE_NAME: 'pg_class', TABLE_TYPE: 'SYSTEM TABLE' }]);
  });

  it('getColumns: every column in order, with the JDBC type and type name pgJDBC reports for its type, nullability and comment', () => {
    const columns = section<Row[]>(report, 'columns');
    for (const r of relations) {
      const got = columns.filter((c) => c.TABLE_SCHEM === r.schema && c.TABLE_NAME === r.name);
      assert.deepEqual(got.map((c) => c.COLUMN_NAME), r.columns.map((c) => c.name), `columns of ${r.schema}.${r.name}`);
      r.columns.forEach((col, i) => {
        const c = got[i]!;
        const want = jdbcType(col.type);
        const where = `${r.schema}.${r.name}.${col.name}`;
        assert.equal(c.DATA_TYPE, want.type, `DATA_TYPE of ${where}`);
        assert.equal(c.TYPE_NAME, want.name, `TYPE_NAME of ${where}`);
        assert.equal(c.ORDINAL_POSITION, i + 1, `ORDINAL_POSITION of ${where}`);
        const key = r.primaryKey?.includes(col.name) ?? false;
        assert.equal(c.NULLABLE, key ? 0 : 1, `NULLABLE of ${where}`);
        assert.equal(c.IS_NULLABLE, key ? 'NO' : 'YES', `IS_NULLABLE of ${where}`);
        if (col.doc) assert.equal(c.REMARKS, col.doc, `REMARKS of ${where}`);
        assert.equal(c.IS_AUTOINCREMENT, 'NO');
      });
    }
    assert.equal(columns.length, relations.reduce((n, r) => n + r.columns.length, 0), 'no other columns');
  });

  it('ResultSetMetaData of SELECT * agrees with getColumns for every public relation', () => {
    assert.deepEqual(Object.keys(report.resultSetMetadata).sort(), relations.filter((r) => r.schema === 'public').map((r) => r.name).sort());
    for (const r of relations.filter((x) => x.schema === 'public')) {
      const got = report.resultSetMetadata[r.name];
      assert.ok(Array.isArray(got), `SELECT * FROM ${r.name}: ${JSON.stringify(got)}`);
      assert.deepEqual(
        got.map((c) => `${c.name}:${c.type}:${c.typeName}`),
        r.columns.map((c) => `${c.name}:${jdbcType(c.type).type}:${jdbcType(c.type).name}`),
        r.name,
      );
    }
  });

  it('getPrimaryKeys and getIndexInfo: the primary keys of src/schema; getImportedKeys/getExportedKeys: none', () => {
    const pks = section<Record<string, Row[]>>(report, 'primaryKeys');
    const idx = section<Record<string, Row[]>>(report, 'indexInfo');
    const imported = section<Record<string, Row[]>>(report, 'importedKeys');
    const exported = section<Record<string, Row[]>>(report, 'exportedKeys');
    for (const r of relations) {
      const id = `${r.schema}.${r.name}`;
      const key = r.primaryKey ?? [];
      assert.deepEqual(pks[id], key.map((k, i) => ({ TABLE_NAME: r.name, COLUMN_NAME: k, KEY_SEQ: i + 1, PK_NAME: `${r.name}_pkey` })), `primary key of ${id}`);
      assert.deepEqual(
        idx[id],
        key.map((k, i) => ({ TABLE_NAME: r.name, NON_UNIQUE: false, INDEX_NAME: `${r.name}_pkey`, TYPE: 3, ORDINAL_POSITION: i + 1, COLUMN_NAME: k })),
        `indexes of ${id}`,
      );
      assert.deepEqual(imported[id], [], `imported keys of ${id}`);
      assert.deepEqual(exported[id], [], `exported keys of ${id}`);
    }
    assert.deepEqual(pks['public.processes'], [{ TABLE_NAME: 'processes', COLUMN_NAME: 'process_id', KEY_SEQ: 1, PK_NAME: 'processes_pkey' }]);
  });

  it('getTypeInfo: the standard types with the JDBC types pgJDBC gives them on PostgreSQL', () => {
    const types = new Map(section<Row[]>(report, 'typeInfo').map((t) => [t.TYPE_NAME, t.DATA_TYPE]));
    const expected: Record<string, number> = {
      bool: -7, int2: 5, int4: 4, int8: -5, float4: 7, float8: 8, numeric: 2, text: 12, varchar: 12, bpchar: 1, name: 12,
      date: 91, time: 92, timestamp: 93, timestamptz: 93, bytea: -2, _text: 2003, _int4: 2003, _int8: 2003, _float8: 2003,
      _timestamp: 2003, json: 1111, jsonb: 1111, uuid: 1111, interval: 1111,
    };
    for (const [name, type] of Object.entries(expected)) assert.equal(types.get(name), type, `getTypeInfo ${name}`);
    for (const r of relations) for (const c of r.columns) assert.ok(types.has(jdbcType(c.type).name), `getTypeInfo lists ${jdbcType(c.type).name}`);
    assert.equal(report.metadata.maxIndexKeys, 32);
  });

  it('a PreparedStatement past prepareThreshold switches to a named statement and binary results, and every value stays right', () => {
    const p = report.prepared;
    assert.equal(p.error, undefined, JSON.stringify(p.error));
    assert.equal(p.prepareThreshold, 5);
    assert.equal(p.runs.length, 8);
    assert.deepEqual(p.runs.map((r) => r.serverPrepared), [false, false, false, false, true, true, true, true]);
    assert.deepEqual(p.wire.errors, []);
    assert.equal(p.wire.namedParse, 1, 'one named Parse (S_n), then Bind/Execute only');

    const expected: Record<string, Cell> = {
      process_id: { type: 'text', value: 'acme-1' },
      process_name: { type: 'text', value: 'acme one' },
      blueprint_version: { type: 'int4', value: 3 },
      total_tasks: { type: 'int4', value: 3 },
      has_open_issue: { type: 'bool', value: false },
      started_at: { type: 'timestamp', value: '2025-03-09T07:30:15.250' },
      completed_at: { type: 'timestamp', value: '2025-03-12T18:00' },
      tags: { type: '_text', value: ['x', 'y, z'] },
      i4: { type: 'int4', value: 2147483647 },
      i8: { type: 'int8', value: '-9007199254740993' },
      i2: { type: 'int2', value: -32768 },
      f8: { type: 'float8', value: '3.141592653589793' },
      f4: { type: 'float4', value: '0.1' },
      num: { type: 'numeric', value: '-12345678.9012' },
      ts: { type: 'timestamp', value: '2024-02-29T23:59:58.123456' },
      d: { type: 'date', value: '1999-12-31' },
      bool_true: { type: 'bool', value: true },
      bool_false: { type: 'bool', value: false },
      txt: { type: 'text', value: 'héllo, \'wörld\' "q" \\ ✓' },
      null_int: { type: 'int4', value: null },
      null_text: { type: 'text', value: null },
      null_ts: { type: 'timestamp', value: null },
      started_day: { type: 'date', value: '2025-03-09' },
      num_lit: { type: 'numeric', value: '1234567.891' },
      f8_lit: { type: 'float8', value: '-0.5' },
      i8_lit: { type: 'int8', value: '9007199254740993' },
    };
    // `$n AS x` / CAST($n AS varchar) with a varchar parameter: PostgreSQL says varchar, text is as good for JDBC (both VARCHAR).
    const textish = (rows: Record<string, Cell>[]) =>
      rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, c]) => [k, ['txt', 'null_text'].includes(k) && c.type === 'varchar' ? { ...c, type: 'text' } : c])));
    for (const r of p.runs) assert.deepEqual(textish(r.rows), [expected], `values of execution ${r.run}`);

    const binary = ['blueprint_version', 'total_tasks', 'started_at', 'completed_at', 'tags', 'i4', 'i8', 'i2', 'f8', 'f4', 'num', 'ts', 'd', 'started_day', 'num_lit', 'f8_lit', 'i8_lit'];
    for (const r of p.runs.slice(0, 4)) assert.ok(Object.values(r.formats).every((f) => f === 'T'), `execution ${r.run} is all text: ${JSON.stringify(r.formats)}`);
    const last = p.runs[p.runs.length - 1]!;
    for (const col of binary) assert.equal(last.formats[col], 'B', `execution ${last.run} receives ${col} in binary`);
    // pgJDBC reads text, varchar and bool as text even then.
    for (const col of ['process_id', 'process_name', 'has_open_issue']) assert.equal(last.formats[col], 'T', col);
  });

  it('setFetchSize in a transaction: Execute with a row limit, PortalSuspended, every row over several fetches', () => {
    const f = report.fetch;
    assert.equal(f.error, undefined, JSON.stringify(f.error));
    assert.deepEqual(f.statement, { rows: 1000, wrong: [] });
    assert.deepEqual(f.statementWire.errors, []);
    assert.ok(f.statementWire.executes.length >= 10, JSON.stringify(f.statementWire));
    for (const e of f.statementWire.executes) assert.match(e, /^Execute\(portal=C_\d+,limit=100\)$/);
    assert.ok(f.statementWire.portalSuspended >= 9, `PortalSuspended after each full batch: ${JSON.stringify(f.statementWire)}`);

    assert.equal(f.prepared.length, 6);
    for (const r of f.prepared) assert.deepEqual({ rows: r.rows, wrong: r.wrong }, { rows: 1000, wrong: [] });
    assert.deepEqual(f.prepared[f.prepared.length - 1]!.formats, { n: 'B', big: 'B', quarter: 'B' }, 'named, binary, and still a portal');
    assert.equal(f.preparedWire.namedParse, 1);
    assert.ok(f.preparedWire.portalSuspended >= 6 * 9, JSON.stringify(f.preparedWire));
    assert.deepEqual(f.preparedWire.errors, []);
    assert.equal(f.committed, true);
  });

  it('another organization database is 3D000 without a hint, like a missing one; a wrong password is 28P01', () => {
    const { wrongPassword, otherDatabase, missingDatabase } = report.refusals;
    assert.equal(wrongPassword.sqlState, '28P01', JSON.stringify(wrongPassword));
    assert.equal(wrongPassword.server?.severity, 'FATAL');
    assert.equal(otherDatabase.sqlState, '3D000', JSON.stringify(otherDatabase));
    assert.equal(otherDatabase.server?.message, 'database "globex" does not exist');
    assert.equal(otherDatabase.server?.hint, null);
    assert.equal(otherDatabase.server?.detail, null);
    assert.equal(missingDatabase.sqlState, '3D000');
    assert.equal(missingDatabase.server?.hint, null);
    assert.match(missingDatabase.server!.message, /^database "no_such_database_[0-9a-f]+" does not exist$/);
  });
});

describe('pgwire backend: Bind parameters as typed literals', () => {
  it('declared non-text types become literals of that type, NULL included, so describe and execute agree', () => {
    const sql = 'SELECT $1 AS a, $2 AS b, $3 AS c, $4 AS d, $5 AS e, $6 AS f';
    assert.equal(
      bind(sql, [
        { type: 23, value: 5 }, { type: 20, value: -9007199254740993n }, { type: 1114, value: new EngineTimestamp(1_709_251_198_123_456n, false) },
        { type: 1082, value: new EngineDate(10_956) }, { type: 16, value: null }, { type: 701, value: Number.NaN },
      ]),
      "SELECT CAST(5 AS integer) AS a, CAST(-9007199254740993 AS bigint) AS b, CAST(TIMESTAMP '2024-02-29 23:59:58.123456' AS timestamp) AS c, " +
        "CAST(DATE '1999-12-31' AS date) AS d, CAST(NULL AS boolean) AS e, CAST('NaN'::DOUBLE PRECISION AS double precision) AS f",
    );
  });

  it('numeric keeps the value\'s own scale (not the engine\'s default 3 places); beyond 38 digits it is a double', () => {
    assert.equal(bind('SELECT $1', [{ type: 1700, value: '-12345678.9012' }]), "SELECT CAST('-12345678.9012' AS numeric(38,4))");
    assert.equal(bind('SELECT $1', [{ type: 1700, value: '42' }]), "SELECT CAST('42' AS numeric(38,0))");
    assert.equal(bind('SELECT $1', [{ type: 1700, value: 'NaN' }]), "SELECT CAST('NaN' AS double precision)");
    assert.equal(bind('SELECT $1', [{ type: 1700, value: '1'.repeat(40) }]), `SELECT CAST('${'1'.repeat(40)}' AS double precision)`);
    assert.equal(bind('SELECT $1', [{ type: 1700, value: null }]), 'SELECT CAST(NULL AS numeric(38,10))');
  });

  it('text and untyped parameters stay plain literals the engine coerces; a text NULL is typed only when asked', () => {
    const params = [{ type: 1043, value: "it's" }, { type: 0, value: '2025-01-01' }, { type: 25, value: null }];
    assert.equal(bind('SELECT $1, $2, $3', params), "SELECT 'it''s', '2025-01-01', NULL");
    assert.equal(bind('SELECT $1, $2, $3', params, { typedNulls: true }), "SELECT 'it''s', '2025-01-01', CAST(NULL AS text)");
    assert.equal(bind("SELECT '$1', $1 -- $2", [{ type: 23, value: 1 }]), "SELECT '$1', CAST(1 AS integer) -- $2");
  });
});
