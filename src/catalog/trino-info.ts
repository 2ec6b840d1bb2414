/**
 * Trino's `information_schema` as an Athena client sees it, for the Trino dialect (the Athena API
 * and the HTTP query API): schema `trino_info` in each organization's engine, with views
 * `schemata`, `tables`, `columns` and `views`. The Trino front-end (src/sql/trino) rewrites
 * `information_schema.X` to these and refuses any other `information_schema` relation.
 *
 * Invariants:
 * - Only what the organization may name is listed: catalog `awsdatacatalog`; its database (the
 *   engine's `main` schema, only the relations of src/catalog/relations.ts), its scratch schema
 *   (dynamic: Looker PDTs come and go), and `information_schema` itself. Never the engine's own
 *   names (`memory`, `main`, `pgc`, `pgc_info`, `trino_info`, `system`, `temp`) and never a view's
 *   engine SQL (it holds the lake's file paths): `views.view_definition` is NULL.
 * - `data_type` is Trino's spelling (`varchar`, `bigint`, `timestamp(3)`, `array(varchar)`,
 *   `decimal(p,s)`), as Athena's engine shows Glue tables; `is_nullable` is `YES` (Glue columns
 *   carry no NOT NULL).
 * - Schema and table names are lower case, as Glue keeps them.
 * - Created after the emulated PostgreSQL catalog (pg-catalog.ts), whose scratch listing it reads.
 */
import { PG_INFO_SCHEMA } from './pg-catalog.ts';
import type { OrgRelation } from './relations.ts';
import { sqlString as q, quoteIdent as ident } from '../util/sql-quote.ts';

export const TRINO_INFO_SCHEMA = 'trino_info';
/** The relations of Trino's information_schema that are emulated. */
export const TRINO_INFO_RELATIONS = ['columns', 'schemata', 'tables', 'views'] as const;

const CATALOG = 'awsdatacatalog';
/** Where the engine keeps the organization's own relations (its database in Athena's terms). */
const ENGINE_DATA_SCHEMA = 'main';


export interface TrinoInfoOptions {
  /** The organization's database name (Athena's database, Trino's schema). */
  database: string;
  scratchSchema: string;
  /** The organization's relations in the engine's data schema. */
  relations: readonly OrgRelation[];
}

/** Trino's name of a scalar DuckDB type, given `DuckDB's data_type text` as SQL expression `t`. */
function scalarTypeSql(t: string): string {
  return `CASE ${t}
    WHEN 'VARCHAR' THEN 'varchar' WHEN 'BIGINT' THEN 'bigint' WHEN 'INTEGER' THEN 'integer'
    WHEN 'SMALLINT' THEN 'smallint' WHEN 'TINYINT' THEN 'tinyint' WHEN 'DOUBLE' THEN 'double'
    WHEN 'FLOAT' THEN 'real' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'DATE' THEN 'date'
    WHEN 'TIMESTAMP' THEN 'timestamp(3)' WHEN 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp(3) with time zone'
    WHEN 'TIME' THEN 'time(3)' WHEN 'BLOB' THEN 'varbinary' WHEN 'HUGEINT' THEN 'decimal(38,0)'
    WHEN 'INTERVAL' THEN 'interval day to second'
    ELSE lower(${t}) END`;
}

/** Trino's name of a DuckDB type (`VARCHAR[]` → `array(varchar)`), as an SQL expression over `t`. */
function trinoTypeSql(t: string): string {
  const element = `left(${t}, length(${t}) - 2)`;
  return `CASE WHEN ${t} LIKE '%[]' THEN 'array(' || ${scalarTypeSql(element)} || ')' ELSE ${scalarTypeSql(t)} END`;
}

/**
 * The engine relations listed, as `(schema_name, table_name)` of duckdb_tables/duckdb_views/
 * duckdb_columns, and the schema each is listed under: a predicate and a CASE expression.
 */
function listed(o: TrinoInfoOptions, prefix: string): { where: string; schema: string } {
  const names = o.relations.map((r) => q(r.name)).join(', ');
  return {
    where: `${prefix}database_name = current_database() AND (
      (${prefix}schema_name = ${q(ENGINE_DATA_SCHEMA)} AND ${prefix}table_name IN (${names}))
      OR ${prefix}schema_name = ${q(o.scratchSchema)} OR ${prefix}schema_name = ${q(TRINO_INFO_SCHEMA)})`,
    schema: `CASE ${prefix}schema_name WHEN ${q(ENGINE_DATA_SCHEMA)} THEN ${q(o.database)}
      WHEN ${q(TRINO_INFO_SCHEMA)} THEN 'information_schema' ELSE ${prefix}schema_name END`,
  };
}

/** The statements that create schema `trino_info` and its views (run once per engine, before lock-down). */
export function trinoInfoSql(o: TrinoInfoOptions): string[] {
  const S = ident(TRINO_INFO_SCHEMA);
  const kinds = o.relations.map((r) => `(${q(r.name)}, ${q(r.kind === 'table' ? 'BASE TABLE' : 'VIEW')})`).join(', ');
  const t = listed(o, 't.');
  const c = listed(o, 'c.');
  return [
    `CREATE SCHEMA IF NOT EXISTS ${S}`,
    `CREATE OR REPLACE VIEW ${S}.schemata AS
       SELECT ${q(CATALOG)} AS catalog_name, schema_name FROM (VALUES (${q(o.database)}), (${q(o.scratchSchema)}), ('information_schema')) AS s(schema_name)`,
    // Tables and views of the engine. The kind is not the engine's (lake and scratch tables are engine
    // views over Parquet): the organization's relations say theirs, and the scratch schema's
    // bookkeeping, which the emulated PostgreSQL catalog already lists, says its.
    `CREATE OR REPLACE VIEW ${S}.tables AS
       SELECT ${q(CATALOG)} AS table_catalog, ${t.schema} AS table_schema, t.table_name,
              coalesce(k.table_type, CASE WHEN t.schema_name = ${q(TRINO_INFO_SCHEMA)} THEN 'BASE TABLE' ELSE t.table_type END) AS table_type
       FROM (SELECT database_name, schema_name, table_name, 'BASE TABLE' AS table_type FROM duckdb_tables()
             UNION ALL SELECT database_name, schema_name, view_name, 'VIEW' FROM duckdb_views()) AS t
       LEFT JOIN (SELECT ${q(ENGINE_DATA_SCHEMA)} AS schema_name, name, table_type FROM (VALUES ${kinds}) AS v(name, table_type)
                  UNION ALL SELECT table_schema, table_name, table_type FROM ${ident(PG_INFO_SCHEMA)}."tables" WHERE table_schema = ${q(o.scratchSchema)}) AS k
         ON k.schema_name = t.schema_name AND k.name = t.table_name
       WHERE ${t.where}`,
    `CREATE OR REPLACE VIEW ${S}.columns AS
       SELECT ${q(CATALOG)} AS table_catalog, ${c.schema} AS table_schema, c.table_name, c.column_name,
              c.column_index::BIGINT AS ordinal_position, NULL::VARCHAR AS column_default, 'YES' AS is_nullable,
              ${trinoTypeSql('c.data_type')} AS data_type, NULL::VARCHAR AS comment, NULL::VARCHAR AS extra_info
       FROM duckdb_columns() AS c
       WHERE ${c.where}`,
    `CREATE OR REPLACE VIEW ${S}.views AS
       SELECT table_catalog, table_schema, table_name, NULL::VARCHAR AS view_definition FROM ${S}.tables WHERE table_type = 'VIEW'`,
  ];
}
