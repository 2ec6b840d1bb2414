/**
 * The two SQL dialects a generated Looker project can target, as capabilities: the Looker
 * connection dialect "Amazon Athena" (Trino SQL, through Runlake's Athena API) and "PostgreSQL"
 * (through Runlake's PostgreSQL wire protocol). Everything dialect-specific in the generated
 * LookML comes from here; nothing else names a dialect.
 */

export const LOOKML_DIALECTS = ['athena', 'postgres'] as const;
export type LookmlDialectName = (typeof LOOKML_DIALECTS)[number];

export interface LookmlDialect {
  name: LookmlDialectName;
  /** What to pick as the connection's dialect in Looker's Admin > Connections. */
  lookerDialect: string;
  /** The schema-qualified name of an organization relation (sql_table_name). */
  relation(database: string, name: string): string;
  /** A list of strings as one comma-separated text value (NULL stays NULL). */
  listToText(expr: string): string;
  /** The p-th percentile (0…1) of an expression, as an aggregate (in hand-written PDT SQL). */
  percentile(expr: string, p: number): string;
  /** Looker's `table_format`/`table_compression` for PDTs, where the dialect has them. */
  persistedTable?: { format: string; compression: string };
}

const ident = (s: string): string => (/^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`);

const ATHENA: LookmlDialect = {
  name: 'athena',
  lookerDialect: 'Amazon Athena',
  relation: (database, name) => `${ident(database)}.${ident(name)}`,
  listToText: (e) => `array_join(${e}, ', ')`,
  percentile: (e, p) => `approx_percentile(${e}, ${p})`,
  persistedTable: { format: 'PARQUET', compression: 'SNAPPY' },
};

const POSTGRES: LookmlDialect = {
  name: 'postgres',
  lookerDialect: 'PostgreSQL 9.5+',
  // The organization's database is the connection's database; its relations are in `public`.
  relation: (_database, name) => `public.${ident(name)}`,
  listToText: (e) => `array_to_string(${e}, ', ')`,
  percentile: (e, p) => `percentile_cont(${p}) WITHIN GROUP (ORDER BY ${e})`,
};

export const LOOKML_DIALECT: Record<LookmlDialectName, LookmlDialect> = { athena: ATHENA, postgres: POSTGRES };

export function lookmlDialect(name: string): LookmlDialect {
  if (!(LOOKML_DIALECTS as readonly string[]).includes(name)) {
    throw new Error(`unknown LookML dialect "${name}": use ${LOOKML_DIALECTS.join(' or ')}`);
  }
  return LOOKML_DIALECT[name as LookmlDialectName];
}
