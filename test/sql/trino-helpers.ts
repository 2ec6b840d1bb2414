/** A real DuckDB connection with Runlake's Trino macros installed, as the engine sets it up. */
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { TRINO_MACROS } from '../../src/sql/trino/macros.ts';
import { translateTrino } from '../../src/sql/trino/translate.ts';
import type { TranslateContext } from '../../src/sql/trino/translate.ts';

export const CTX: TranslateContext = { database: 'acme', scratchSchema: 'looker_scratch' };

export interface Result {
  rows: unknown[][];
  columns: string[];
  types: string[];
}

export class TrinoDuck {
  private constructor(private readonly conn: DuckDBConnection) {}

  static async open(setup: string[] = []): Promise<TrinoDuck> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run("SET TimeZone='UTC'");
    for (const m of TRINO_MACROS) await conn.run(m);
    for (const s of setup) await conn.run(s);
    return new TrinoDuck(conn);
  }

  async duck(sql: string): Promise<Result> {
    const r = await this.conn.runAndReadAll(sql);
    return { rows: r.getRowsJson() as unknown[][], columns: r.columnNames(), types: r.columnTypes().map(String) };
  }

  /** Translate Trino SQL and run it. */
  async trino(sql: string, ctx: TranslateContext = CTX): Promise<Result> {
    return this.duck(translateTrino(sql, ctx).sql);
  }
}

/** Compare DuckDB JSON values with hand-written expectations (BIGINTs arrive as strings). */
export function normalize(actual: unknown, expected: unknown): unknown {
  if (typeof expected === 'number' && typeof actual === 'string' && /^-?\d+(\.\d+)?$/.test(actual)) return Number(actual);
  if (Array.isArray(expected) && Array.isArray(actual)) return actual.map((a, i) => normalize(a, expected[i]));
  return actual;
}
