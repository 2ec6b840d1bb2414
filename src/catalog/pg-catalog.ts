/**
 * The emulated PostgreSQL catalog, as DuckDB SQL: schema `pgc` (pg_catalog's relations and the
 * functions clients call) and schema `pgc_info` (information_schema). The PostgreSQL front-end
 * (src/sql/postgres) rewrites `pg_catalog.X`, bare `pg_X` and `information_schema.X` to these.
 *
 * Rows are static per organization (rebuilt when its relations change): the organization's
 * datasets appear as tables (relkind 'r', BASE TABLE) in schema `public`, which is where
 * unqualified names resolve in PostgreSQL clients. OIDs are stable: a hash of kind and name.
 * Type OIDs, names and lengths come from pg-types.ts, which the wire protocol's RowDescription
 * also reads, so RowDescription, pg_type and pg_attribute agree.
 */
import type { EngineType } from '../engine/engine.ts';
import { OID, pgTypeInfo, pgTypeOf } from './pg-types.ts';

export const PG_CATALOG_SCHEMA = 'pgc';
export const PG_INFO_SCHEMA = 'pgc_info';
/** The PostgreSQL schema the organization's datasets appear in. */
export const PG_DATA_SCHEMA = 'public';

export interface PgCatalogRelation {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: { name: string; type: EngineType; doc?: string }[];
  /** Table comment (pg_description, obj_description). */
  doc?: string;
  /** Estimated row count (pg_stat_user_tables.n_live_tup, pg_class.reltuples). */
  rowCount?: number;
  /**
   * Tables only: the primary key's columns (src/schema's `primaryKey`). Shown as PostgreSQL shows
   * one: a `<table>_pkey` constraint (pg_constraint 'p', information_schema) backed by a unique
   * btree index (pg_class 'i', pg_index, pg_indexes), its columns NOT NULL.
   */
  primaryKey?: readonly string[];
}

export interface PgCatalogOptions {
  database: string;
  user: string;
  relations: PgCatalogRelation[];
  /** Values for pg_settings (lower-case names); defaults are used for the rest. */
  settings?: ReadonlyMap<string, string>;
  /** Schemas to list even while they hold no relation (the scratch schema). */
  schemas?: readonly string[];
}

// ---------------------------------------------------------------------------- OIDs

/** A stable OID in [16384, 2^31): FNV-1a of `kind:name`. */
export function stableOid(kind: string, name: string): number {
  let h = 0x811c9dc5;
  const s = `${kind}:${name}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 16384 + (h % (0x7fffffff - 16384));
}

const NS_PG_CATALOG = 11;
const NS_PUBLIC = 2200;
const NS_INFORMATION_SCHEMA = 13000;
const CLASS_PG_CLASS = 1259;

export function namespaceOid(schema: string): number {
  if (schema === 'pg_catalog') return NS_PG_CATALOG;
  if (schema === 'public') return NS_PUBLIC;
  if (schema === 'information_schema') return NS_INFORMATION_SCHEMA;
  return stableOid('namespace', schema);
}

export function relationOid(schema: string, name: string): number {
  if (schema === 'pg_catalog' && name === 'pg_class') return CLASS_PG_CLASS;
  return stableOid('relation', `${schema}.${name}`);
}

// ---------------------------------------------------------------------------- relation lists

/** Column specs: `name type` with PostgreSQL type names mapped by DUCK below. */
const RELATIONS: Record<string, string> = {
  pg_namespace: 'oid oid, nspname name, nspowner oid, nspacl text[]',
  pg_class:
    'oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, relfilenode oid, reltablespace oid, ' +
    'relpages int4, reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, relisshared bool, relpersistence char, ' +
    'relkind char, relnatts int2, relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, relrowsecurity bool, ' +
    'relforcerowsecurity bool, relispopulated bool, relreplident char, relispartition bool, relrewrite oid, relfrozenxid int8, ' +
    'relminmxid int8, relacl text[], reloptions text[], relpartbound text',
  pg_attribute:
    'attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, attndims int4, attcacheoff int4, ' +
    'atttypmod int4, attbyval bool, attalign char, attstorage char, attcompression char, attnotnull bool, atthasdef bool, ' +
    'atthasmissing bool, attidentity char, attgenerated char, attisdropped bool, attislocal bool, attinhcount int4, ' +
    'attcollation oid, attacl text[], attoptions text[], attfdwoptions text[], attmissingval text',
  pg_type:
    'oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, typcategory char, ' +
    'typispreferred bool, typisdefined bool, typdelim char, typrelid oid, typsubscript regproc, typelem oid, typarray oid, ' +
    'typinput regproc, typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, typalign char, ' +
    'typstorage char, typnotnull bool, typbasetype oid, typtypmod int4, typndims int4, typcollation oid, typdefaultbin text, ' +
    'typdefault text, typacl text[]',
  pg_proc:
    'oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, prorows float4, provariadic oid, ' +
    'prosupport oid, prokind char, prosecdef bool, proleakproof bool, proisstrict bool, proretset bool, provolatile char, ' +
    'proparallel char, pronargs int2, pronargdefaults int2, prorettype oid, proargtypes oid[], proallargtypes oid[], ' +
    'proargmodes text[], proargnames text[], proargdefaults text, protrftypes oid[], prosrc text, probin text, prosqlbody text, ' +
    'proconfig text[], proacl text[]',
  pg_database:
    'oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, datallowconn bool, ' +
    'datconnlimit int4, datfrozenxid int8, datminmxid int8, dattablespace oid, datcollate text, datctype text, ' +
    'daticulocale text, datcollversion text, datacl text[]',
  pg_roles:
    'rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, rolreplication bool, ' +
    'rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz, rolbypassrls bool, rolconfig text[], oid oid',
  pg_authid:
    'oid oid, rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, ' +
    'rolreplication bool, rolbypassrls bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz',
  pg_user:
    'usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, passwd text, ' +
    'valuntil timestamptz, useconfig text[]',
  pg_auth_members: 'oid oid, roleid oid, member oid, grantor oid, admin_option bool',
  pg_settings:
    'name text, setting text, unit text, category text, short_desc text, extra_desc text, context text, vartype text, ' +
    'source text, min_val text, max_val text, enumvals text[], boot_val text, reset_val text, sourcefile text, sourceline int4, ' +
    'pending_restart bool',
  pg_am: 'oid oid, amname name, amhandler oid, amtype char',
  pg_collation:
    'oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic bool, collencoding int4, ' +
    'collcollate text, collctype text, colliculocale text, collversion text',
  pg_tables: 'schemaname name, tablename name, tableowner name, tablespace name, hasindexes bool, hasrules bool, hastriggers bool, rowsecurity bool',
  pg_views: 'schemaname name, viewname name, viewowner name, definition text',
  pg_matviews: 'schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes bool, ispopulated bool, definition text',
  pg_indexes: 'schemaname name, tablename name, indexname name, tablespace name, indexdef text',
  pg_stat_user_tables:
    'relid oid, schemaname name, relname name, seq_scan int8, seq_tup_read int8, idx_scan int8, idx_tup_fetch int8, ' +
    'n_tup_ins int8, n_tup_upd int8, n_tup_del int8, n_tup_hot_upd int8, n_live_tup int8, n_dead_tup int8, ' +
    'n_mod_since_analyze int8, n_ins_since_vacuum int8, last_vacuum timestamptz, last_autovacuum timestamptz, ' +
    'last_analyze timestamptz, last_autoanalyze timestamptz, vacuum_count int8, autovacuum_count int8, analyze_count int8, ' +
    'autoanalyze_count int8',
  pg_description: 'objoid oid, classoid oid, objsubid int4, description text',
  pg_shdescription: 'objoid oid, classoid oid, description text',
  pg_tablespace: 'oid oid, spcname name, spcowner oid, spcacl text[], spcoptions text[]',
  pg_range: 'rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid, rngcanonical oid, rngsubdiff oid',
  pg_enum: 'oid oid, enumtypid oid, enumsortorder float4, enumlabel name',
  pg_attrdef: 'oid oid, adrelid oid, adnum int2, adbin text',
  pg_index:
    'indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, indnullsnotdistinct bool, indisprimary bool, ' +
    'indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool, ' +
    'indislive bool, indisreplident bool, indkey int2[], indcollation oid[], indclass oid[], indoption int2[], indexprs text, indpred text',
  pg_constraint:
    'oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool, convalidated bool, ' +
    'conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype char, confdeltype char, ' +
    'confmatchtype char, conislocal bool, coninhcount int4, connoinherit bool, conkey int2[], confkey int2[], ' +
    'conpfeqop oid[], conppeqop oid[], conffeqop oid[], confdelsetcols int2[], conexclop oid[], conbin text',
  pg_inherits: 'inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool',
  pg_depend: 'classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char',
  pg_sequence: 'seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool',
  pg_sequences: 'schemaname name, sequencename name, sequenceowner name, data_type text, start_value int8, min_value int8, max_value int8, increment_by int8, cycle bool, cache_size int8, last_value int8',
  pg_extension: 'oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, extconfig oid[], extcondition text[]',
  pg_opclass: 'oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault bool, opckeytype oid',
  pg_policy: 'oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles oid[], polqual text, polwithcheck text',
  pg_statistic_ext: 'oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys int2[], stxkind text[], stxexprs text',
  pg_publication: 'oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool, pubtruncate bool, pubviaroot bool',
  pg_publication_namespace: 'oid oid, pnpubid oid, pnnspid oid',
  pg_publication_rel: 'oid oid, prpubid oid, prrelid oid, prqual text, prattrs int2[]',
  pg_partitioned_table: 'partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs int2[], partclass oid[], partcollation oid[], partexprs text',
  pg_foreign_table: 'ftrelid oid, ftserver oid, ftoptions text[]',
  pg_trigger: 'oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char, tgisinternal bool, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool, tginitdeferred bool, tgnargs int2, tgattr int2[], tgargs text, tgqual text, tgoldtable name, tgnewtable name',
  pg_rewrite: 'oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead bool, ev_qual text, ev_action text',
  pg_language: 'oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool, lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl text[]',
  pg_operator: 'oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char, oprcanmerge bool, oprcanhash bool, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid, oprcode oid, oprrest oid, oprjoin oid',
  pg_cast: 'oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char',
  pg_event_trigger: 'oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled char, evttags text[]',
  pg_foreign_server: 'oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl text[], srvoptions text[]',
  pg_foreign_data_wrapper: 'oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl text[], fdwoptions text[]',
  pg_stat_activity: 'datid oid, datname name, pid int4, usesysid oid, usename name, application_name text, client_addr text, backend_start timestamptz, query_start timestamptz, state text, query text',
  pg_locks: 'locktype text, database oid, relation oid, pid int4, mode text, granted bool',
  pg_prepared_statements: 'name text, statement text, prepare_time timestamptz, parameter_types text[], from_sql bool',
  pg_init_privs: 'objoid oid, classoid oid, objsubid int4, privtype char, initprivs text[]',
  pg_conversion: 'oid oid, conname name, connamespace oid, conowner oid, conforencoding int4, contoencoding int4, conproc oid, condefault bool',
  pg_ts_config: 'oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid',
  pg_aggregate: 'aggfnoid oid, aggkind char, aggnumdirectargs int2, aggtransfn oid, aggfinalfn oid, aggtranstype oid, agginitval text',
  pg_statistic: 'starelid oid, staattnum int2, stainherit bool, stanullfrac float4, stawidth int4, stadistinct float4',
  pg_stat_all_tables: 'relid oid, schemaname name, relname name, n_live_tup int8',
  pg_statio_user_tables: 'relid oid, schemaname name, relname name, heap_blks_read int8, heap_blks_hit int8',
  pg_largeobject_metadata: 'oid oid, lomowner oid, lomacl text[]',
  pg_default_acl: 'oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype char, defaclacl text[]',
  pg_replication_slots: 'slot_name name, plugin name, slot_type text, database name, active bool',
  pg_available_extensions: 'name name, default_version text, installed_version text, comment text',
  pg_timezone_names: 'name text, abbrev text, utc_offset interval, is_dst bool',
};

const INFO_RELATIONS: Record<string, string> = {
  schemata:
    'catalog_name name, schema_name name, schema_owner name, default_character_set_catalog name, ' +
    'default_character_set_schema name, default_character_set_name name, sql_path text',
  tables:
    'table_catalog name, table_schema name, table_name name, table_type text, self_referencing_column_name name, ' +
    'reference_generation text, user_defined_type_catalog name, user_defined_type_schema name, user_defined_type_name name, ' +
    'is_insertable_into text, is_typed text, commit_action text',
  columns:
    'table_catalog name, table_schema name, table_name name, column_name name, ordinal_position int4, column_default text, ' +
    'is_nullable text, data_type text, character_maximum_length int4, character_octet_length int4, numeric_precision int4, ' +
    'numeric_precision_radix int4, numeric_scale int4, datetime_precision int4, interval_type text, interval_precision int4, ' +
    'character_set_catalog name, character_set_schema name, character_set_name name, collation_catalog name, ' +
    'collation_schema name, collation_name name, domain_catalog name, domain_schema name, domain_name name, udt_catalog name, ' +
    'udt_schema name, udt_name name, scope_catalog name, scope_schema name, scope_name name, maximum_cardinality int4, ' +
    'dtd_identifier name, is_self_referencing text, is_identity text, identity_generation text, identity_start text, ' +
    'identity_increment text, identity_maximum text, identity_minimum text, identity_cycle text, is_generated text, ' +
    'generation_expression text, is_updatable text',
  views:
    'table_catalog name, table_schema name, table_name name, view_definition text, check_option text, is_updatable text, ' +
    'is_insertable_into text, is_trigger_updatable text, is_trigger_deletable text, is_trigger_insertable_into text',
  table_constraints:
    'constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, table_schema name, ' +
    'table_name name, constraint_type text, is_deferrable text, initially_deferred text, enforced text, nulls_distinct text',
  key_column_usage:
    'constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, table_schema name, ' +
    'table_name name, column_name name, ordinal_position int4, position_in_unique_constraint int4',
  referential_constraints:
    'constraint_catalog name, constraint_schema name, constraint_name name, unique_constraint_catalog name, ' +
    'unique_constraint_schema name, unique_constraint_name name, match_option text, update_rule text, delete_rule text',
  constraint_column_usage:
    'table_catalog name, table_schema name, table_name name, column_name name, constraint_catalog name, constraint_schema name, constraint_name name',
  constraint_table_usage:
    'table_catalog name, table_schema name, table_name name, constraint_catalog name, constraint_schema name, constraint_name name',
  check_constraints: 'constraint_catalog name, constraint_schema name, constraint_name name, check_clause text',
  routines:
    'specific_catalog name, specific_schema name, specific_name name, routine_catalog name, routine_schema name, ' +
    'routine_name name, routine_type text, data_type text, type_udt_name name, routine_body text, routine_definition text, ' +
    'external_language text, is_deterministic text',
  parameters: 'specific_catalog name, specific_schema name, specific_name name, ordinal_position int4, parameter_mode text, parameter_name name, data_type text, udt_name name',
  sequences: 'sequence_catalog name, sequence_schema name, sequence_name name, data_type text, start_value text, minimum_value text, maximum_value text, increment text, cycle_option text',
  triggers: 'trigger_catalog name, trigger_schema name, trigger_name name, event_manipulation text, event_object_schema name, event_object_table name, action_statement text',
  table_privileges: 'grantor name, grantee name, table_catalog name, table_schema name, table_name name, privilege_type text, is_grantable text, with_hierarchy text',
  column_privileges: 'grantor name, grantee name, table_catalog name, table_schema name, table_name name, column_name name, privilege_type text, is_grantable text',
  character_sets: 'character_set_catalog name, character_set_schema name, character_set_name name, character_repertoire name, form_of_use name, default_collate_catalog name, default_collate_schema name, default_collate_name name',
  enabled_roles: 'role_name name',
  applicable_roles: 'grantee name, role_name name, is_grantable text',
  domains: 'domain_catalog name, domain_schema name, domain_name name, data_type text',
  element_types: 'object_catalog name, object_schema name, object_name name, object_type text, collection_type_identifier name, data_type text, udt_name name',
  view_table_usage: 'view_catalog name, view_schema name, view_name name, table_catalog name, table_schema name, table_name name',
  information_schema_catalog_name: 'catalog_name name',
};

/** pg_catalog relations the front-end maps to `pgc`. */
export const PG_CATALOG_RELATIONS: readonly string[] = Object.keys(RELATIONS);
/** information_schema relations the front-end maps to `pgc_info`. */
export const INFORMATION_SCHEMA_RELATIONS: readonly string[] = Object.keys(INFO_RELATIONS);

/**
 * The columns of an emulated relation with their PostgreSQL 15 types (`oid`, `name`, `"char"` as
 * `char`, `regproc`, arrays as `_elem`), in order; undefined for an unknown relation. The
 * front-end announces these types in RowDescription where the engine's own would differ.
 * information_schema's domains are their base types: sql_identifier name, character_data and
 * yes_or_no varchar, cardinal_number int4.
 */
export function catalogColumnTypes(schema: 'pg_catalog' | 'information_schema', relation: string): readonly (readonly [string, string])[] | undefined {
  const spec = schema === 'pg_catalog' ? RELATIONS[relation] : INFO_RELATIONS[relation];
  if (spec === undefined || !Object.hasOwn(schema === 'pg_catalog' ? RELATIONS : INFO_RELATIONS, relation)) return undefined;
  return spec.split(',').map((c) => {
    const [n, t] = c.trim().split(/\s+/) as [string, string];
    const base = schema === 'information_schema' && t === 'text' ? 'varchar' : t;
    return [n, base.endsWith('[]') ? `_${base.slice(0, -2)}` : base] as const;
  });
}

const DUCK: Record<string, string> = {
  oid: 'INTEGER', regproc: 'INTEGER', name: 'VARCHAR', text: 'VARCHAR', char: 'VARCHAR', bool: 'BOOLEAN', int2: 'SMALLINT', int4: 'INTEGER',
  int8: 'BIGINT', float4: 'REAL', timestamptz: 'TIMESTAMPTZ', interval: 'INTERVAL',
};

function duckType(t: string): string {
  if (t.endsWith('[]')) return `${duckType(t.slice(0, -2))}[]`;
  const d = DUCK[t];
  if (!d) throw new Error(`pg-catalog: unknown column type ${t}`);
  return d;
}

function columnsOf(spec: string): [string, string][] {
  return spec.split(',').map((c) => {
    const [n, t] = c.trim().split(/\s+/);
    return [n!, duckType(t!)];
  });
}

// ---------------------------------------------------------------------------- values

type Value = string | number | boolean | null | Value[];

function lit(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
  return `'${v.replaceAll("'", "''")}'`;
}

function tableSql(schema: string, name: string, spec: string, rows: Record<string, Value>[]): string[] {
  const cols = columnsOf(spec);
  return [`CREATE OR REPLACE TABLE ${schema}."${name}" (${cols.map(([n, t]) => `"${n}" ${t}`).join(', ')})`, ...insertSql(schema, name, spec, rows)];
}

function insertSql(schema: string, name: string, spec: string, rows: Record<string, Value>[]): string[] {
  const cols = columnsOf(spec);
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const values = chunk.map((r) => `(${cols.map(([n, t]) => `CAST(${lit(r[n] ?? null)} AS ${t})`).join(', ')})`);
    out.push(`INSERT INTO ${schema}."${name}" VALUES ${values.join(', ')}`);
  }
  return out;
}

// ---------------------------------------------------------------------------- types

interface TypeRow {
  oid: number;
  name: string;
  len: number;
  byval: boolean;
  type: string;
  category: string;
  preferred: boolean;
  elem: number;
  array: number;
  /** in/out/recv/send function names */
  procs: [string, string, string, string];
  align: string;
  /** format_type() spelling */
  display: string;
}

/** PostgreSQL facts the codecs do not carry: category, by-value, I/O function base names, display name. */
const TYPE_FACTS: Record<string, { category: string; byval: boolean; io: string; display: string; preferred?: boolean; align?: string }> = {
  bool: { category: 'B', byval: true, io: 'bool', display: 'boolean', preferred: true, align: 'c' },
  bytea: { category: 'U', byval: false, io: 'bytea', display: 'bytea' },
  char: { category: 'Z', byval: true, io: 'char', display: '"char"', align: 'c' },
  name: { category: 'S', byval: false, io: 'name', display: 'name', align: 'c' },
  int8: { category: 'N', byval: true, io: 'int8', display: 'bigint', align: 'd' },
  int2: { category: 'N', byval: true, io: 'int2', display: 'smallint', align: 's' },
  int2vector: { category: 'A', byval: false, io: 'int2vector', display: 'int2vector' },
  int4: { category: 'N', byval: true, io: 'int4', display: 'integer' },
  regproc: { category: 'N', byval: true, io: 'regproc', display: 'regproc' },
  text: { category: 'S', byval: false, io: 'text', display: 'text', preferred: true },
  oid: { category: 'N', byval: true, io: 'oid', display: 'oid', preferred: true },
  oidvector: { category: 'A', byval: false, io: 'oidvector', display: 'oidvector' },
  json: { category: 'U', byval: false, io: 'json_', display: 'json' },
  float4: { category: 'N', byval: true, io: 'float4', display: 'real' },
  float8: { category: 'N', byval: true, io: 'float8', display: 'double precision', preferred: true, align: 'd' },
  unknown: { category: 'X', byval: false, io: 'unknown', display: 'unknown', align: 'c' },
  bpchar: { category: 'S', byval: false, io: 'bpchar', display: 'character' },
  varchar: { category: 'S', byval: false, io: 'varchar', display: 'character varying' },
  date: { category: 'D', byval: true, io: 'date_', display: 'date' },
  time: { category: 'D', byval: true, io: 'time_', display: 'time without time zone', align: 'd' },
  timestamp: { category: 'D', byval: true, io: 'timestamp_', display: 'timestamp without time zone', align: 'd' },
  timestamptz: { category: 'D', byval: true, io: 'timestamptz_', display: 'timestamp with time zone', preferred: true, align: 'd' },
  interval: { category: 'T', byval: false, io: 'interval_', display: 'interval', preferred: true, align: 'd' },
  timetz: { category: 'D', byval: false, io: 'timetz_', display: 'time with time zone', align: 'd' },
  numeric: { category: 'N', byval: false, io: 'numeric_', display: 'numeric' },
  regclass: { category: 'N', byval: true, io: 'regclass', display: 'regclass' },
  regtype: { category: 'N', byval: true, io: 'regtype', display: 'regtype' },
  uuid: { category: 'U', byval: false, io: 'uuid_', display: 'uuid', align: 'c' },
  jsonb: { category: 'U', byval: false, io: 'jsonb_', display: 'jsonb' },
  regnamespace: { category: 'N', byval: true, io: 'regnamespace', display: 'regnamespace' },
};

function ioNames(base: string): [string, string, string, string] {
  return base.endsWith('_')
    ? [`${base}in`, `${base}out`, `${base}recv`, `${base}send`]
    : [`${base}in`, `${base}out`, `${base}recv`, `${base}send`];
}

/** pg_type rows: the types of pg-types.ts, their arrays, record and void. */
export function pgTypes(): TypeRow[] {
  const rows: TypeRow[] = [];
  for (const [key, oid] of Object.entries(OID)) {
    const info = pgTypeInfo(oid);
    const facts = TYPE_FACTS[key];
    if (!facts) continue;
    const name = info?.name ?? key;
    const len = info?.typlen ?? -1;
    const arrayOid = info?.arrayOid ?? 0;
    const elem = key === 'int2vector' ? OID.int2 : key === 'oidvector' ? OID.oid : 0;
    rows.push({
      oid, name, len, byval: facts.byval, type: 'b', category: facts.category, preferred: facts.preferred ?? false,
      elem, array: arrayOid, procs: ioNames(facts.io), align: facts.align ?? (len === -1 ? 'i' : 'i'), display: facts.display,
    });
    if (arrayOid !== 0) {
      rows.push({
        oid: arrayOid, name: `_${name}`, len: -1, byval: false, type: 'b', category: 'A', preferred: false, elem: oid, array: 0,
        procs: ['array_in', 'array_out', 'array_recv', 'array_send'], align: facts.align === 'd' ? 'd' : 'i', display: `${facts.display}[]`,
      });
    }
  }
  rows.push({ oid: 2249, name: 'record', len: -1, byval: false, type: 'p', category: 'P', preferred: false, elem: 0, array: 2287, procs: ['record_in', 'record_out', 'record_recv', 'record_send'], align: 'd', display: 'record' });
  rows.push({ oid: 2287, name: '_record', len: -1, byval: false, type: 'p', category: 'P', preferred: false, elem: 2249, array: 0, procs: ['array_in', 'array_out', 'array_recv', 'array_send'], align: 'd', display: 'record[]' });
  rows.push({ oid: 2278, name: 'void', len: 4, byval: true, type: 'p', category: 'P', preferred: false, elem: 0, array: 0, procs: ['void_in', 'void_out', 'void_recv', 'void_send'], align: 'i', display: 'void' });
  return rows;
}

function procOid(name: string): number {
  return stableOid('proc', name);
}

// ---------------------------------------------------------------------------- functions

/** Functions the front-end calls as `pgc.<name>` (PostgreSQL names; see macrosSql). */
export const PG_CATALOG_FUNCTIONS: readonly string[] = [
  'format_type', 'pg_get_userbyid', 'pg_encoding_to_char', 'pg_get_expr', 'pg_get_indexdef', 'pg_get_constraintdef',
  'pg_get_viewdef', 'pg_get_serial_sequence', 'pg_get_partkeydef', 'pg_get_function_result', 'pg_get_function_arguments',
  'pg_get_function_identity_arguments', 'pg_get_statisticsobjdef_columns', 'pg_get_triggerdef', 'pg_get_ruledef',
  'obj_description', 'col_description', 'shobj_description', 'has_table_privilege', 'has_schema_privilege',
  'has_database_privilege', 'has_any_column_privilege', 'has_column_privilege', 'has_function_privilege',
  'has_sequence_privilege', 'pg_has_role', 'pg_table_is_visible', 'pg_type_is_visible', 'pg_function_is_visible',
  'pg_relation_is_publishable', 'pg_is_in_recovery', 'pg_relation_size', 'pg_total_relation_size', 'pg_table_size',
  'pg_indexes_size', 'pg_advisory_unlock_all', 'array_upper', 'array_lower', 'quote_ident', 'quote_literal',
  'quote_nullable', 'parse_ident', 'to_regclass', 'to_regtype', 'to_regnamespace', 'to_regproc', 'inet_server_addr',
  'inet_server_port', 'inet_client_addr', 'pg_postmaster_start_time', 'txid_current', 'pg_tablespace_location',
  'pg_get_keywords', 'pg_size_pretty', 'pg_typeof', 'pg_column_size', 'pg_get_constraintdef', 'pg_last_xact_replay_timestamp',
  'regclass_in', 'regclass_out', 'regtype_in', 'regtype_out', 'regproc_in', 'regproc_out', 'regprocedure_in',
  'regprocedure_out', 'regnamespace_in', 'regnamespace_out', 'regrole_in', 'regrole_out', 'regoper_in', 'regoper_out',
  'regoperator_in', 'regoperator_out', 'regconfig_in', 'regconfig_out', 'regdictionary_in', 'regdictionary_out',
  'regcollation_in', 'regcollation_out', '_pg_expandarray',
];

const RESERVED = [
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate',
  'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp',
  'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for',
  'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit',
  'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references',
  'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user', 'table', 'then', 'to', 'trailing', 'true', 'union',
  'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
];

function macrosSql(S: string, visible: string[]): string[] {
  const vis = `[${visible.map((v) => lit(v)).join(', ')}]`;
  const NULLTEXT = 'CAST(NULL AS VARCHAR)';
  const identSchema = (x: string): string =>
    `(CASE WHEN len(regexp_extract_all(CAST(${x} AS VARCHAR), '("(?:[^"]|"")*"|[^."]+)')) > 1 THEN ${S}._unquote(regexp_extract_all(CAST(${x} AS VARCHAR), '("(?:[^"]|"")*"|[^."]+)')[-2]) END)`;
  const identName = (x: string): string => `${S}._unquote(regexp_extract_all(CAST(${x} AS VARCHAR), '("(?:[^"]|"")*"|[^."]+)')[-1])`;
  const isNum = (x: string): string => `regexp_full_match(trim(CAST(${x} AS VARCHAR)), '[0-9]+')`;
  const m = (sig: string, body: string): string => `CREATE OR REPLACE MACRO ${S}.${sig} AS ${body}`;
  const regOther = ['regprocedure', 'regrole', 'regoper', 'regoperator', 'regconfig', 'regdictionary', 'regcollation'];
  return [
    m('_unquote(x)', `CASE WHEN x IS NULL THEN NULL WHEN starts_with(x, '"') THEN replace(x[2:-2], '""', '"') ELSE lower(x) END`),
    m('quote_ident(x)', `CASE WHEN x IS NULL THEN NULL WHEN regexp_full_match(x, '[a-z_][a-z0-9_$]*') AND NOT list_contains(${lit(RESERVED)}, x) THEN x ELSE '"' || replace(x, '"', '""') || '"' END`),
    m('quote_literal(x)', `CASE WHEN x IS NULL THEN NULL ELSE '''' || replace(CAST(x AS VARCHAR), '''', '''''') || '''' END`),
    m('quote_nullable(x)', `CASE WHEN x IS NULL THEN 'NULL' ELSE '''' || replace(CAST(x AS VARCHAR), '''', '''''') || '''' END`),
    m('parse_ident(x)', `list_transform(regexp_extract_all(x, '("(?:[^"]|"")*"|[^."]+)'), p -> ${S}._unquote(p)), (x, strict) AS list_transform(regexp_extract_all(x, '("(?:[^"]|"")*"|[^."]+)'), p -> ${S}._unquote(p))`),
    m('format_type(t, m)', `CASE WHEN t IS NULL THEN NULL WHEN t = 1700 AND m >= 4 THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' ` +
      `WHEN t = 1043 AND m >= 4 THEN 'character varying(' || (m - 4) || ')' WHEN t = 1042 AND m >= 4 THEN 'character(' || (m - 4) || ')' ` +
      `ELSE coalesce((SELECT _mf.display FROM ${S}._format_type _mf WHERE _mf.oid = t), '???') END`),
    m('pg_get_userbyid(r)', `coalesce((SELECT rolname FROM ${S}.pg_authid WHERE oid = r), 'unknown (OID=' || r || ')')`),
    m('pg_encoding_to_char(e)', `CASE WHEN e = 6 THEN 'UTF8' WHEN e = 0 THEN 'SQL_ASCII' ELSE '' END`),
    m('pg_get_expr(e, r)', `${NULLTEXT}, (e, r, p) AS ${NULLTEXT}`),
    m('pg_get_indexdef(i)', `(SELECT _md.definition FROM ${S}._pg_definition _md WHERE _md.oid = i), (i, c, p) AS ` +
      `CASE WHEN c = 0 THEN (SELECT _md.definition FROM ${S}._pg_definition _md WHERE _md.oid = i) ELSE (SELECT ${S}.quote_ident(_ma.attname) ` +
      `FROM ${S}.pg_index _mx JOIN ${S}.pg_attribute _ma ON _ma.attrelid = _mx.indrelid AND _ma.attnum = _mx.indkey[c] WHERE _mx.indexrelid = i) END`),
    m('pg_get_constraintdef(c)', `(SELECT _md.definition FROM ${S}._pg_definition _md WHERE _md.oid = c), (c, p) AS (SELECT _md.definition FROM ${S}._pg_definition _md WHERE _md.oid = c)`),
    m('pg_get_serial_sequence(t, c)', NULLTEXT),
    m('pg_get_partkeydef(t)', NULLTEXT),
    m('pg_get_function_result(f)', `''`),
    m('pg_get_function_arguments(f)', `''`),
    m('pg_get_function_identity_arguments(f)', `''`),
    m('pg_get_statisticsobjdef_columns(o)', NULLTEXT),
    m('pg_get_triggerdef(t)', `${NULLTEXT}, (t, p) AS ${NULLTEXT}`),
    m('pg_get_ruledef(t)', `${NULLTEXT}, (t, p) AS ${NULLTEXT}`),
    m('pg_get_keywords()', `${NULLTEXT}`),
    m('obj_description(o)', `(SELECT description FROM ${S}.pg_description _md WHERE _md.objoid = o AND _md.objsubid = 0 LIMIT 1), (o, c) AS (SELECT description FROM ${S}.pg_description _md WHERE _md.objoid = o AND _md.objsubid = 0 LIMIT 1)`),
    m('col_description(o, n)', `(SELECT description FROM ${S}.pg_description _md WHERE _md.objoid = o AND _md.objsubid = n LIMIT 1)`),
    m('shobj_description(o, c)', NULLTEXT),
    ...['has_table_privilege', 'has_schema_privilege', 'has_database_privilege', 'has_any_column_privilege', 'has_function_privilege', 'has_sequence_privilege', 'pg_has_role'].map((n) =>
      m(`${n}(a, b)`, 'true, (a, b, c) AS true')),
    m('has_column_privilege(a, b, c)', 'true, (a, b, c, d) AS true'),
    m('pg_table_is_visible(o)', `coalesce((SELECT list_contains(${vis}, _mn.nspname) FROM ${S}.pg_class _mc JOIN ${S}.pg_namespace _mn ON _mn.oid = _mc.relnamespace WHERE _mc.oid = o), false)`),
    m('pg_type_is_visible(o)', 'true'),
    m('pg_function_is_visible(o)', 'true'),
    m('pg_relation_is_publishable(o)', 'false'),
    m('pg_is_in_recovery()', 'false'),
    m('pg_relation_size(o)', 'CAST(0 AS BIGINT), (o, f) AS CAST(0 AS BIGINT)'),
    m('pg_total_relation_size(o)', 'CAST(0 AS BIGINT)'),
    m('pg_table_size(o)', 'CAST(0 AS BIGINT)'),
    m('pg_indexes_size(o)', 'CAST(0 AS BIGINT)'),
    m('pg_column_size(o)', 'CAST(NULL AS INTEGER)'),
    m('pg_size_pretty(b)', `CAST(b AS VARCHAR) || ' bytes'`),
    m('pg_typeof(x)', 'typeof(x)'),
    m('pg_advisory_unlock_all()', NULLTEXT),
    m('pg_tablespace_location(o)', `''`),
    m('pg_last_xact_replay_timestamp()', 'CAST(NULL AS TIMESTAMPTZ)'),
    m('pg_postmaster_start_time()', 'CAST(TIMESTAMPTZ \'2000-01-01 00:00:00+00\' AS TIMESTAMPTZ)'),
    m('txid_current()', 'CAST(1 AS BIGINT)'),
    m('inet_server_addr()', NULLTEXT),
    m('inet_client_addr()', NULLTEXT),
    m('inet_server_port()', 'CAST(NULL AS INTEGER)'),
    m('array_upper(a, d)', 'CASE WHEN a IS NULL OR len(a) = 0 OR d <> 1 THEN NULL ELSE len(a) END'),
    m('array_lower(a, d)', 'CASE WHEN a IS NULL OR len(a) = 0 OR d <> 1 THEN NULL ELSE 1 END'),
    m('_pg_expandarray(a)', `list_transform(generate_series(1, len(a)), i -> {'x': a[i], 'n': CAST(i AS INTEGER)})`),
    // reg* casts: `_in` text or number → OID (NULL when unknown), `_out` OID → name.
    m('regclass_in(x)', `CASE WHEN x IS NULL THEN NULL WHEN ${isNum('x')} THEN CAST(trim(CAST(x AS VARCHAR)) AS BIGINT) ELSE ` +
      `(SELECT CAST(_mc.oid AS BIGINT) FROM ${S}.pg_class _mc JOIN ${S}.pg_namespace _mn ON _mn.oid = _mc.relnamespace WHERE _mc.relname = ${identName('x')} ` +
      `AND (_mn.nspname = ${identSchema('x')} OR (${identSchema('x')} IS NULL AND list_contains(${vis}, _mn.nspname))) ORDER BY list_position(${vis}, _mn.nspname) LIMIT 1) END`),
    m('regclass_out(x)', `coalesce((SELECT CASE WHEN list_contains(${vis}, _mn.nspname) THEN ${S}.quote_ident(_mc.relname) ELSE ${S}.quote_ident(_mn.nspname) || '.' || ${S}.quote_ident(_mc.relname) END ` +
      `FROM ${S}.pg_class _mc JOIN ${S}.pg_namespace _mn ON _mn.oid = _mc.relnamespace WHERE _mc.oid = ${S}.regclass_in(x)), CAST(x AS VARCHAR))`),
    m('to_regclass(x)', `(SELECT CAST(_mc.oid AS BIGINT) FROM ${S}.pg_class _mc WHERE _mc.oid = ${S}.regclass_in(x))`),
    m('regtype_in(x)', `CASE WHEN x IS NULL THEN NULL WHEN ${isNum('x')} THEN CAST(trim(CAST(x AS VARCHAR)) AS BIGINT) ELSE ` +
      `(SELECT CAST(_mf.oid AS BIGINT) FROM ${S}._format_type _mf WHERE _mf.name = ${identName('x')} OR _mf.display = lower(trim(CAST(x AS VARCHAR))) LIMIT 1) END`),
    m('regtype_out(x)', `coalesce(${S}.format_type(${S}.regtype_in(x), NULL), CAST(x AS VARCHAR))`),
    m('to_regtype(x)', `${S}.regtype_in(x)`),
    m('regproc_in(x)', `CASE WHEN x IS NULL THEN NULL WHEN ${isNum('x')} THEN CAST(trim(CAST(x AS VARCHAR)) AS BIGINT) ELSE ` +
      `(SELECT CAST(_mp.oid AS BIGINT) FROM ${S}.pg_proc _mp WHERE _mp.proname = ${identName('x')} LIMIT 1) END`),
    m('regproc_out(x)', `coalesce((SELECT _mp.proname FROM ${S}.pg_proc _mp WHERE _mp.oid = ${S}.regproc_in(x)), CAST(x AS VARCHAR))`),
    m('to_regproc(x)', `${S}.regproc_in(x)`),
    m('regnamespace_in(x)', `CASE WHEN x IS NULL THEN NULL WHEN ${isNum('x')} THEN CAST(trim(CAST(x AS VARCHAR)) AS BIGINT) ELSE ` +
      `(SELECT CAST(_mn.oid AS BIGINT) FROM ${S}.pg_namespace _mn WHERE _mn.nspname = ${identName('x')} LIMIT 1) END`),
    m('regnamespace_out(x)', `coalesce((SELECT ${S}.quote_ident(_mn.nspname) FROM ${S}.pg_namespace _mn WHERE _mn.oid = ${S}.regnamespace_in(x)), CAST(x AS VARCHAR))`),
    m('to_regnamespace(x)', `${S}.regnamespace_in(x)`),
    ...regOther.flatMap((r) => [
      m(`${r}_in(x)`, r === 'regrole'
        ? `CASE WHEN x IS NULL THEN NULL WHEN ${isNum('x')} THEN CAST(trim(CAST(x AS VARCHAR)) AS BIGINT) ELSE (SELECT CAST(_ma.oid AS BIGINT) FROM ${S}.pg_authid _ma WHERE _ma.rolname = ${identName('x')} LIMIT 1) END`
        : `CASE WHEN x IS NULL THEN NULL WHEN ${isNum('x')} THEN CAST(trim(CAST(x AS VARCHAR)) AS BIGINT) ELSE ${S}.regproc_in(x) END`),
      m(`${r}_out(x)`, r === 'regrole'
        ? `coalesce((SELECT _ma.rolname FROM ${S}.pg_authid _ma WHERE _ma.oid = ${S}.regrole_in(x)), CAST(x AS VARCHAR))`
        : `CAST(x AS VARCHAR)`),
    ]),
    m('pg_get_viewdef(v)', `(SELECT definition FROM ${S}.pg_views _mpv JOIN ${S}.pg_class _mc ON _mc.relname = _mpv.viewname WHERE _mc.oid = ${S}.regclass_in(v) LIMIT 1), (v, p) AS (SELECT definition FROM ${S}.pg_views _mpv JOIN ${S}.pg_class _mc ON _mc.relname = _mpv.viewname WHERE _mc.oid = ${S}.regclass_in(v) LIMIT 1)`),
  ];
}

// ---------------------------------------------------------------------------- the catalog

const DEFAULT_SETTINGS: [string, string, string][] = [
  // name, value, category
  ['server_version', '15.18', 'Preset Options'],
  ['server_version_num', '150018', 'Preset Options'],
  ['server_encoding', 'UTF8', 'Client Connection Defaults / Locale and Formatting'],
  ['client_encoding', 'UTF8', 'Client Connection Defaults / Locale and Formatting'],
  ['datestyle', 'ISO, MDY', 'Client Connection Defaults / Locale and Formatting'],
  ['intervalstyle', 'postgres', 'Client Connection Defaults / Locale and Formatting'],
  ['timezone', 'UTC', 'Client Connection Defaults / Locale and Formatting'],
  ['standard_conforming_strings', 'on', 'Version and Platform Compatibility'],
  ['integer_datetimes', 'on', 'Preset Options'],
  ['max_index_keys', '32', 'Preset Options'],
  ['max_identifier_length', '63', 'Preset Options'],
  ['block_size', '8192', 'Preset Options'],
  ['search_path', '"$user", public', 'Client Connection Defaults / Statement Behavior'],
  ['default_transaction_read_only', 'on', 'Client Connection Defaults / Statement Behavior'],
  ['transaction_isolation', 'read committed', 'Client Connection Defaults / Statement Behavior'],
  ['default_transaction_isolation', 'read committed', 'Client Connection Defaults / Statement Behavior'],
  ['statement_timeout', '0', 'Client Connection Defaults / Statement Behavior'],
  ['lc_collate', 'C.UTF-8', 'Preset Options'],
  ['lc_ctype', 'C.UTF-8', 'Preset Options'],
  ['max_connections', '100', 'Connections and Authentication'],
  ['application_name', '', 'Reporting and Logging'],
  ['extra_float_digits', '1', 'Client Connection Defaults / Locale and Formatting'],
  ['bytea_output', 'hex', 'Client Connection Defaults / Statement Behavior'],
  ['is_superuser', 'off', 'Preset Options'],
];

/**
 * CREATE statements (schemas, tables, macros) for the emulated catalog of one organization.
 * Run them in order on the organization's DuckDB; re-running replaces everything.
 */
export function pgCatalogSql(opts: PgCatalogOptions): string[] {
  const S = PG_CATALOG_SCHEMA;
  const I = PG_INFO_SCHEMA;
  const db = opts.database;
  const userOid = stableOid('role', opts.user);
  const dbOid = stableOid('database', db);
  const out: string[] = [`CREATE SCHEMA IF NOT EXISTS ${S}`, `CREATE SCHEMA IF NOT EXISTS ${I}`];
  const rows: Record<string, Record<string, Value>[]> = {};
  for (const name of Object.keys(RELATIONS)) rows[name] = [];

  // Namespaces: pg_catalog, information_schema, public, and any other schema of a relation.
  const schemas = new Set<string>(['pg_catalog', 'information_schema', 'public']);
  for (const r of opts.relations) schemas.add(pgSchemaName(r.schema));
  for (const s of opts.schemas ?? []) schemas.add(s);
  for (const s of schemas) {
    rows.pg_namespace!.push({ oid: namespaceOid(s), nspname: s, nspowner: s === 'public' || !['pg_catalog', 'information_schema'].includes(s) ? userOid : 10, nspacl: null });
  }
  rows.pg_authid!.push({ oid: userOid, rolname: opts.user, rolsuper: false, rolinherit: true, rolcreaterole: false, rolcreatedb: false, rolcanlogin: true, rolreplication: false, rolbypassrls: false, rolconnlimit: -1, rolpassword: null, rolvaliduntil: null });
  rows.pg_authid!.push({ oid: 10, rolname: 'runlake', rolsuper: true, rolinherit: true, rolcreaterole: false, rolcreatedb: false, rolcanlogin: false, rolreplication: false, rolbypassrls: false, rolconnlimit: -1, rolpassword: null, rolvaliduntil: null });
  for (const a of rows.pg_authid!) {
    rows.pg_roles!.push({ ...a, rolpassword: '********', rolconfig: null });
    rows.pg_user!.push({ usename: a.rolname!, usesysid: a.oid!, usecreatedb: false, usesuper: a.rolsuper!, userepl: false, usebypassrls: false, passwd: '********', valuntil: null, useconfig: null });
  }
  rows.pg_database!.push({
    oid: dbOid, datname: db, datdba: userOid, encoding: 6, datlocprovider: 'c', datistemplate: false, datallowconn: true,
    datconnlimit: -1, datfrozenxid: 0, datminmxid: 1, dattablespace: 1663, datcollate: 'C.UTF-8', datctype: 'C.UTF-8',
    daticulocale: null, datcollversion: null, datacl: null,
  });
  rows.pg_tablespace!.push({ oid: 1663, spcname: 'pg_default', spcowner: 10 }, { oid: 1664, spcname: 'pg_global', spcowner: 10 });
  rows.pg_am!.push({ oid: 2, amname: 'heap', amhandler: 3, amtype: 't' }, { oid: 403, amname: 'btree', amhandler: 330, amtype: 'i' }, { oid: 405, amname: 'hash', amhandler: 331, amtype: 'i' });
  rows.pg_collation!.push(
    { oid: 100, collname: 'default', collnamespace: NS_PG_CATALOG, collowner: 10, collprovider: 'd', collisdeterministic: true, collencoding: -1 },
    { oid: 950, collname: 'C', collnamespace: NS_PG_CATALOG, collowner: 10, collprovider: 'c', collisdeterministic: true, collencoding: -1, collcollate: 'C', collctype: 'C' },
    { oid: 951, collname: 'POSIX', collnamespace: NS_PG_CATALOG, collowner: 10, collprovider: 'c', collisdeterministic: true, collencoding: -1, collcollate: 'POSIX', collctype: 'POSIX' },
  );
  rows.pg_language!.push({ oid: 12, lanname: 'internal', lanowner: 10, lanispl: false, lanpltrusted: false }, { oid: 14, lanname: 'sql', lanowner: 10, lanispl: false, lanpltrusted: true });

  // Types and their I/O functions.
  const types = pgTypes();
  const procs = new Map<string, number>();
  for (const t of types) {
    for (const p of t.procs) procs.set(p, procOid(p));
    rows.pg_type!.push({
      oid: t.oid, typname: t.name, typnamespace: NS_PG_CATALOG, typowner: 10, typlen: t.len, typbyval: t.byval, typtype: t.type,
      typcategory: t.category, typispreferred: t.preferred, typisdefined: true, typdelim: ',', typrelid: 0, typsubscript: 0,
      typelem: t.elem, typarray: t.array, typinput: procs.get(t.procs[0])!, typoutput: procs.get(t.procs[1])!,
      typreceive: procs.get(t.procs[2])!, typsend: procs.get(t.procs[3])!, typmodin: 0, typmodout: 0, typanalyze: 0,
      typalign: t.align, typstorage: t.len === -1 ? 'x' : 'p', typnotnull: false, typbasetype: 0, typtypmod: -1, typndims: 0,
      typcollation: t.category === 'S' ? 100 : 0, typdefaultbin: null, typdefault: null, typacl: null,
    });
  }
  for (const [name, oid] of procs) {
    rows.pg_proc!.push({
      oid, proname: name, pronamespace: NS_PG_CATALOG, proowner: 10, prolang: 12, procost: 1, prorows: 0, provariadic: 0,
      prosupport: 0, prokind: 'f', prosecdef: false, proleakproof: false, proisstrict: true, proretset: false, provolatile: 'i',
      proparallel: 's', pronargs: 1, pronargdefaults: 0, prorettype: 0, proargtypes: [], prosrc: name,
    });
  }

  // Relations: the catalog's own, then the organization's.
  const addClass = (schema: string, name: string, kind: string, natts: number, rowCount: number): void => {
    rows.pg_class!.push(classRow(schema, name, kind, natts, rowCount, userOid));
  };
  for (const [name, spec] of Object.entries(RELATIONS)) addClass('pg_catalog', name, name.startsWith('pg_stat') || ['pg_tables', 'pg_views', 'pg_matviews', 'pg_indexes', 'pg_roles', 'pg_user', 'pg_settings', 'pg_sequences'].includes(name) ? 'v' : 'r', spec.split(',').length, -1);
  for (const [name, spec] of Object.entries(INFO_RELATIONS)) addClass('information_schema', name, 'v', spec.split(',').length, -1);

  const info: Record<string, Record<string, Value>[]> = { schemata: [], tables: [], columns: [], views: [], table_constraints: [], key_column_usage: [], constraint_column_usage: [] };
  /** pg_get_indexdef / pg_get_constraintdef texts by OID. */
  const definitions: [number, string][] = [];
  for (const s of schemas) {
    info.schemata!.push({ catalog_name: db, schema_name: s, schema_owner: s === 'public' ? opts.user : 'runlake' });
  }
  for (const r of opts.relations) {
    const rel = relationRows(db, opts.user, r, types);
    for (const [name, list] of Object.entries(rel.rows)) rows[name]!.push(...list);
    for (const [name, list] of Object.entries(rel.info)) info[name]!.push(...list);
    definitions.push(...rel.definitions);
  }

  const settings = new Map(DEFAULT_SETTINGS.map(([n, v]) => [n, v]));
  for (const [k, v] of opts.settings ?? []) settings.set(k.toLowerCase(), v);
  for (const [name, value] of settings) {
    const category = DEFAULT_SETTINGS.find((d) => d[0] === name)?.[2] ?? 'Customized Options';
    rows.pg_settings!.push({ name, setting: value, unit: null, category, short_desc: '', extra_desc: null, context: 'user', vartype: 'string', source: 'default', boot_val: value, reset_val: value, pending_restart: false });
  }

  for (const [name, spec] of Object.entries(RELATIONS)) out.push(...tableSql(S, name, spec, rows[name]!));
  for (const [name, spec] of Object.entries(INFO_RELATIONS)) out.push(...tableSql(I, name, spec, info[name] ?? []));
  if (rows.pg_class!.length) {
    // information_schema_catalog_name has one row.
    out.push(`INSERT INTO ${I}."information_schema_catalog_name" VALUES (${lit(db)})`);
  }
  // pg_get_indexdef() / pg_get_constraintdef() texts.
  out.push(`CREATE OR REPLACE TABLE ${S}."_pg_definition" (oid INTEGER, definition VARCHAR)`);
  if (definitions.length) out.push(`INSERT INTO ${S}."_pg_definition" VALUES ${definitions.map(([o, d]) => `(${o}, ${lit(d)})`).join(', ')}`);
  // format_type() spellings.
  out.push(`CREATE OR REPLACE TABLE ${S}."_format_type" (oid INTEGER, name VARCHAR, display VARCHAR)`);
  out.push(`INSERT INTO ${S}."_format_type" VALUES ${types.map((t) => `(${t.oid}, ${lit(t.name)}, ${lit(t.display)})`).join(', ')}`);
  out.push(...macrosSql(S, ['pg_catalog', 'public']));
  return out;
}

/**
 * Statements that replace the catalog rows of every relation in `schema` by `relations` (each of
 * them in that schema), for a schema whose relations change while the catalog is in use (the
 * scratch schema: CREATE TABLE AS, DROP, RENAME over any protocol). The schema itself must already
 * be listed (`PgCatalogOptions.schemas`). Run them in one transaction.
 */
export function pgSchemaRelationsSql(opts: { database: string; user: string }, schema: string, relations: readonly PgCatalogRelation[]): string[] {
  const S = PG_CATALOG_SCHEMA;
  const I = PG_INFO_SCHEMA;
  const ns = namespaceOid(schema);
  const inSchema = `(SELECT oid FROM ${S}."pg_class" WHERE relnamespace = ${ns})`;
  const out = [
    `DELETE FROM ${S}."pg_attribute" WHERE attrelid IN ${inSchema}`,
    `DELETE FROM ${S}."pg_description" WHERE classoid = ${CLASS_PG_CLASS} AND objoid IN ${inSchema}`,
    `DELETE FROM ${S}."pg_class" WHERE relnamespace = ${ns}`,
    ...['pg_tables', 'pg_views', 'pg_stat_user_tables'].map((t) => `DELETE FROM ${S}."${t}" WHERE schemaname = ${lit(schema)}`),
    ...['tables', 'columns', 'views'].map((t) => `DELETE FROM ${I}."${t}" WHERE table_schema = ${lit(schema)}`),
  ];
  const types = pgTypes();
  for (const r of relations) {
    if (pgSchemaName(r.schema) !== schema) throw new Error(`pgSchemaRelationsSql: ${r.schema}.${r.name} is not in schema ${schema}`);
    const rel = relationRows(opts.database, opts.user, r, types);
    for (const [name, list] of Object.entries(rel.rows)) out.push(...insertSql(S, name, RELATIONS[name]!, list));
    for (const [name, list] of Object.entries(rel.info)) out.push(...insertSql(I, name, INFO_RELATIONS[name]!, list));
  }
  return out;
}

/** A pg_class row. */
function classRow(schema: string, name: string, kind: string, natts: number, rowCount: number, userOid: number): Record<string, Value> {
  return {
    oid: relationOid(schema, name), relname: name, relnamespace: namespaceOid(schema), reltype: 0, reloftype: 0, relowner: schema === 'pg_catalog' || schema === 'information_schema' ? 10 : userOid,
    relam: kind === 'r' ? 2 : kind === 'i' ? 403 : 0, relfilenode: 0, reltablespace: 0, relpages: 0, reltuples: rowCount, relallvisible: 0, reltoastrelid: 0,
    relhasindex: false, relisshared: false, relpersistence: 'p', relkind: kind, relnatts: natts, relchecks: 0, relhasrules: false,
    relhastriggers: false, relhassubclass: false, relrowsecurity: false, relforcerowsecurity: false, relispopulated: true,
    relreplident: 'n', relispartition: false, relrewrite: 0, relfrozenxid: 0, relminmxid: 0, relacl: null, reloptions: null, relpartbound: null,
  };
}

type Rows = Record<string, Record<string, Value>[]>;

/** Every catalog row one of the organization's relations has, by pg_catalog / information_schema relation. */
function relationRows(db: string, user: string, r: PgCatalogRelation, types: readonly TypeRow[]): { rows: Rows; info: Rows; definitions: [number, string][] } {
  const rows: Rows = { pg_class: [], pg_description: [], pg_tables: [], pg_stat_user_tables: [], pg_views: [], pg_attribute: [], pg_index: [], pg_constraint: [], pg_indexes: [] };
  const info: Rows = { tables: [], columns: [], views: [], table_constraints: [], key_column_usage: [], constraint_column_usage: [] };
  const definitions: [number, string][] = [];
  const schema = pgSchemaName(r.schema);
  const relkind = r.kind === 'table' ? 'r' : 'v';
  // Datasets are views over Parquet in the engine, but clients must see tables (SQLAlchemy, psql \dt, pgJDBC "TABLE").
  const rowCount = r.rowCount ?? 0;
  const oid = relationOid(schema, r.name);
  rows.pg_class!.push(classRow(schema, r.name, relkind, r.columns.length, r.kind === 'table' ? rowCount : -1, stableOid('role', user)));
  if (r.doc) rows.pg_description!.push({ objoid: oid, classoid: CLASS_PG_CLASS, objsubid: 0, description: r.doc });
  const key = r.kind === 'table' ? primaryKeyAttnums(r) : [];
  if (key.length > 0) {
    const keyName = `${r.name}_pkey`;
    const indexOid = relationOid(schema, keyName);
    rows.pg_class![0]!.relhasindex = true;
    rows.pg_class!.push(classRow(schema, keyName, 'i', key.length, rowCount, stableOid('role', user)));
    const cols = key.map((n) => r.columns[n - 1]!.name);
    const indexdef = `CREATE UNIQUE INDEX ${quoteIdentJs(keyName)} ON ${quoteIdentJs(schema)}.${quoteIdentJs(r.name)} USING btree (${cols.map(quoteIdentJs).join(', ')})`;
    rows.pg_index!.push({
      indexrelid: indexOid, indrelid: oid, indnatts: key.length, indnkeyatts: key.length, indisunique: true, indnullsnotdistinct: false,
      indisprimary: true, indisexclusion: false, indimmediate: true, indisclustered: false, indisvalid: true, indcheckxmin: false,
      indisready: true, indislive: true, indisreplident: false, indkey: key,
      indcollation: key.map((n) => (pgTypeOf(r.columns[n - 1]!.type).oid === OID.text ? 100 : 0)), indclass: key.map(() => 0),
      indoption: key.map(() => 0), indexprs: null, indpred: null,
    });
    const conOid = stableOid('constraint', `${schema}.${keyName}`);
    rows.pg_constraint!.push({
      oid: conOid, conname: keyName, connamespace: namespaceOid(schema), contype: 'p', condeferrable: false, condeferred: false, convalidated: true,
      conrelid: oid, contypid: 0, conindid: indexOid, conparentid: 0, confrelid: 0, confupdtype: ' ', confdeltype: ' ', confmatchtype: ' ',
      conislocal: true, coninhcount: 0, connoinherit: true, conkey: key, confkey: null, conpfeqop: null, conppeqop: null, conffeqop: null,
      confdelsetcols: null, conexclop: null, conbin: null,
    });
    rows.pg_indexes!.push({ schemaname: schema, tablename: r.name, indexname: keyName, tablespace: null, indexdef });
    definitions.push([indexOid, indexdef], [conOid, `PRIMARY KEY (${cols.map(quoteIdentJs).join(', ')})`]);
    const constraint = { constraint_catalog: db, constraint_schema: schema, constraint_name: keyName, table_catalog: db, table_schema: schema, table_name: r.name };
    info.table_constraints!.push({ ...constraint, constraint_type: 'PRIMARY KEY', is_deferrable: 'NO', initially_deferred: 'NO', enforced: 'YES', nulls_distinct: null });
    cols.forEach((c, i) => {
      info.key_column_usage!.push({ ...constraint, column_name: c, ordinal_position: i + 1, position_in_unique_constraint: null });
      info.constraint_column_usage!.push({ table_catalog: db, table_schema: schema, table_name: r.name, column_name: c, constraint_catalog: db, constraint_schema: schema, constraint_name: keyName });
    });
  }
  if (r.kind === 'table') {
    rows.pg_tables!.push({ schemaname: schema, tablename: r.name, tableowner: user, tablespace: null, hasindexes: key.length > 0, hasrules: false, hastriggers: false, rowsecurity: false });
    rows.pg_stat_user_tables!.push({
      relid: oid, schemaname: schema, relname: r.name, seq_scan: 0, seq_tup_read: 0, idx_scan: null, idx_tup_fetch: null,
      n_tup_ins: 0, n_tup_upd: 0, n_tup_del: 0, n_tup_hot_upd: 0, n_live_tup: rowCount, n_dead_tup: 0, n_mod_since_analyze: 0,
      n_ins_since_vacuum: 0, vacuum_count: 0, autovacuum_count: 0, analyze_count: 0, autoanalyze_count: 0,
    });
  } else {
    rows.pg_views!.push({ schemaname: schema, viewname: r.name, viewowner: user, definition: null });
    info.views!.push({ table_catalog: db, table_schema: schema, table_name: r.name, view_definition: null, check_option: 'NONE', is_updatable: 'NO', is_insertable_into: 'NO', is_trigger_updatable: 'NO', is_trigger_deletable: 'NO', is_trigger_insertable_into: 'NO' });
  }
  info.tables!.push({ table_catalog: db, table_schema: schema, table_name: r.name, table_type: r.kind === 'table' ? 'BASE TABLE' : 'VIEW', is_insertable_into: 'NO', is_typed: 'NO' });
  r.columns.forEach((c, i) => {
    const t = pgTypeOf(c.type);
    const facts = types.find((x) => x.oid === t.oid);
    rows.pg_attribute!.push({
      attrelid: oid, attname: c.name, atttypid: t.oid, attstattarget: -1, attlen: t.typlen, attnum: i + 1, attndims: facts?.category === 'A' ? 1 : 0,
      attcacheoff: -1, atttypmod: t.typmod, attbyval: facts?.byval ?? false, attalign: facts?.align ?? 'i', attstorage: t.typlen === -1 ? 'x' : 'p',
      attcompression: '', attnotnull: key.includes(i + 1), atthasdef: false, atthasmissing: false, attidentity: '', attgenerated: '', attisdropped: false,
      attislocal: true, attinhcount: 0, attcollation: facts?.category === 'S' ? 100 : 0, attacl: null, attoptions: null, attfdwoptions: null, attmissingval: null,
    });
    if (c.doc) rows.pg_description!.push({ objoid: oid, classoid: CLASS_PG_CLASS, objsubid: i + 1, description: c.doc });
    const column = infoColumn(db, schema, r.name, c.name, i + 1, c.type, t.oid, t.typmod, facts);
    info.columns!.push(key.includes(i + 1) ? { ...column, is_nullable: 'NO' } : column);
  });
  return { rows, info, definitions };
}

/** Attribute numbers (1-based) of a relation's primary key; [] without one (or when a column is missing). */
function primaryKeyAttnums(r: PgCatalogRelation): number[] {
  const nums = (r.primaryKey ?? []).map((k) => r.columns.findIndex((c) => c.name === k) + 1);
  return nums.includes(0) ? [] : nums;
}

/** quote_ident() in JavaScript (the macro's rules): lower-case plain names stay bare. */
function quoteIdentJs(x: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(x) && !RESERVED.includes(x) ? x : `"${x.replaceAll('"', '""')}"`;
}

/** A relation's engine schema → the PostgreSQL schema clients see (`main` → public). */
function pgSchemaName(schema: string): string {
  return schema === 'main' || schema === '' ? PG_DATA_SCHEMA : schema;
}

function infoColumn(
  db: string, schema: string, table: string, column: string, position: number, type: EngineType, oid: number, typmod: number,
  facts: TypeRow | undefined,
): Record<string, Value> {
  const isArray = facts?.category === 'A';
  let precision: number | null = null;
  let radix: number | null = null;
  let scale: number | null = null;
  let datetime: number | null = null;
  if (oid === OID.int2) [precision, radix, scale] = [16, 2, 0];
  else if (oid === OID.int4) [precision, radix, scale] = [32, 2, 0];
  else if (oid === OID.int8) [precision, radix, scale] = [64, 2, 0];
  else if (oid === OID.float4) [precision, radix] = [24, 2];
  else if (oid === OID.float8) [precision, radix] = [53, 2];
  else if (oid === OID.numeric) [precision, radix, scale] = [type.precision ?? null, 10, type.scale ?? null];
  if ([OID.date].includes(oid as 1082)) datetime = 0;
  if ([OID.time, OID.timetz, OID.timestamp, OID.timestamptz, OID.interval].includes(oid as 1083)) datetime = 6;
  void typmod;
  return {
    table_catalog: db, table_schema: schema, table_name: table, column_name: column, ordinal_position: position, column_default: null,
    is_nullable: 'YES', data_type: isArray ? 'ARRAY' : (facts?.display ?? 'text'), numeric_precision: precision, numeric_precision_radix: radix,
    numeric_scale: scale, datetime_precision: datetime, udt_catalog: db, udt_schema: 'pg_catalog', udt_name: facts?.name ?? 'text',
    dtd_identifier: String(position), is_self_referencing: 'NO', is_identity: 'NO', identity_cycle: 'NO', is_generated: 'NEVER', is_updatable: 'NO',
  };
}
