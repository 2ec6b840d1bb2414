/**
 * A real Amazon Athena JDBC driver against a real `runlake serve`: test/clients/jdbc/AthenaJdbcProbe.java
 * connects through the Athena endpoint over verified TLS (a trust store built with keytool from the
 * server's generated certificate), walks DatabaseMetaData (catalogs, schemas, tables, columns), runs
 * queries of every common type, a result of several GetQueryResults pages, and bad statements; this
 * test asserts on the JSON report it prints.
 *
 * Which driver:
 * - The Simba-built Athena JDBC 2.x driver (AthenaJDBC42, what Looker and Tableau ship), from the
 *   PyAthenaJDBC wheel on PyPI (`source .ci/athena.sh`, RUNLAKE_ATHENA_JDBC2_JAR). Run twice, with
 *   the settings docs/ recommends for it (`UseResultsetStreaming=0`: the streaming API on port 444
 *   is not served): metadata through the Athena API (`MetadataRetrievalMethod=ProxyAPI`) and
 *   through SQL (the driver's default: SHOW SCHEMAS / SHOW TABLES / DESCRIBE).
 * - The Athena JDBC 3.x driver when RUNLAKE_ATHENA_JDBC3_JAR names its uber jar: Amazon publishes
 *   3.x only as a download from its own site, not on a package registry this project's machines
 *   reach, so CI cannot fetch it; those cases skip (also with CI set) and say so. They run with
 *   `AthenaEndpoint`/`S3Endpoint`/`StsEndpoint` pointing here, once with
 *   `ResultFetcher=GetQueryResults` and once with the driver's default fetcher (S3 downloads of
 *   `<id>.csv` + `.metadata`).
 *
 * Expectations come from the data contract (src/schema, the analytic views), the documents ingested
 * here, and what the driver reports for Athena's types, not from the server's own type maps.
 * Needs java, javac and keytool; with CI set, missing them or the 2.x jar fails the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyticViews } from '../../src/catalog/analytic-views.ts';
import { orgRelations, type OrgRelation } from '../../src/catalog/relations.ts';
import type { EngineType } from '../../src/engine/engine.ts';
import { processDoc } from '../support/docs.ts';
import { REPO } from '../support/server.ts';
import { REGION, startAthenaStack, type AthenaStack } from './support.ts';

const JAR2 = process.env.RUNLAKE_ATHENA_JDBC2_JAR || join(REPO, '.ci', 'cache', 'jars', 'AthenaJDBC42-pyathenajdbc-3.0.1.jar');
const JAR3 = process.env.RUNLAKE_ATHENA_JDBC3_JAR;
const PROBE = join(REPO, 'test', 'clients', 'jdbc', 'AthenaJdbcProbe.java');
const STOREPASS = 'changeit';

function missingTools(): string | undefined {
  for (const tool of ['java', 'javac']) {
    if (spawnSync(tool, ['-version'], { stdio: 'ignore' }).status !== 0) return `${tool} is not installed`;
  }
  if (spawnSync('keytool', ['-help'], { stdio: 'ignore' }).error) return 'keytool is not installed';
  if (!existsSync(JAR2)) return `the Athena JDBC driver jar is not at ${JAR2}`;
  return undefined;
}
const missing = missingTools();
const skip = missing && !process.env.CI ? `${missing} (source .ci/athena.sh installs a JDK and fetches the driver)` : false;
const skip3 = JAR3 && existsSync(JAR3)
  ? skip
  : 'the Athena JDBC 3.x driver is not on a package registry; set RUNLAKE_ATHENA_JDBC3_JAR to its uber jar (athena-jdbc-3.x-with-dependencies.jar) to run these';

type Row = Record<string, unknown>;
type Cell = { class: string | null; string: string | null; value: unknown };
interface Typed { columns: { name: string; type: number; typeName: string; className: string }[]; rows: Record<string, Cell>[] }
interface ProbeError { class: string; sqlState: string | null; message: string }
interface Report {
  connectError?: ProbeError;
  connection: { driverName: string; driverVersion: string; productName: string; catalog: string; valid: boolean };
  selectOne: Row[];
  catalogs: Row[];
  schemas: Row[];
  tables: Row[];
  columns: Row[];
  types: Typed;
  process: Typed;
  count: number;
  paging: { rows: number; inOrder: boolean };
  errors: Record<string, ProbeError | Row[]>;
}

/** A report section, failing with the driver's error when the section threw. */
function section<K extends keyof Report>(report: Report, name: K): Report[K] {
  const v = report[name] as unknown;
  if (v && typeof v === 'object' && !Array.isArray(v) && 'error' in v) assert.fail(`${name} failed: ${JSON.stringify((v as { error: unknown }).error)}`);
  return v as Report[K];
}

/** What the Simba Athena JDBC driver reports (DATA_TYPE, TYPE_NAME) for a column of this engine type. */
function simbaType(t: EngineType): [number, string] {
  switch (t.kind) {
    case 'varchar':
      return [12, 'string']; // Types.VARCHAR, Hive's name
    case 'integer':
      return [4, 'integer'];
    case 'bigint':
      return [-5, 'bigint'];
    case 'double':
      return [8, 'double'];
    case 'boolean':
      return [16, 'boolean']; // Types.BOOLEAN
    case 'timestamp':
      return [93, 'timestamp'];
    case 'date':
      return [91, 'date'];
    case 'list':
      return [2003, 'array']; // Types.ARRAY
    default:
      throw new Error(`jdbc.test.ts: no expectation for engine type ${JSON.stringify(t)}: add what the driver reports for it`);
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  started_at: '2025-03-09T07:30:15.250Z',
  completed_at: '2025-03-12T18:00:00.000Z',
};

/** The server, a trust store for its certificate, and the compiled probe; shared by both drivers' suites. */
interface Fixture {
  stack: AthenaStack;
  classes: string;
  trustStore: string;
  relations: OrgRelation[];
  probe(jar: string, url: string, props: Record<string, string>): Promise<Report>;
  close(): Promise<void>;
}

async function fixture(jar: string): Promise<Fixture> {
  const stack = await startAthenaStack([{ name: 'acme' }, { name: 'globex' }]);
  const { httpUrl, adminToken } = stack.server.info;
  const auth = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const r = await fetch(`${httpUrl}/ingest/v1/orgs/acme/processes`, { method: 'POST', headers: auth, body: JSON.stringify([RICH]) });
  assert.ok(r.ok, `ingest: ${r.status} ${await r.text()}`);
  const p = await fetch(`${httpUrl}/admin/v1/orgs/acme/publish`, { method: 'POST', headers: auth });
  assert.ok(p.ok, `publish: ${p.status} ${await p.text()}`);

  const classes = mkdtempSync(join(tmpdir(), 'runlake-athena-jdbc-'));
  const javac = await run('javac', ['-nowarn', '-encoding', 'UTF-8', '-cp', jar, '-d', classes, PROBE], 120_000);
  assert.equal(javac.code, 0, `javac failed:\n${javac.stderr}`);
  const trustStore = join(classes, 'runlake.jks');
  const keytool = await run('keytool', ['-importcert', '-noprompt', '-alias', 'runlake', '-file', join(stack.dataDir, 'tls', 'cert.pem'),
    '-keystore', trustStore, '-storetype', 'JKS', '-storepass', STOREPASS], 60_000);
  assert.equal(keytool.code, 0, `keytool failed:\n${keytool.stderr}`);

  return {
    stack, classes, trustStore,
    relations: orgRelations(analyticViews({ timezone: 'UTC' })),
    async probe(jarPath, url, props) {
      const args = [`-Djavax.net.ssl.trustStore=${trustStore}`, `-Djavax.net.ssl.trustStorePassword=${STOREPASS}`, '-Duser.timezone=UTC',
        '-cp', `${classes}:${jarPath}`, 'AthenaJdbcProbe', '--url', url, '--database', 'acme', '--process-id', 'acme-rich', '--other-database', 'globex'];
      for (const [k, v] of Object.entries(props)) args.push('--prop', `${k}=${v}`);
      const out = await run('java', args, 300_000);
      assert.equal(out.code, 0, `AthenaJdbcProbe failed:\n${out.stderr}\n${out.stdout}`);
      const report = JSON.parse(out.stdout) as Report;
      assert.equal(report.connectError, undefined, `the driver could not connect: ${JSON.stringify(report.connectError)}\n${out.stderr}`);
      return report;
    },
    async close() {
      await stack.stop();
      rmSync(classes, { recursive: true, force: true });
    },
  };
}

/** Assertions that hold for any Athena JDBC driver: what came back, read as strings and names. */
function commonChecks(get: () => { report: Report; relations: OrgRelation[] }): void {
  it('the connection test passes and SELECT 1 answers 1', () => {
    const { report } = get();
    assert.equal(section(report, 'connection').valid, true);
    const one = section(report, 'selectOne');
    assert.equal(one.length, 1);
    assert.equal(Object.values(one[0]!)[0], 1);
  });

  it('getCatalogs: AwsDataCatalog only', () => {
    assert.deepEqual(section(get().report, 'catalogs').map((c) => c.TABLE_CAT), ['AwsDataCatalog']);
  });

  it('getTables: every table and view of the organization, none of another', () => {
    const { report, relations } = get();
    const tables = section(report, 'tables');
    assert.deepEqual(tables.map((t) => t.TABLE_NAME).sort(), relations.map((r) => r.name).sort());
    for (const t of tables) assert.equal(t.TABLE_SCHEM, 'acme');
  });

  it('getColumns: the columns of processes in order (the partition key last, as Glue lists it)', () => {
    const { report, relations } = get();
    const r = relations.find((x) => x.name === 'processes')!;
    const want = [...r.columns.filter((c) => c.name !== 'started_month'), ...r.columns.filter((c) => c.name === 'started_month')];
    const got = section(report, 'columns');
    assert.deepEqual(got.map((c) => c.COLUMN_NAME), want.map((c) => c.name));
    got.forEach((c, i) => assert.equal(c.ORDINAL_POSITION, i + 1));
  });

  it('a query of every common type: values read back exactly', () => {
    const t = section(get().report, 'types');
    assert.deepEqual(t.columns.map((c) => c.name), ['i', 'big', 'dbl', 'dec', 'yes', 'txt', 'empty', 'nothing', 'day', 'ts', 'ints']);
    assert.equal(t.rows.length, 1);
    const row = t.rows[0]!;
    assert.equal(row.i!.value, 7);
    assert.equal(row.big!.value, '9007199254740993');
    assert.equal(row.dbl!.value, 0.25);
    assert.equal(row.dec!.value, '12345.67');
    assert.equal(row.yes!.value, true);
    assert.equal(row.txt!.value, 'héllo, "quoted"');
    assert.equal(row.empty!.value, '', 'the empty string is not NULL');
    assert.equal(row.nothing!.value, null);
    assert.equal(row.day!.string, '2024-02-29');
    assert.match(row.ts!.string!, /^2024-02-29 23:59:58\.123/);
  });

  it('the ingested process reads back with its values', () => {
    const p = section(get().report, 'process');
    assert.equal(p.rows.length, 1);
    const row = p.rows[0]!;
    assert.equal(row.process_id!.value, 'acme-rich');
    assert.equal(row.process_name!.value, 'Rich, "quoted" process');
    assert.equal(row.blueprint_version!.value, 3);
    assert.equal(row.total_tasks!.value, 3);
    assert.equal(row.has_open_issue!.value, false);
    assert.match(row.started_at!.string!, /^2025-03-09 07:30:15\.25/);
    assert.match(row.completed_at!.string!, /^2025-03-12 18:00:00/);
  });

  it('count(*) matches the ingested processes; a result over several pages comes back whole and in order', () => {
    const { report } = get();
    assert.equal(section(report, 'count'), 4);
    assert.deepEqual(section(report, 'paging'), { rows: 2500, inOrder: true });
  });

  it('bad statements raise SQLExceptions carrying the reason', () => {
    const e = section(get().report, 'errors');
    const err = (name: string) => {
      const v = e[name] as ProbeError;
      assert.ok(v && typeof v.message === 'string', `${name} should fail: ${JSON.stringify(v)}`);
      return v.message;
    };
    assert.match(err('missingTable'), /TABLE_NOT_FOUND.*no_such_table/s);
    assert.match(err('syntax'), /mismatched input/);
    assert.match(err('otherDatabase'), /globex/);
  });
}

describe('Athena JDBC driver (Simba 2.x, as in Looker and Tableau) against runlake serve', { skip }, () => {
  let fx: Fixture;
  const reports: Record<'proxyApi' | 'sqlMetadata', Report> = {} as Record<'proxyApi' | 'sqlMetadata', Report>;

  before(async () => {
    if (missing) throw new Error(`${missing}: CI must run "source .ci/athena.sh" before the tests`);
    fx = await fixture(JAR2);
    const key = fx.stack.keys.acme!;
    const base = {
      EndpointOverride: fx.stack.endpoint.replace(/^https:\/\//, ''), // the driver adds https:// itself
      User: key.accessKeyId,
      Password: key.secretAccessKey,
      S3OutputLocation: 's3://runlake-results/acme/',
      Workgroup: 'acme',
      Schema: 'acme',
      UseResultsetStreaming: '0',
    };
    const url = `jdbc:awsathena://AwsRegion=${REGION};`;
    reports.proxyApi = await fx.probe(JAR2, url, { ...base, MetadataRetrievalMethod: 'ProxyAPI' });
    reports.sqlMetadata = await fx.probe(JAR2, url, base);
  });
  after(async () => {
    await fx?.close();
  });

  for (const mode of ['proxyApi', 'sqlMetadata'] as const) {
    describe(mode === 'proxyApi' ? 'metadata through the Athena API (MetadataRetrievalMethod=ProxyAPI)' : 'metadata through SQL (the driver default)', () => {
      commonChecks(() => ({ report: reports[mode], relations: fx.relations }));
    });
  }

  it('identifies itself as the Simba Athena driver talking to AWS.Athena, catalog AwsDataCatalog', () => {
    const c = section(reports.proxyApi, 'connection');
    assert.equal(c.driverName, 'Simba Athena JDBC Driver');
    assert.match(c.driverVersion, /^02\./);
    assert.equal(c.productName, 'AWS.Athena');
    assert.equal(c.catalog, 'AwsDataCatalog');
  });

  it('ProxyAPI: getSchemas lists the organization database and the scratch schema; tables and views have their Glue types', () => {
    const { relations } = fx;
    assert.deepEqual(section(reports.proxyApi, 'schemas').map((s) => s.TABLE_SCHEM), ['acme', 'looker_scratch']);
    const types = new Map(section(reports.proxyApi, 'tables').map((t) => [t.TABLE_NAME, t.TABLE_TYPE]));
    for (const r of relations) assert.equal(types.get(r.name), r.kind === 'table' ? 'EXTERNAL_TABLE' : 'VIRTUAL_VIEW', r.name);
  });

  it('getColumns (both paths): the JDBC type and type name the driver gives each column type, and the column comments', () => {
    const r = fx.relations.find((x) => x.name === 'processes')!;
    for (const mode of ['proxyApi', 'sqlMetadata'] as const) {
      for (const c of section(reports[mode], 'columns')) {
        const col = r.columns.find((x) => x.name === c.COLUMN_NAME)!;
        const [type, name] = simbaType(col.type);
        assert.equal(c.DATA_TYPE, type, `${mode}: DATA_TYPE of ${col.name}`);
        assert.equal(c.TYPE_NAME, name, `${mode}: TYPE_NAME of ${col.name}`);
        if (mode === 'proxyApi') assert.equal(c.REMARKS, col.doc, `REMARKS of ${col.name}`);
      }
    }
  });

  it('ResultSetMetaData and getObject: the Java classes the driver maps Athena types to', () => {
    const t = section(reports.proxyApi, 'types');
    assert.deepEqual(
      t.columns.map((c) => `${c.name}:${c.type}:${c.typeName}:${c.className}`),
      ['i:4:integer:java.lang.Integer', 'big:-5:bigint:java.lang.Long', 'dbl:8:double:java.lang.Double', 'dec:3:decimal:java.math.BigDecimal',
        'yes:16:boolean:java.lang.Boolean', 'txt:12:string:java.lang.String', 'empty:12:string:java.lang.String', 'nothing:12:string:java.lang.String',
        'day:91:date:java.sql.Date', 'ts:93:timestamp:java.sql.Timestamp', 'ints:2003:array:java.sql.Array'],
    );
    const row = t.rows[0]!;
    assert.equal(row.ts!.value, '2024-02-29 23:59:58.123');
    assert.deepEqual(row.ints!.value, ['1', '2', '3'], 'the array comes back as a java.sql.Array of its elements');
  });
});

describe('Athena JDBC 3.x driver against runlake serve', { skip: skip3 }, () => {
  let fx: Fixture;
  const reports: Record<'getQueryResults' | 's3', Report> = {} as Record<'getQueryResults' | 's3', Report>;

  before(async () => {
    if (missing) throw new Error(`${missing}: CI must run "source .ci/athena.sh" before the tests`);
    fx = await fixture(JAR3!);
    const key = fx.stack.keys.acme!;
    const base = {
      Region: REGION,
      AthenaEndpoint: fx.stack.endpoint,
      S3Endpoint: fx.stack.endpoint,
      StsEndpoint: fx.stack.endpoint,
      User: key.accessKeyId,
      Password: key.secretAccessKey,
      WorkGroup: 'acme',
      Catalog: 'AwsDataCatalog',
      Database: 'acme',
      OutputLocation: 's3://runlake-results/acme/',
    };
    reports.getQueryResults = await fx.probe(JAR3!, 'jdbc:athena://', { ...base, ResultFetcher: 'GetQueryResults' });
    reports.s3 = await fx.probe(JAR3!, 'jdbc:athena://', base);
  });
  after(async () => {
    await fx?.close();
  });

  for (const mode of ['getQueryResults', 's3'] as const) {
    describe(mode === 'getQueryResults' ? 'ResultFetcher=GetQueryResults' : 'the default result fetcher (S3 downloads)', () => {
      commonChecks(() => ({ report: reports[mode], relations: fx.relations }));
    });
  }
});
