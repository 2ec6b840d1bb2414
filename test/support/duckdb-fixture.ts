/**
 * A scratch in-process DuckDB (UTC, 2 threads) and a temp directory for one `describe` block:
 * opened in `before`, closed and removed in `after`. Read `fx.c` and `fx.dir` inside tests.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface DuckDBFixture {
  c: DuckDBConnection;
  dir: string;
}

export function duckdbFixture(prefix: string): DuckDBFixture {
  const fx = {} as DuckDBFixture;
  let duck: DuckDBInstance | undefined;
  before(async () => {
    duck = await DuckDBInstance.create(':memory:', { threads: '2' });
    fx.c = await duck.connect();
    await fx.c.run(`SET TimeZone = 'UTC'`);
    fx.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => {
    fx.c?.closeSync();
    duck?.closeSync();
    if (fx.dir) rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}
