/**
 * Quoting for SQL text the server writes itself (DuckDB and PostgreSQL agree on both forms):
 * a string literal with `'` doubled, an identifier always double-quoted with `"` doubled.
 */
export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
export const quoteIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;
