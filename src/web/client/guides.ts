/**
 * Connection guides, one per tool, filled in with this organization's connection details. Most
 * tools connect over the PostgreSQL wire protocol (works with every tool listed); Looker, Tableau
 * and Python can also use the Athena-compatible API. Secrets never appear: the guides name the
 * access key fields, and the Access keys page creates keys.
 */
import type { Connection } from './api-types.ts';

export interface GuideValue {
  label: string;
  value: string;
  /** A placeholder for a credential the user fills in (never a real secret). */
  placeholder?: boolean;
}

export interface Guide {
  id: string;
  name: string;
  via: 'PostgreSQL' | 'Athena API' | 'PostgreSQL or Athena API';
  summary: string;
  values(c: Connection): GuideValue[];
  steps(c: Connection): string[];
  snippet?: { label: string; language: string; code(c: Connection): string };
  /** A file the server generates for this organization (e.g. the Looker project). */
  download?: { label: string; href(c: Connection): string };
  notes?: string[];
}

/** The generated Looker project of an organization, as a ZIP (runlake lookml). */
const lookmlDownload = (dialect: 'athena' | 'postgres') => ({
  label: `Download the Looker project (${dialect === 'athena' ? 'Athena' : 'PostgreSQL'}, ZIP)`,
  href: (c: Connection) => `/console/api/orgs/${encodeURIComponent(c.org)}/lookml.zip?dialect=${dialect}`,
});

export const KEY_ID = '<access key id>';
export const SECRET = '<secret access key>';

const pgValues = (c: Connection, hostLabel = 'Host'): GuideValue[] => [
  { label: hostLabel, value: c.pgwire.host },
  { label: 'Port', value: String(c.pgwire.port) },
  { label: 'Database', value: c.database },
  { label: 'Username', value: KEY_ID, placeholder: true },
  { label: 'Password', value: SECRET, placeholder: true },
  { label: 'SSL mode', value: c.pgwire.sslmode },
];

const athenaValues = (c: Connection): GuideValue[] => [
  { label: 'Endpoint', value: c.athena.endpoint },
  { label: 'Region', value: c.athena.region },
  { label: 'Catalog', value: c.catalog },
  { label: 'Database', value: c.database },
  { label: 'Workgroup', value: c.workgroup },
  { label: 'Output location (S3 staging directory)', value: c.athena.outputLocation },
  { label: 'Access key id', value: KEY_ID, placeholder: true },
  { label: 'Secret access key', value: SECRET, placeholder: true },
];

const TLS_NOTE =
  'Runlake encrypts connections with TLS. With the certificate it generated for itself, turn off certificate verification in the tool, or make the tool trust <data-dir>/tls/cert.pem (docs/operations/tls.md).';

export const GUIDES: Guide[] = [
  {
    id: 'looker-athena',
    name: 'Looker (Athena)',
    via: 'Athena API',
    summary: 'Looker’s Amazon Athena dialect, pointed at Runlake’s Athena-compatible API. Persistent derived tables go to the scratch schema.',
    values: (c) => [...athenaValues(c), { label: 'Temp database (PDTs)', value: c.scratchSchema }],
    steps: (c) => [
      'In Looker, open Admin → Database → Connections and choose Add Connection.',
      'Name it, and choose the dialect Amazon Athena.',
      `Host: ${c.athena.host}, Port: ${c.athena.port}, Database: ${c.database}.`,
      'Username: the access key id; Password: the secret access key.',
      `Enable persistent derived tables with Temp Database ${c.scratchSchema}.`,
      `Additional JDBC parameters: S3OutputLocation=${c.athena.outputLocation};Workgroup=${c.workgroup};UseResultsetStreaming=0`,
      'Test the connection, then Connect.',
    ],
    download: lookmlDownload('athena'),
    notes: [TLS_NOTE, 'Looker can also connect over PostgreSQL (see Looker (PostgreSQL)); both read the same data.'],
  },
  {
    id: 'looker-postgres',
    name: 'Looker (PostgreSQL)',
    via: 'PostgreSQL',
    summary: 'Looker’s PostgreSQL dialect over Runlake’s PostgreSQL wire protocol, with persistent derived tables in the scratch schema.',
    values: (c) => [...pgValues(c), { label: 'Temp database (PDTs)', value: c.scratchSchema }],
    steps: (c) => [
      'In Looker, open Admin → Database → Connections and choose Add Connection.',
      'Choose the dialect PostgreSQL 9.5+.',
      `Host: ${c.pgwire.host}, Port: ${c.pgwire.port}, Database: ${c.database}, Schema: ${c.database}.`,
      'Username: the access key id; Password: the secret access key.',
      'Turn on SSL.',
      `Enable persistent derived tables with Temp Database ${c.scratchSchema}.`,
      'Test the connection, then Connect.',
    ],
    download: lookmlDownload('postgres'),
    notes: [TLS_NOTE],
  },
  {
    id: 'tableau',
    name: 'Tableau',
    via: 'PostgreSQL or Athena API',
    summary: 'Tableau Desktop or Server with its PostgreSQL connector (or its Amazon Athena connector).',
    values: (c) => pgValues(c, 'Server'),
    steps: (c) => [
      'In Tableau, under Connect → To a Server, choose PostgreSQL.',
      `Server: ${c.pgwire.host}, Port: ${c.pgwire.port}, Database: ${c.database}.`,
      'Authentication: Username and Password; Username: the access key id; Password: the secret access key.',
      'Tick Require SSL, then Sign In.',
      `The tables and views appear under the schema ${c.database}; drag processes, steps or an analytic view such as process_durations onto the canvas.`,
      `With the Amazon Athena connector instead: Server ${c.athena.host}, Port ${c.athena.port}, S3 Staging Directory ${c.athena.outputLocation}, and the access key id and secret.`,
    ],
    notes: [TLS_NOTE],
  },
  {
    id: 'power-bi',
    name: 'Power BI',
    via: 'PostgreSQL',
    summary: 'Power BI Desktop’s PostgreSQL database connector (Import, or DirectQuery for large data).',
    values: (c) => [{ label: 'Server', value: `${c.pgwire.host}:${c.pgwire.port}` }, ...pgValues(c).filter((v) => v.label !== 'Host' && v.label !== 'Port')],
    steps: (c) => [
      'In Power BI Desktop, choose Get data → Database → PostgreSQL database.',
      `Server: ${c.pgwire.host}:${c.pgwire.port}, Database: ${c.database}. Choose Import (or DirectQuery above about 1 GB).`,
      'When asked for credentials, choose Database; User name: the access key id; Password: the secret access key.',
      `In the Navigator, pick tables and views of ${c.database} (the analytic views are ready-made for the usual questions), then Load.`,
    ],
    notes: ['Power BI checks the server’s certificate: install Runlake’s certificate (<data-dir>/tls/cert.pem) as trusted on the machine, or use a certificate from your own authority.'],
  },
  {
    id: 'looker-studio',
    name: 'Looker Studio',
    via: 'PostgreSQL',
    summary: 'Looker Studio’s PostgreSQL connector. Looker Studio connects from Google’s servers, so Runlake must be reachable from the internet at this host and port.',
    values: (c) => pgValues(c, 'Host name or IP'),
    steps: (c) => [
      'In Looker Studio, choose Create → Data source → PostgreSQL.',
      `Host name or IP: ${c.pgwire.host}, Port: ${c.pgwire.port}, Database: ${c.database}.`,
      'Username: the access key id; Password: the secret access key.',
      'Tick Enable SSL, then Authenticate.',
      'Choose a table, or Custom query to paste SQL from the SQL editor, then Connect.',
    ],
    notes: ['A host such as 127.0.0.1 only works from this machine; use the server’s public name.'],
  },
  {
    id: 'metabase',
    name: 'Metabase',
    via: 'PostgreSQL',
    summary: 'Metabase’s PostgreSQL driver.',
    values: (c) => pgValues(c),
    steps: (c) => [
      'In Metabase, open Admin settings → Databases → Add database, and choose PostgreSQL.',
      `Display name: Runlake ${c.org}. Host: ${c.pgwire.host}, Port: ${c.pgwire.port}, Database name: ${c.database}.`,
      'Username: the access key id; Password: the secret access key.',
      'Turn on Use a secure connection (SSL), with SSL mode require.',
      'Save. Metabase then scans the tables; questions and dashboards can start from any of them.',
    ],
    notes: [TLS_NOTE],
  },
  {
    id: 'superset',
    name: 'Superset',
    via: 'PostgreSQL',
    summary: 'Apache Superset with its PostgreSQL driver (psycopg2), as a SQLAlchemy URI.',
    values: (c) => pgValues(c),
    steps: () => [
      'In Superset, open Settings → Database Connections → + Database, and choose PostgreSQL.',
      'Choose Connect this database with a SQLAlchemy URI string, and paste the URI below with the access key filled in.',
      'Test Connection, then Connect.',
    ],
    snippet: {
      label: 'SQLAlchemy URI',
      language: 'text',
      code: (c) => `postgresql+psycopg2://${KEY_ID}:${SECRET}@${c.pgwire.host}:${c.pgwire.port}/${c.database}?sslmode=require`,
    },
    notes: ['URL-encode the secret if it holds characters other than letters, digits, - and _ (Runlake’s secrets do not).'],
  },
  {
    id: 'grafana',
    name: 'Grafana',
    via: 'PostgreSQL',
    summary: 'Grafana’s PostgreSQL data source, for time series of processes, tasks and SLA breaches.',
    values: (c) => [{ label: 'Host URL', value: `${c.pgwire.host}:${c.pgwire.port}` }, ...pgValues(c).filter((v) => v.label !== 'Host' && v.label !== 'Port')],
    steps: (c) => [
      'In Grafana, open Connections → Data sources → Add data source, and choose PostgreSQL.',
      `Host URL: ${c.pgwire.host}:${c.pgwire.port}, Database name: ${c.database}.`,
      'Username: the access key id; Password: the secret access key.',
      'TLS/SSL Mode: require. PostgreSQL version: 15. TimescaleDB: off.',
      'Save & test, then build panels with SQL, e.g. tasks completed per day from step_durations.',
    ],
    notes: [TLS_NOTE],
  },
  {
    id: 'psql',
    name: 'psql',
    via: 'PostgreSQL',
    summary: 'The PostgreSQL command-line client.',
    values: (c) => pgValues(c),
    steps: () => ['Run the command below with the access key filled in. \\dt lists the tables, \\dv the views, \\d processes a table’s columns.'],
    snippet: {
      label: 'Command',
      language: 'sh',
      code: (c) => `PGPASSWORD='${SECRET}' psql "host=${c.pgwire.host} port=${c.pgwire.port} dbname=${c.database} user=${KEY_ID} sslmode=require"`,
    },
  },
  {
    id: 'python',
    name: 'Python',
    via: 'PostgreSQL or Athena API',
    summary: 'psycopg (PostgreSQL), or PyAthena / boto3 (Athena API). pandas and SQLAlchemy work on top of either.',
    values: (c) => [...pgValues(c), { label: 'Athena endpoint', value: c.athena.endpoint }, { label: 'Workgroup', value: c.workgroup }],
    steps: () => ['Install the driver (pip install "psycopg[binary]", or pip install pyathena), then run one of the snippets below with the access key filled in.'],
    snippet: {
      label: 'psycopg and PyAthena',
      language: 'python',
      code: (c) => `import psycopg

conn = psycopg.connect(
    host="${c.pgwire.host}", port=${c.pgwire.port}, dbname="${c.database}", sslmode="require",
    user="${KEY_ID}", password="${SECRET}",
)
for row in conn.execute("SELECT blueprint_name, count(*) FROM processes GROUP BY 1"):
    print(row)

# Or through the Athena API:
from pyathena import connect

cursor = connect(
    aws_access_key_id="${KEY_ID}", aws_secret_access_key="${SECRET}",
    region_name="${c.athena.region}", work_group="${c.workgroup}", schema_name="${c.database}",
    s3_staging_dir="${c.athena.outputLocation}", endpoint_url="${c.athena.endpoint}",
).cursor()
cursor.execute("SELECT count(*) FROM processes")
print(cursor.fetchall())`,
    },
    notes: [TLS_NOTE],
  },
];

export function guideById(id: string): Guide {
  return GUIDES.find((g) => g.id === id) ?? GUIDES[0]!;
}
