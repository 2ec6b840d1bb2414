/**
 * The real PyAthena (boto3) client against a real `runlake serve`: test/clients/python/pyathena_probe.py
 * connects to the Athena endpoint over verified TLS (verify= the server's generated certificate),
 * runs queries with the default cursor (typed Python values, pyformat and server-side qmark
 * parameters, several result pages, errors, a CREATE TABLE AS in the scratch schema), reads a
 * staged result CSV with PandasCursor through boto3's S3 client pointed at the same endpoint
 * (AWS_ENDPOINT_URL_S3), and lists tables and columns with SQLAlchemy's `awsathena+rest` inspector.
 * This test asserts on the JSON report it prints.
 *
 * Expectations come from the data contract (src/schema tables and the analytic views' declared
 * columns), the documents ingested here, and what PyAthena gives for Athena's types — not from the
 * server's own type maps.
 *
 * Needs the venv .ci/cache/venv-athena (RUNLAKE_TEST_VENV_ATHENA; `source .ci/athena.sh` builds it).
 * Skipped with a message when it is missing locally; with CI set, missing it fails the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyticViews } from '../../src/catalog/analytic-views.ts';
import { orgRelations } from '../../src/catalog/relations.ts';
import type { EngineType } from '../../src/engine/engine.ts';
import { processDoc } from '../support/docs.ts';
import { REPO } from '../support/server.ts';
import { startAthenaStack, type AthenaStack } from './support.ts';

const VENV = process.env.RUNLAKE_TEST_VENV_ATHENA || join(REPO, '.ci', 'cache', 'venv-athena');
const PYTHON = join(VENV, 'bin', 'python');
const PROBE = join(REPO, 'test', 'clients', 'python', 'pyathena_probe.py');
const missing = existsSync(PYTHON) ? undefined : `the PyAthena venv is not at ${VENV}`;
const skip = missing && !process.env.CI ? `${missing} (source .ci/athena.sh builds it)` : false;

type Cell = { type: string; value: unknown };
type Row = Record<string, Cell>;
type Failure = { error: { class: string; message: string }; trace?: string };
interface Column { name: string; type: string; precision: number; scale: number; nullable: string }
interface Report {
  s3Endpoint: string | null;
  versions: { pyathena: string; boto3: string };
  types: { description: Column[]; rows: Row[]; queryId: string; outputLocation: string; state: string };
  process: { pyformat: Row[]; qmark: Row[] };
  counts: Record<string, number>;
  paging: { rows: number; inOrder: boolean; first: number[]; last: number[] };
  errors: Record<string, { class: string; message: string }>;
  ctas: { create: { rowcount: number; description: Column[] | null }; sum: number; shown: string[]; afterDrop: string[] };
  pandas: {
    outputLocation: string;
    processes: { rows: number; dtypes: Record<string, string>; first: Row; ids: string[] };
    types: { dtypes: Record<string, string>; row: Row };
  };
  sqlalchemy: {
    schemas: string[];
    tables: string[];
    views: string[];
    hasTable: boolean;
    hasMissing: boolean;
    columns: Record<string, { name: string; type: string; nullable: boolean }[]>;
    count: number;
    bound: string;
  };
}

/** A report section, failing with the client's own error when the section raised. */
function section<K extends keyof Report>(report: Report, name: K): Report[K] {
  const v = report[name] as Report[K] | Failure;
  if (v && typeof v === 'object' && 'error' in v && (v as Failure).trace !== undefined) {
    assert.fail(`${name}: ${(v as Failure).error.class}: ${(v as Failure).error.message}\n${(v as Failure).trace}`);
  }
  return v as Report[K];
}

/** How PyAthena's SQLAlchemy dialect prints the type it reflects for an Athena column of this engine type. */
function sqlalchemyType(t: EngineType): RegExp {
  switch (t.kind) {
    case 'varchar':
      return /^VARCHAR$/;
    case 'integer':
      return /^INTEGER$/;
    case 'bigint':
      return /^BIGINT$/;
    case 'double':
      return /^(DOUBLE|FLOAT)/;
    case 'boolean':
      return /^BOOLEAN$/;
    case 'timestamp':
      return /^TIMESTAMP$/;
    case 'date':
      return /^DATE$/;
    case 'list':
      if (t.element?.kind === 'varchar') return /^AthenaArray\(item_type=String\(\)\)$/;
      break;
    default:
      break;
  }
  throw new Error(`pyathena.test.ts: no expectation for engine type ${JSON.stringify(t)}: add what PyAthena's dialect reflects for it`);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const RICH = {
  ...processDoc('acme-rich', { name: 'Rich, "quoted" process', month: '2025-03', tasks: 3 }),
  blueprint_version: 3,
  process_status: 'complete' as const,
  // Not 'y, z': Athena renders arrays as `[x, y, z]` (strings unquoted), which PyAthena splits on
  // ', ' — real Athena loses that distinction too.
  tags: ['x', 'y z'],
  started_at: '2025-03-09T07:30:15.250Z',
  completed_at: '2025-03-12T18:00:00.000Z',
};

describe('PyAthena against runlake serve', { skip }, () => {
  let stack: AthenaStack;
  let report: Report;

  before(async () => {
    if (missing) throw new Error(`${missing}: CI must run "source .ci/athena.sh" before the tests`);
    // acme-1..3 (2 tasks each, active) come from the stack; one richer process is added here.
    stack = await startAthenaStack([{ name: 'acme' }, { name: 'globex' }]);
    const { httpUrl, adminToken } = stack.server.info;
    const auth = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const r = await fetch(`${httpUrl}/ingest/v1/orgs/acme/processes`, { method: 'POST', headers: auth, body: JSON.stringify([RICH]) });
    assert.ok(r.ok, `ingest: ${r.status} ${await r.text()}`);
    const p = await fetch(`${httpUrl}/admin/v1/orgs/acme/publish`, { method: 'POST', headers: auth });
    assert.ok(p.ok, `publish: ${p.status} ${await p.text()}`);

    const caFile = join(stack.dataDir, 'tls', 'cert.pem');
    const key = stack.keys.acme!;
    const probe = await run(
      PYTHON,
      // `--opt=value`: a generated secret may begin with '-', which argparse would take for an option.
      [PROBE, '--endpoint', stack.endpoint, '--ca', caFile, `--access-key=${key.accessKeyId}`, `--secret-key=${key.secretAccessKey}`,
        '--database', 'acme', '--workgroup', 'acme', '--output-location', 's3://runlake-results/acme/', '--process-id', 'acme-rich',
        '--other-database', 'globex'],
      // boto3's S3 client (PandasCursor) gets no endpoint from PyAthena 4: point it here the standard way.
      { ...process.env, AWS_ENDPOINT_URL_S3: stack.endpoint, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
      240_000,
    );
    assert.equal(probe.code, 0, `pyathena_probe.py failed:\n${probe.stderr}\n${probe.stdout}`);
    report = JSON.parse(probe.stdout) as Report;
  });
  after(async () => {
    await stack?.stop();
  });

  it('runs PyAthena 4 with boto3, S3 pointed at the same endpoint', () => {
    assert.match(report.versions.pyathena, /^4\./);
    assert.equal(report.s3Endpoint, stack.endpoint);
  });

  it('cursor: Athena types become the Python types PyAthena promises (int, Decimal, bool, date, datetime, list; NULL vs empty string)', () => {
    const t = section(report, 'types');
    assert.equal(t.state, 'SUCCEEDED');
    assert.equal(t.outputLocation, `s3://runlake-results/acme/${t.queryId}.csv`, 'OutputLocation is the result file: <prefix><id>.csv');
    assert.deepEqual(
      t.description.map((c) => `${c.name}:${c.type}:${c.precision}:${c.scale}`),
      ['i:integer:10:0', 'big:bigint:19:0', 'dbl:double:17:0', 'dec:decimal:10:2', 'yes:boolean:0:0', 'no:boolean:0:0', 'txt:varchar:2147483647:0',
        'empty:varchar:2147483647:0', 'nothing:varchar:2147483647:0', 'day:date:0:0', 'ts:timestamp:3:0', 'ints:array:0:0', 'strs:array:0:0'],
    );
    assert.deepEqual(t.rows, [{
      i: { type: 'int', value: 7 },
      big: { type: 'int', value: '9007199254740993' },
      dbl: { type: 'float', value: 0.25 },
      dec: { type: 'Decimal', value: '12345.67' },
      yes: { type: 'bool', value: true },
      no: { type: 'bool', value: false },
      txt: { type: 'str', value: 'héllo, "quoted"' },
      empty: { type: 'str', value: '' },
      nothing: { type: 'NoneType', value: null },
      day: { type: 'date', value: '2024-02-29' },
      ts: { type: 'datetime', value: '2024-02-29T23:59:58.123000' },
      ints: { type: 'list', value: [1, 2, 3] },
      strs: { type: 'list', value: ['a', 'b'] },
    }]);
  });

  it('cursor: a process read back by id, with pyformat (client-side) and qmark (ExecutionParameters) parameters', () => {
    const p = section(report, 'process');
    const expected: Row = {
      process_id: { type: 'str', value: 'acme-rich' },
      process_name: { type: 'str', value: 'Rich, "quoted" process' },
      blueprint_version: { type: 'int', value: 3 },
      total_tasks: { type: 'int', value: 3 },
      has_open_issue: { type: 'bool', value: false },
      tags: { type: 'list', value: ['x', 'y z'] },
      started_at: { type: 'datetime', value: '2025-03-09T07:30:15.250000' },
      completed_at: { type: 'datetime', value: '2025-03-12T18:00:00' },
    };
    assert.deepEqual(p.pyformat, [expected]);
    assert.deepEqual(p.qmark, [expected]);
  });

  it('cursor: counts match what was ingested, and a result of several pages comes back whole and in order', () => {
    assert.deepEqual(section(report, 'counts'), { processes: 4, steps: 3 * 2 + 3, members: 0 });
    assert.deepEqual(section(report, 'paging'), { rows: 2500, inOrder: true, first: [1, 2], last: [2499, 2500] });
  });

  it('cursor: failures raise PyAthena errors with the reason (missing table, syntax error, another organization)', () => {
    const e = section(report, 'errors');
    assert.equal(e.missingTable?.class, 'OperationalError', JSON.stringify(e.missingTable));
    assert.match(e.missingTable!.message, /^TABLE_NOT_FOUND: .*no_such_table/);
    assert.equal(e.syntax?.class, 'DatabaseError', JSON.stringify(e.syntax));
    assert.match(e.syntax!.message, /InvalidRequestException.*StartQueryExecution.*mismatched input/s);
    assert.equal(e.otherDatabase?.class, 'OperationalError', JSON.stringify(e.otherDatabase));
    assert.match(e.otherDatabase!.message, /globex/);
    assert.doesNotMatch(e.otherDatabase!.message, /globex-\d/, "nothing of the other organization's data leaks");
  });

  it('cursor: CREATE TABLE AS in the scratch schema reports the rows written, is queryable, and DROP TABLE removes it', () => {
    const c = section(report, 'ctas');
    assert.equal(c.create.rowcount, 2, 'two process_status groups (active, complete)');
    assert.deepEqual(c.create.description?.map((d) => `${d.name}:${d.type}`), ['rows:bigint']);
    assert.equal(c.sum, 4);
    assert.deepEqual(c.shown, ['pyathena_probe']);
    assert.deepEqual(c.afterDrop, []);
  });

  it('PandasCursor reads the staged CSV through the S3 API of the same endpoint', () => {
    const p = section(report, 'pandas');
    assert.match(p.outputLocation, /^s3:\/\/runlake-results\/acme\/[0-9a-f-]{36}\.csv$/);
    assert.equal(p.processes.rows, 4);
    assert.deepEqual(p.processes.ids, ['acme-1', 'acme-2', 'acme-3', 'acme-rich']);
    assert.match(p.processes.dtypes.process_id!, /^(str|object|string)$/);
    assert.equal(p.processes.dtypes.total_tasks, 'Int64');
    assert.equal(p.processes.dtypes.has_open_issue, 'bool');
    assert.match(p.processes.dtypes.started_at!, /^datetime64\[(ns|us|ms)\]$/);
    assert.deepEqual(p.processes.first.total_tasks, { type: 'int64', value: 2 });
    assert.deepEqual(p.processes.first.started_at, { type: 'Timestamp', value: '2025-01-01T09:00:00' });
    const row = p.types.row;
    assert.deepEqual(row.dec, { type: 'Decimal', value: '12345.67' });
    assert.deepEqual(row.big, { type: 'int64', value: '9007199254740993' });
    assert.deepEqual(row.yes, { type: 'bool', value: true });
    assert.deepEqual(row.ts, { type: 'Timestamp', value: '2024-02-29T23:59:58.123000' });
    assert.deepEqual(row.txt, { type: 'str', value: 'héllo, "quoted"' });
  });

  it('SQLAlchemy awsathena+rest: the inspector lists the databases, tables, views and columns of the organization only', () => {
    const s = section(report, 'sqlalchemy');
    const relations = orgRelations(analyticViews({ timezone: 'UTC' }));
    assert.deepEqual(s.schemas, ['acme', 'looker_scratch']);
    assert.deepEqual(s.tables, relations.filter((r) => r.kind === 'table').map((r) => r.name).sort());
    assert.deepEqual(s.views, relations.filter((r) => r.kind === 'view').map((r) => r.name).sort());
    assert.equal(s.hasTable, true);
    assert.equal(s.hasMissing, false, 'has_table() of a missing table is False (GetTableMetadata says EntityNotFoundException)');
    for (const name of ['processes', 'process_durations']) {
      const r = relations.find((x) => x.name === name)!;
      // Partition keys (started_month) come after the other columns, as Glue lists them.
      const want = [...r.columns.filter((c) => c.name !== 'started_month'), ...r.columns.filter((c) => c.name === 'started_month')];
      const got = s.columns[name]!;
      assert.deepEqual(got.map((c) => c.name), want.map((c) => c.name), `columns of ${name}`);
      want.forEach((c, i) => assert.match(got[i]!.type, sqlalchemyType(c.type), `type of ${name}.${c.name}: ${got[i]!.type}`));
    }
    assert.equal(s.count, 4);
    assert.equal(s.bound, 'Rich, "quoted" process');
  });
});
