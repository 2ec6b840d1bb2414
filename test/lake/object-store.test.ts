/**
 * One conformance suite for every ObjectStore, run against the local store (temp dir) and the S3
 * store on a real S3-compatible server (SeaweedFS via test/support/s3.ts: a fresh bucket and a
 * non-empty key prefix). Plus S3-only checks (prefix isolation, paging, bucket creation) and
 * openObjectStore's choice of class.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { loadConfig } from '../../src/config/config.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { InvalidKeyError, type ObjectStore } from '../../src/lake/object-store.ts';
import { openObjectStore } from '../../src/lake/open-store.ts';
import { MULTIPART_PART_SIZE, MULTIPART_THRESHOLD, S3ObjectStore } from '../../src/lake/s3-store.ts';
import { NO_S3_SERVER, freshS3Store, removeBucket, s3LakeConfig, testS3, uniqueBucketName, type TestS3 } from '../support/s3.ts';

interface StoreUnderTest {
  store: ObjectStore;
  /** Remove everything the suite created. */
  cleanup(): Promise<void>;
}

/** Opens the store to test, or returns a reason to skip. */
type Factory = () => Promise<StoreUnderTest | string>;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));
const codeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Run `fn` over `items` with at most `width` in flight. */
async function inBatches<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

let nsCounter = 0;
/** A key namespace of its own for each test, so tests never see each other's keys. */
const ns = (): string => `case-${String(++nsCounter).padStart(3, '0')}-${randomBytes(3).toString('hex')}`;

interface SuiteOptions {
  /** Overwrites the concurrent-reader test makes (each is a few MiB). */
  concurrentOverwrites: number;
}

function conformance(name: string, open: Factory, opts: SuiteOptions): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let sut: StoreUnderTest | undefined;
    let skipReason: string | undefined;
    let scratch = '';

    before(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'runlake-os-scratch-'));
      const r = await open();
      if (typeof r === 'string') skipReason = r;
      else sut = r;
    });
    after(async () => {
      await sut?.cleanup();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    /** `it`, skipped with the factory's reason when there is no store to test. */
    const test = (title: string, fn: (store: ObjectStore, t: TestContext) => Promise<void>): void => {
      it(title, async (t) => {
        if (skipReason !== undefined || sut === undefined) {
          t.skip(skipReason ?? 'store not opened');
          return;
        }
        await fn(sut.store, t);
      });
    };

    test('put/get round-trips bytes and strings', async (s) => {
      const p = ns();
      const binary = new Uint8Array(256).map((_, i) => i);
      await s.put(`${p}/bin`, binary);
      await s.put(`${p}/str.json`, '{"héllo":"wörld ✓"}');
      await s.put(`${p}/empty`, new Uint8Array(0));
      await s.put(`${p}/empty-string`, '');
      assert.deepEqual(new Uint8Array((await s.get(`${p}/bin`))!), binary);
      assert.equal(text(await s.get(`${p}/str.json`)), '{"héllo":"wörld ✓"}');
      assert.equal((await s.get(`${p}/empty`))?.byteLength, 0);
      assert.equal((await s.get(`${p}/empty-string`))?.byteLength, 0);
    });

    test('put overwrites an existing key', async (s) => {
      const p = ns();
      await s.put(`${p}/k`, 'first version, longer than the second');
      await s.put(`${p}/k`, 'second');
      assert.equal(text(await s.get(`${p}/k`)), 'second');
      assert.equal((await s.head(`${p}/k`))?.size, 'second'.length);
      assert.deepEqual((await s.list(`${p}/`)).map((o) => o.key), [`${p}/k`]);
    });

    test('get/head/getFile of a missing key: undefined / undefined / false', async (s) => {
      const p = ns();
      assert.equal(await s.get(`${p}/missing`), undefined);
      assert.equal(await s.get(`${p}/missing/deeper/still`), undefined);
      assert.equal(await s.head(`${p}/missing`), undefined);
      const target = join(scratch, p, 'never-written');
      assert.equal(await s.getFile(`${p}/missing`, target), false);
      await assert.rejects(stat(target), { code: 'ENOENT' });
    });

    test('a key that is only a prefix of other keys is missing for get/head/getFile', async (s) => {
      const p = ns();
      await s.put(`${p}/a/b/c`, 'x');
      for (const k of [`${p}/a`, `${p}/a/b`]) {
        assert.equal(await s.head(k), undefined, `head ${k}`);
        assert.equal(await s.get(k), undefined, `get ${k}`);
        assert.equal(await s.getFile(k, join(scratch, `${p}-dir-out`)), false, `getFile ${k}`);
      }
      await s.delete([`${p}/a/b/c`]);
      assert.deepEqual(await s.list(`${p}/`), []);
    });

    test('head reports key, size and modification time', async (s) => {
      const p = ns();
      const t0 = Date.now();
      await s.put(`${p}/h.bin`, randomBytes(1234));
      const info = await s.head(`${p}/h.bin`);
      assert.ok(info);
      assert.equal(info.key, `${p}/h.bin`);
      assert.equal(info.size, 1234);
      assert.ok(info.modifiedAt instanceof Date && !Number.isNaN(info.modifiedAt.getTime()));
      // Same machine, so the clocks agree to well within an hour (S3 times have 1 s resolution).
      assert.ok(Math.abs(info.modifiedAt.getTime() - t0) < 3600_000, `modifiedAt ${info.modifiedAt.toISOString()}`);
    });

    test('list by prefix: nested, with and without trailing slash, partial names', async (s) => {
      const p = ns();
      const keys = [`${p}/a/b/c`, `${p}/a/b/d`, `${p}/a/b.txt`, `${p}/a/bc`, `${p}/ab`, `${p}/z/y/x/w`];
      await Promise.all(keys.map((k) => s.put(k, k)));
      const ls = async (prefix: string): Promise<string[]> => (await s.list(prefix)).map((o) => o.key);

      assert.deepEqual(await ls(`${p}/a/b/`), [`${p}/a/b/c`, `${p}/a/b/d`]);
      assert.deepEqual(await ls(`${p}/a/b`), [`${p}/a/b.txt`, `${p}/a/b/c`, `${p}/a/b/d`, `${p}/a/bc`]);
      assert.deepEqual(await ls(`${p}/a/`), [`${p}/a/b.txt`, `${p}/a/b/c`, `${p}/a/b/d`, `${p}/a/bc`]);
      assert.deepEqual(await ls(`${p}/a`), [`${p}/a/b.txt`, `${p}/a/b/c`, `${p}/a/b/d`, `${p}/a/bc`, `${p}/ab`]);
      assert.deepEqual(await ls(`${p}/z/y/x/`), [`${p}/z/y/x/w`]);
      assert.deepEqual(await ls(`${p}/z/y/x/w`), [`${p}/z/y/x/w`], 'a prefix equal to a whole key lists that key');
      assert.deepEqual(await ls(`${p}/`), [...keys].sort(codeUnitOrder));
      assert.deepEqual(await ls(p), [...keys].sort(codeUnitOrder));
      assert.deepEqual(await ls(`${p}/nothing/`), []);
      assert.deepEqual(await ls(`${p}/a/b/c/`), [], 'a key is not a directory');
      assert.deepEqual(await ls(`${p}/q`), []);

      const all = await ls('');
      for (const k of keys) assert.ok(all.includes(k), `list('') includes ${k}`);
      assert.deepEqual(all, [...all].sort(codeUnitOrder));

      const infos = await s.list(`${p}/a/b/`);
      assert.equal(infos[0]?.size, `${p}/a/b/c`.length);
      assert.ok(infos[0]?.modifiedAt instanceof Date);
    });

    test('list returns keys sorted whatever the order they were written in', async (s) => {
      const p = ns();
      const names = ['b', 'B', 'a', 'A', '0', '9', '_x', '-x', '.x', 'x.y', 'x-y', 'x_y', 'aa', 'a0', 'ü', 'z', 'Z~', 'with space', 'plus+sign'];
      const keys = names.map((n) => `${p}/${n}`);
      for (const k of [...keys].reverse()) await s.put(k, k);
      const listed = (await s.list(`${p}/`)).map((o) => o.key);
      assert.deepEqual(listed, [...keys].sort(codeUnitOrder));
      for (const k of keys) assert.equal(text(await s.get(k)), k, `round-trip of ${JSON.stringify(k)}`);
    });

    test('list pages past 1000 keys and delete batches past 1000', async (s) => {
      const p = ns();
      const keys = Array.from({ length: 1100 }, (_, i) => `${p}/many/${String(i).padStart(5, '0')}.bin`);
      const shuffled = [...keys].sort(() => Math.random() - 0.5);
      await inBatches(shuffled, 50, (k) => s.put(k, k.slice(-9)));
      await s.put(`${p}/many-sibling`, 'not under many/');

      const listed = await s.list(`${p}/many/`);
      assert.equal(listed.length, 1100);
      assert.deepEqual(listed.map((o) => o.key), keys);
      assert.ok(listed.every((o) => o.size === 9));

      await s.delete(keys);
      assert.deepEqual(await s.list(`${p}/many/`), []);
      assert.deepEqual((await s.list(`${p}/`)).map((o) => o.key), [`${p}/many-sibling`]);
    });

    test(`putFile/getFile of a large file (multipart above ${MULTIPART_THRESHOLD >> 20} MiB) keep every byte`, async (s) => {
      const p = ns();
      const big = randomBytes(20 * 1024 * 1024 + 12_345); // not a whole number of parts
      const src = join(scratch, `${p}-big.src`);
      await writeFile(src, big);
      await s.putFile(`${p}/big.bin`, src);
      assert.equal((await s.head(`${p}/big.bin`))?.size, big.byteLength);

      const outDir = join(scratch, p, 'nested', 'dir');
      const out = join(outDir, 'big.out');
      assert.equal(await s.getFile(`${p}/big.bin`, out), true);
      const back = await readFile(out);
      assert.equal(back.byteLength, big.byteLength);
      assert.equal(sha256(back), sha256(big));
      assert.deepEqual(await readdir(outDir), ['big.out'], 'no temp file is left beside the target');

      // getFile replaces an existing file.
      await s.put(`${p}/small.txt`, 'small');
      assert.equal(await s.getFile(`${p}/small.txt`, out), true);
      assert.equal(await readFile(out, 'utf8'), 'small');
      assert.deepEqual(await readdir(outDir), ['big.out']);
    });

    test('putFile of a small file and of an empty file', async (s) => {
      const p = ns();
      const small = randomBytes(300_000);
      await writeFile(join(scratch, `${p}-small`), small);
      await writeFile(join(scratch, `${p}-empty`), '');
      await s.putFile(`${p}/small`, join(scratch, `${p}-small`));
      await s.putFile(`${p}/empty`, join(scratch, `${p}-empty`));
      assert.equal(sha256((await s.get(`${p}/small`))!), sha256(small));
      assert.equal((await s.head(`${p}/empty`))?.size, 0);
      const out = join(scratch, `${p}-empty.out`);
      assert.equal(await s.getFile(`${p}/empty`, out), true);
      assert.equal((await stat(out)).size, 0);
    });

    test('delete removes keys; missing keys, duplicates and an empty list are fine', async (s) => {
      const p = ns();
      await s.put(`${p}/d1`, '1');
      await s.put(`${p}/d2`, '2');
      await s.put(`${p}/keep`, 'k');
      await s.delete([`${p}/d1`, `${p}/missing`, `${p}/d2`, `${p}/d1`, `${p}/no/such/dir/key`]);
      await s.delete([]);
      await s.delete([`${p}/d1`]);
      assert.equal(await s.get(`${p}/d1`), undefined);
      assert.equal(await s.head(`${p}/d2`), undefined);
      assert.deepEqual((await s.list(`${p}/`)).map((o) => o.key), [`${p}/keep`]);
    });

    test('invalid keys are rejected by every operation', async (s) => {
      const file = join(scratch, 'invalid-key-src');
      await writeFile(file, 'x');
      const bad = ['../x', 'a/../../x', '/abs', 'a//b', 'a/./b', './a', 'a\\b', '', 'a/', 'nul\0byte'];
      for (const key of bad) {
        const k = JSON.stringify(key);
        await assert.rejects(s.put(key, 'x'), InvalidKeyError, `put ${k}`);
        await assert.rejects(s.putFile(key, file), InvalidKeyError, `putFile ${k}`);
        await assert.rejects(s.get(key), InvalidKeyError, `get ${k}`);
        await assert.rejects(s.getFile(key, join(scratch, 'never')), InvalidKeyError, `getFile ${k}`);
        await assert.rejects(s.head(key), InvalidKeyError, `head ${k}`);
        await assert.rejects(s.delete(['fine', key]), InvalidKeyError, `delete ${k}`);
      }
      for (const prefix of ['../', '/abs', 'a//', 'a//b', '..', 'a/../b']) {
        await assert.rejects(s.list(prefix), InvalidKeyError, `list ${JSON.stringify(prefix)}`);
      }
      await assert.rejects(stat(join(scratch, 'never')), { code: 'ENOENT' });
    });

    test('a reader during overwrites sees a whole old or whole new object, never a partial one', async (s) => {
      const p = ns();
      const key = `${p}/hot.bin`;
      const size = 2 * 1024 * 1024;
      const version = (n: number): Uint8Array => new Uint8Array(size).fill(n);
      await s.put(key, version(1));
      let writing = true;
      let reads = 0;
      const seen = new Set<number>();
      const reader = (async () => {
        while (writing) {
          const b = await s.get(key);
          assert.ok(b, 'the key never disappears while being overwritten');
          assert.equal(b.byteLength, size, `read ${reads}: whole object`);
          const first = b[0]!;
          assert.ok(b.every((x) => x === first), `read ${reads}: one version, not a mix`);
          seen.add(first);
          reads++;
        }
      })();
      try {
        for (let n = 2; n <= opts.concurrentOverwrites + 1; n++) await s.put(key, version(n));
      } finally {
        writing = false;
        await reader;
      }
      assert.ok(reads > 0);
      assert.equal((await s.get(key))?.[0], opts.concurrentOverwrites + 1);
    });
  });
}

// ── the stores ──────────────────────────────────────────────────────────────────────────────────

conformance(
  'local directory',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'runlake-local-store-'));
    return { store: new LocalObjectStore(root), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  { concurrentOverwrites: 40 },
);

/** One S3 server for the whole file (started once, stopped after everything); a failure to start fails every S3 suite. */
let s3: Promise<TestS3 | undefined> | undefined;
const s3Server = (): Promise<TestS3 | undefined> => (s3 ??= testS3());
after(async () => {
  const server = await s3?.catch(() => undefined);
  await server?.stop();
});

conformance(
  'S3 on the test server (fresh bucket, prefix "lake/v1")',
  async () => {
    const server = await s3Server();
    if (server === undefined) return NO_S3_SERVER;
    const store = await freshS3Store(server, 'lake/v1', 'conformance');
    return {
      store,
      cleanup: async () => {
        store.destroy();
        await removeBucket(server, store.bucket);
      },
    };
  },
  { concurrentOverwrites: 15 },
);

describe('S3ObjectStore specifics', () => {
  let server: TestS3 | undefined;
  const buckets: string[] = [];
  before(async () => {
    server = await s3Server();
  });
  after(async () => {
    if (server) for (const b of buckets) await removeBucket(server, b);
  });
  const test = (title: string, fn: (srv: TestS3) => Promise<void>): void => {
    it(title, async (t) => {
      if (server === undefined) {
        t.skip(NO_S3_SERVER);
        return;
      }
      await fn(server);
    });
  };

  test('keys live under the configured prefix, and stores with other prefixes do not see them', async (srv) => {
    const bucket = uniqueBucketName('prefixes');
    buckets.push(bucket);
    const a = new S3ObjectStore(s3LakeConfig(srv, bucket, 'tenant/a'));
    const ab = new S3ObjectStore(s3LakeConfig(srv, bucket, 'tenant/ab'));
    const root = new S3ObjectStore(s3LakeConfig(srv, bucket, ''));
    const slashy = new S3ObjectStore(s3LakeConfig(srv, bucket, '/tenant/a/'));
    try {
      await root.ensureBucket();
      await root.ensureBucket(); // idempotent
      assert.equal(a.url, `s3://${bucket}/tenant/a`);
      assert.equal(root.url, `s3://${bucket}`);
      assert.equal(slashy.url, `s3://${bucket}/tenant/a`);

      await a.put('x/1', 'a1');
      await ab.put('x/1', 'ab1');
      await root.put('top', 'root');

      assert.deepEqual((await a.list('')).map((o) => o.key), ['x/1']);
      assert.deepEqual((await ab.list('')).map((o) => o.key), ['x/1']);
      assert.deepEqual((await slashy.list('x/')).map((o) => o.key), ['x/1']);
      assert.deepEqual((await root.list('')).map((o) => o.key), ['tenant/a/x/1', 'tenant/ab/x/1', 'top']);
      assert.equal(text(await a.get('x/1')), 'a1');
      assert.equal(text(await ab.get('x/1')), 'ab1');

      // Stored at <prefix>/<key> in the bucket, as other engines reading the lake expect.
      const raw = await root.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'tenant/a/x/1' }));
      assert.equal(await raw.Body?.transformToString(), 'a1');
    } finally {
      for (const s of [a, ab, root, slashy]) s.destroy();
    }
  });

  test('ListObjectsV2 really pages at 1000 on this server (so the paging test exercised tokens)', async (srv) => {
    const store = await freshS3Store(srv, 'paging', 'paging');
    buckets.push(store.bucket);
    try {
      const keys = Array.from({ length: 1005 }, (_, i) => `k/${String(i).padStart(4, '0')}`);
      await inBatches(keys, 50, (k) => store.put(k, ''));
      const first = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: 'paging/k/' }));
      assert.equal(first.IsTruncated, true);
      assert.equal(first.Contents?.length, 1000);
      assert.ok(first.NextContinuationToken);
      assert.deepEqual((await store.list('k/')).map((o) => o.key), keys);
    } finally {
      store.destroy();
    }
  });

  test('putFile uses one PUT up to the threshold and a multipart upload above it', async (srv) => {
    const store = await freshS3Store(srv, 'mp', 'multipart');
    buckets.push(store.bucket);
    const dir = await mkdtemp(join(tmpdir(), 'runlake-mp-'));
    try {
      const etag = async (key: string): Promise<string> =>
        (await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: `mp/${key}` }))).ETag ?? '';
      const at = join(dir, 'at-threshold');
      const above = join(dir, 'above');
      await writeFile(at, randomBytes(MULTIPART_THRESHOLD));
      await writeFile(above, randomBytes(MULTIPART_THRESHOLD + 1));
      await store.putFile('at', at);
      await store.putFile('above', above);
      // S3 marks a multipart object's ETag with "-<number of parts>".
      assert.doesNotMatch(await etag('at'), /-\d+"?$/);
      const parts = Math.ceil((MULTIPART_THRESHOLD + 1) / MULTIPART_PART_SIZE);
      assert.match(await etag('above'), new RegExp(`-${parts}"?$`));
      assert.equal(sha256((await store.get('above'))!), sha256(await readFile(above)));
    } finally {
      store.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing bucket is an error, not a missing key', async (srv) => {
    const store = new S3ObjectStore(s3LakeConfig(srv, uniqueBucketName('missing'), 'p'));
    try {
      await assert.rejects(store.get('k'), /NoSuchBucket|bucket/i);
      await assert.rejects(store.list(''), /NoSuchBucket|bucket/i);
    } finally {
      store.destroy();
    }
  });

  test('wrong credentials fail with the server\'s error, not "missing"', async (srv) => {
    const store = new S3ObjectStore({ ...s3LakeConfig(srv, uniqueBucketName('creds'), ''), secretAccessKey: 'not-the-secret' });
    try {
      await assert.rejects(store.get('k'), /SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId/);
    } finally {
      store.destroy();
    }
  });
});

describe('openObjectStore', () => {
  it('opens a LocalObjectStore for a local lake', async () => {
    const root = await mkdtemp(join(tmpdir(), 'runlake-open-store-'));
    try {
      const store = openObjectStore({ kind: 'local', root });
      assert.ok(store instanceof LocalObjectStore);
      assert.equal(store.url, `file://${root}`);
      assert.equal(typeof store.localPath, 'function');
      assert.equal(store.localPath?.('a/b'), join(root, 'a', 'b'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('opens an S3ObjectStore for an s3 lake, with no localPath', () => {
    const store = openObjectStore({
      kind: 's3',
      bucket: 'bkt',
      prefix: 'runlake/prod',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:1',
      forcePathStyle: true,
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
    });
    assert.ok(store instanceof S3ObjectStore);
    assert.equal(store.url, 's3://bkt/runlake/prod');
    assert.equal('localPath' in store, false, 'a remote store has no localPath');
    store.destroy();
  });

  it('follows the configuration: RUNLAKE_LAKE_URL=s3://… gives S3, the default gives local', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'runlake-open-store-cfg-'));
    try {
      const s3cfg = loadConfig({ dataDir }, {
        RUNLAKE_LAKE_URL: 's3://lake-bucket/orgs/',
        RUNLAKE_S3_ENDPOINT: 'http://127.0.0.1:1',
        AWS_ACCESS_KEY_ID: 'AK',
        AWS_SECRET_ACCESS_KEY: 'SK',
      });
      const remote = openObjectStore(s3cfg.lake);
      assert.ok(remote instanceof S3ObjectStore);
      assert.equal(remote.url, 's3://lake-bucket/orgs');
      remote.destroy();

      const local = openObjectStore(loadConfig({ dataDir }, {}).lake);
      assert.ok(local instanceof LocalObjectStore);
      assert.equal(local.url, `file://${join(dataDir, 'lake')}`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a half-given key pair instead of silently using other credentials', () => {
    assert.throws(
      () => openObjectStore({ kind: 's3', bucket: 'b', prefix: '', region: 'us-east-1', forcePathStyle: true, accessKeyId: 'AK' }),
      /accessKeyId \/ secretAccessKey/,
    );
  });
});
