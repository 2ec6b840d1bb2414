/**
 * Python's PostgreSQL stack against a real `runlake serve` with demo data: SQLAlchemy 1.4 and 2.0
 * over psycopg2 (and psycopg 3), each from its own virtualenv, run test/clients/python/
 * sqlalchemy_probe.py and the report it prints is checked here against the schema in code
 * (src/catalog/relations.ts) and against node-postgres on the same server.
 *
 * Virtualenvs come from .ci/python.sh (RUNLAKE_TEST_VENV_SA14 / RUNLAKE_TEST_VENV_SA2, by default
 * .ci/cache/venv-sa14 and .ci/cache/venv-sa2). A missing one skips its suite locally and fails it
 * with CI set.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import pg from 'pg';
import { analyticViews } from '../../src/catalog/analytic-views.ts';
import { orgRelations, type OrgRelation } from '../../src/catalog/relations.ts';
import type { EngineType } from '../../src/engine/engine.ts';
import { TABLES } from '../../src/schema/index.ts';
import { REPO, runCli, startServe, type ServerProcess } from '../support/server.ts';

const PROBE = join(REPO, 'test', 'clients', 'python', 'sqlalchemy_probe.py');
const CI = Boolean(process.env.CI);

const VENVS = [
  { label: 'SQLAlchemy 1.4', major: '1.4.', dir: process.env.RUNLAKE_TEST_VENV_SA14 || join(REPO, '.ci', 'cache', 'venv-sa14'), env: 'RUNLAKE_TEST_VENV_SA14' },
  { label: 'SQLAlchemy 2.0', major: '2.', dir: process.env.RUNLAKE_TEST_VENV_SA2 || join(REPO, '.ci', 'cache', 'venv-sa2'), env: 'RUNLAKE_TEST_VENV_SA2' },
].map((v) => {
  const python = join(v.dir, 'bin', 'python');
  const missing = !existsSync(python);
  const skip = missing && !CI ? `no virtualenv at ${v.dir} (${v.env}); run \`bash .ci/python.sh\` to create it` : false;
  return { ...v, python, missing, skip };
});
const allSkipped = VENVS.every((v) => v.skip);

/** The SQLAlchemy type class a PostgreSQL dialect reflects for each engine type our schema uses. */
function sqlalchemyType(t: EngineType): { type: string; item_type?: string } {
  switch (t.kind) {
    case 'varchar':
      return { type: 'TEXT' };
    case 'integer':
      return { type: 'INTEGER' };
    case 'bigint':
      return { type: 'BIGINT' };
    case 'double':
      return { type: 'DOUBLE_PRECISION' };
    case 'boolean':
      return { type: 'BOOLEAN' };
    case 'timestamp':
      return { type: 'TIMESTAMP' };
    case 'decimal':
      return { type: 'NUMERIC' };
    case 'list':
      return { type: 'ARRAY', item_type: sqlalchemyType(t.element!).type };
    default:
      throw new Error(`no expected SQLAlchemy type for engine type ${t.kind}: add it here`);
  }
}

interface ReflectedColumn { name: string; type: string; repr: string; item_type?: string; timezone?: boolean; has_comment: boolean }
interface Report {
  versions: Record<string, string>;
  problems: string[];
  [section: string]: unknown;
}
type Section = Record<string, unknown> & { error?: string; trace?: string };

interface Expected {
  relations: OrgRelation[];
  ids: string[];
  names: Map<string, string>;
  total: number;
  months: [string, number][];
  formFieldsCount: number;
  formFieldsSha: string;
}

describe('Python clients (SQLAlchemy + psycopg2, psycopg 3) against runlake serve', { timeout: 600_000, skip: allSkipped ? VENVS.map((v) => v.skip).join('; ') : false }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let dsn: string;
  let expected: Expected;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'runlake-sqlalchemy-'));
    const demo = await runCli(['demo', '--data-dir', dataDir, '--processes', '300', '--no-serve', '--quiet', '--http-port', '0', '--pg-port', '0', '--https-port', '0']);
    assert.equal(demo.code, 0, demo.stderr);
    server = await startServe(dataDir);
    const pgPort = Number(/PostgreSQL wire: +[^:]+:(\d+)/.exec(server.output())?.[1]);
    assert.ok(pgPort > 0, `the server reports its pgwire port:\n${server.output()}`);
    const conn = JSON.parse(readFileSync(join(dataDir, 'connection.json'), 'utf8')) as { orgs: { name: string; access_key_id: string; secret_access_key: string }[] };
    const acme = conn.orgs.find((o) => o.name === 'acme')!;
    const ca = join(dataDir, 'tls', 'cert.pem');
    dsn = `host=127.0.0.1 port=${pgPort} dbname=acme user=${acme.access_key_id} password=${acme.secret_access_key} sslmode=verify-full sslrootcert=${ca}`;

    // What the probe must see, from the schema in code and from node-postgres on the same server.
    const c = new pg.Client({ host: '127.0.0.1', port: pgPort, database: 'acme', user: acme.access_key_id, password: acme.secret_access_key, ssl: { ca: readFileSync(ca, 'utf8') } });
    await c.connect();
    try {
      const ids = (await c.query<{ process_id: string }>('SELECT process_id FROM processes ORDER BY process_id')).rows.map((r) => r.process_id);
      const names = new Map((await c.query<{ process_id: string; process_name: string }>('SELECT process_id, process_name FROM processes')).rows.map((r) => [r.process_id, r.process_name]));
      const months = (await c.query<{ m: string; n: string }>(
        `SELECT date_trunc('month', started_at)::text AS m, count(*) AS n FROM processes WHERE started_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
      )).rows.map((r): [string, number] => [r.m, Number(r.n)]);
      const fieldIds = (await c.query<{ field_id: string }>('SELECT field_id FROM form_fields ORDER BY field_id')).rows.map((r) => r.field_id);
      expected = {
        relations: orgRelations(analyticViews({ timezone: 'UTC' })),
        ids,
        names,
        total: ids.length,
        months,
        formFieldsCount: fieldIds.length,
        formFieldsSha: createHash('sha256').update(fieldIds.map((f) => `${f}\n`).join('')).digest('hex'),
      };
    } finally {
      await c.end();
    }
    assert.ok(expected.formFieldsCount >= 2000, `the demo has a few thousand form_fields rows to stream (has ${expected.formFieldsCount})`);
  });
  after(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  for (const venv of VENVS) {
    const { python, missing, skip } = venv;
    describe(venv.label, { skip }, () => {
      let report: Report;
      const section = (name: string): Section => {
        const s = report[name] as Section | undefined;
        assert.ok(s, `the report has a ${name} section`);
        assert.equal(s.error, undefined, `${name} failed: ${s.error}\n${s.trace ?? ''}`);
        return s;
      };

      before(async () => {
        assert.ok(!missing, `${venv.label}: no virtualenv at ${venv.dir} (${venv.env}); .ci/python.sh creates it`);
        const { stdout, stderr } = await promisify(execFile)(python, [PROBE, '--other-database', 'globex', '--stream-table', 'form_fields', '--stream-key', 'field_id'], {
          env: { ...process.env, RUNLAKE_PG_DSN: dsn },
          maxBuffer: 64 * 1024 * 1024,
          timeout: 300_000,
        });
        try {
          report = JSON.parse(stdout) as Report;
        } catch {
          assert.fail(`the probe printed no JSON report:\n${stdout}\n${stderr}`);
        }
      });

      it('runs the pinned SQLAlchemy with psycopg2, and finds no wrong values', () => {
        assert.ok(report.versions.sqlalchemy!.startsWith(venv.major), JSON.stringify(report.versions));
        assert.ok(report.versions.psycopg2, JSON.stringify(report.versions));
        const connect = section('connect');
        assert.equal(connect.default_schema_name, 'public');
        assert.equal(connect.select_1, 1);
        assert.deepEqual(report.problems, []);
      });

      it('inspector: get_table_names / get_view_names agree with pg_catalog and the schema; get_columns reflects the right types', () => {
        const insp = section('inspector') as Section & {
          schemas: string[]; default_schema_name: string; tables: string[]; views: string[]; columns: Record<string, ReflectedColumn[]>;
          pg_catalog: { tables: string[]; views: string[] }; reflected: string[]; table_comment: string | null;
          has_table: Record<string, boolean>; explicit_schema_columns: string[]; primary_keys: Record<string, string[]>;
        };
        const tables = expected.relations.filter((r) => r.kind === 'table').map((r) => r.name).sort();
        const views = expected.relations.filter((r) => r.kind === 'view').map((r) => r.name).sort();
        assert.ok(insp.schemas.includes('public'), JSON.stringify(insp.schemas));
        assert.equal(insp.default_schema_name, 'public');
        assert.deepEqual([...insp.tables].sort(), tables);
        assert.deepEqual([...insp.views].sort(), views);
        assert.deepEqual([...insp.pg_catalog.tables].sort(), tables, 'pg_class relkind r in public');
        assert.deepEqual([...insp.pg_catalog.views].sort(), views, 'pg_class relkind v in public');
        assert.deepEqual(insp.reflected, [...tables, ...views].sort(), 'MetaData.reflect(views=True)');
        assert.equal(insp.table_comment, expected.relations.find((r) => r.name === 'processes')!.doc);
        assert.deepEqual(insp.has_table, { processes: true, no_such_table: false });
        assert.deepEqual(insp.explicit_schema_columns, insp.columns.steps!.map((c) => c.name), 'get_columns(schema="public") is the default schema');
        for (const t of TABLES) {
          // Reflected keys, where the catalog declares them, are the schema's primary keys.
          const pk = insp.primary_keys[t.name] ?? [];
          if (pk.length > 0) assert.deepEqual(pk, [...t.primaryKey], `${t.name}: get_pk_constraint`);
        }
        for (const rel of expected.relations) {
          const got = insp.columns[rel.name];
          assert.ok(got, `get_columns(${rel.name})`);
          assert.deepEqual(got.map((c) => c.name), rel.columns.map((c) => c.name), `${rel.name}: column names and order`);
          rel.columns.forEach((col, i) => {
            const want = sqlalchemyType(col.type);
            const c = got[i]!;
            assert.equal(c.type, want.type, `${rel.name}.${col.name} reflects as ${c.repr}`);
            if (want.item_type) assert.equal(c.item_type, want.item_type, `${rel.name}.${col.name} reflects as ${c.repr}`);
            if (want.type === 'TIMESTAMP') assert.equal(c.timezone, false, `${rel.name}.${col.name} is a timestamp without time zone`);
            if (rel.kind === 'table') assert.equal(c.has_comment, Boolean(col.doc), `${rel.name}.${col.name} carries its doc as the column comment`);
          });
        }
      });

      it('engine.connect() + text() with bound parameters, and Core on a reflected Table', () => {
        const t = section('text_params') as Section & {
          literals: unknown[]; ids: string[]; by_id: string[][]; in_list: string[]; since_count: number; total: number; core_select: string[][]; months: [string, number][];
        };
        assert.deepEqual(t.literals.slice(0, 3), [42, 'it\'s \\ "quoted"', true]);
        assert.equal(t.literals[5], null);
        assert.deepEqual(t.ids, expected.ids.slice(0, 3));
        assert.deepEqual(t.by_id, [[expected.ids[0], expected.names.get(expected.ids[0]!)]]);
        assert.deepEqual(t.in_list, expected.ids.slice(1, 3));
        assert.equal(t.total, expected.total);
        assert.equal(t.since_count, expected.months.reduce((a, [, n]) => a + n, 0));
        assert.deepEqual(t.core_select.map((r) => r[0]), expected.ids.slice(0, 2));
        assert.deepEqual(t.months, expected.months);
      });

      it('stream_results: a psycopg2 named cursor (DECLARE/FETCH) streams generated and real rows in chunks, values right', () => {
        const g = section('stream_generated') as Section & { rows: number; partitions: number[]; mismatches: number; server_side_cursor: string | null };
        assert.equal(g.rows, 5000);
        assert.equal(g.mismatches, 0);
        assert.deepEqual(g.partitions, Array(10).fill(500));
        assert.match(String(g.server_side_cursor), /^c_/, 'SQLAlchemy used a named (server-side) cursor');
        const s = section('stream_table') as Section & { rows: number; count: number; partitions: number[]; key_sha256: string; python_types: Record<string, string>; server_side_cursor: string | null };
        assert.equal(s.rows, expected.formFieldsCount);
        assert.equal(s.count, expected.formFieldsCount);
        assert.equal(s.key_sha256, expected.formFieldsSha, 'the streamed keys are those node-postgres reads, in order');
        assert.equal(s.partitions.length, Math.ceil(expected.formFieldsCount / 500));
        assert.ok(s.partitions.slice(0, -1).every((n) => n === 500), JSON.stringify(s.partitions));
        assert.match(String(s.server_side_cursor), /^c_/);
        assert.deepEqual(
          { answered_at: s.python_types.answered_at, answer_number: s.python_types.answer_number, is_kickoff: s.python_types.is_kickoff, answer_values: s.python_types.answer_values, field_id: s.python_types.field_id },
          { answered_at: 'datetime', answer_number: 'float', is_kickoff: 'bool', answer_values: 'list', field_id: 'str' },
        );
        const n = section('named_cursor') as Section & { first: number; fetched_by_plain_cursor: number[]; rest: number };
        assert.deepEqual(n, { first: 1000, fetched_by_plain_cursor: [1001, 1002, 1003, 1004, 1005], rest: 1995 }, 'the cursor lives on the server');
      });

      it('a wrong password is psycopg2.OperationalError "password authentication failed"; another organization\'s database is refused', () => {
        const e = section('errors') as Section & { wrong_password: { type: string; message: string }; other_database: { type: string; message: string } };
        assert.equal(e.wrong_password.type, 'psycopg2.OperationalError');
        assert.match(e.wrong_password.message, /password authentication failed for user/);
        assert.equal(e.other_database.type, 'psycopg2.OperationalError');
        assert.match(e.other_database.message, /database "globex" does not exist/);
      });

      it('psycopg 3: parameters bound by the server, binary results, a server-side cursor', (t) => {
        const p = section('psycopg3') as Section & {
          skipped?: string; by_id: string[]; typed_params: unknown[]; binary_rows: number; server_side_cursor_rows: number; wrong_password: { type: string; message: string };
          sqlalchemy?: { tables: string[]; views: string[]; columns: Record<string, ReflectedColumn[]>; stream_rows: number; partitions: number[]; cursor: string };
        };
        if (p.skipped) {
          assert.ok(!CI, p.skipped);
          t.skip(p.skipped);
          return;
        }
        assert.deepEqual(p.by_id, expected.ids.slice(0, 6).map((id) => expected.names.get(id)));
        assert.deepEqual(p.typed_params, [42, "it's", '2024-05-06 07:08:09', false]);
        assert.equal(p.binary_rows, 50);
        assert.equal(p.server_side_cursor_rows, 2000);
        assert.equal(p.wrong_password.type, 'psycopg.OperationalError');
        assert.match(p.wrong_password.message, /password authentication failed for user/);
        if (venv.major === '2.') {
          const sa = p.sqlalchemy!;
          assert.deepEqual([...sa.tables].sort(), expected.relations.filter((r) => r.kind === 'table').map((r) => r.name).sort());
          assert.deepEqual([...sa.views].sort(), expected.relations.filter((r) => r.kind === 'view').map((r) => r.name).sort());
          const psycopg2Columns = (report.inspector as { columns: Record<string, ReflectedColumn[]> }).columns;
          assert.deepEqual(sa.columns, psycopg2Columns, 'postgresql+psycopg reflects what postgresql+psycopg2 does');
          assert.equal(sa.cursor, 'ServerCursor');
          assert.equal(sa.stream_rows, 5000);
          assert.deepEqual(sa.partitions, Array(10).fill(500));
        }
      });
    });
  }
});
