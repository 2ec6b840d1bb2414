import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ dataDir: '/tmp/x' }, {});
    assert.equal(c.httpPort, 8080);
    assert.equal(c.httpsPort, 8443);
    assert.equal(c.pgPort, 5433);
    assert.equal(c.region, 'us-east-1');
    assert.equal(c.scratchSchema, 'looker_scratch');
    assert.deepEqual(c.lake, { kind: 'local', root: '/tmp/x/lake' });
    assert.equal(c.historyRetentionDays, 400);
  });
  it('takes the file, then the environment, then flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runlake-cfg-'));
    try {
      writeFileSync(join(dir, 'runlake.json'), JSON.stringify({ httpPort: 9000, pgPort: 9001, httpsPort: 9002, masterKey: { env: 'MY_KEY' } }));
      const c = loadConfig({ dataDir: dir, pgPort: '0' }, { RUNLAKE_HTTPS_PORT: '9443', MY_KEY: 'k'.repeat(64) });
      assert.equal(c.httpPort, 9000);
      assert.equal(c.httpsPort, 9443);
      assert.equal(c.pgPort, 0);
      assert.equal(c.masterKey, 'k'.repeat(64));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('reports every problem at once', () => {
    assert.throws(
      () => loadConfig({ dataDir: '/tmp/x', httpPort: 'abc' }, { RUNLAKE_PG_PORT: '70000', RUNLAKE_LAKE_URL: 'ftp://x', RUNLAKE_ENGINE_MEMORY_LIMIT: 'lots' }),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 4,
    );
  });
  it('reads an S3 lake from the environment', () => {
    const c = loadConfig({ dataDir: '/tmp/x' }, { RUNLAKE_LAKE_URL: 's3://bucket/some/prefix/', RUNLAKE_S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    assert.deepEqual(c.lake, { kind: 's3', bucket: 'bucket', prefix: 'some/prefix', region: 'us-east-1', forcePathStyle: true, endpoint: 'http://127.0.0.1:9000', accessKeyId: 'a', secretAccessKey: 'b' });
  });
});
