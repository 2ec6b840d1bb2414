/**
 * ObjectStore on Amazon S3 or any S3-compatible store (SeaweedFS, MinIO, Ceph RGW, R2, GCS interop…).
 *
 * Keys are stored under the configured prefix (`<prefix>/<key>`); every key handed back by `list`
 * has that prefix stripped, so callers see the same keys as with the local store.
 *
 * - `put` is one PutObject, which S3 makes atomic (readers see the whole old or the whole new object).
 * - `putFile`: one PutObject up to MULTIPART_THRESHOLD (the file read into memory, so retries can
 *   resend it); above it the file is streamed as a multipart upload of MULTIPART_PART_SIZE parts
 *   (also atomic: the object appears only when CompleteMultipartUpload succeeds).
 * - `getFile` streams the body into a temp file beside the target, fsyncs, and renames it into place.
 * - `list` follows ListObjectsV2 continuation tokens until the listing is complete, then sorts.
 * - `delete` sends DeleteObjects in batches of 1000 (the S3 limit); a missing key is not an error.
 *
 * Checksums are computed only when an operation requires them (`WHEN_REQUIRED`): the SDK's default
 * of adding CRC trailers to every upload is not understood by every S3-compatible server, and the
 * SigV4 payload hash / TLS already protect the bytes in transit.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type BucketLocationConstraint,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3LakeConfig } from '../config/config.ts';
import { checkKey, type ObjectInfo, type ObjectStore } from './object-store.ts';
import { fsyncPath, writeAtomic } from './local-store.ts';

/** Files larger than this are uploaded with a multipart upload. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/** Part size for multipart uploads (S3's minimum is 5 MiB). */
export const MULTIPART_PART_SIZE = 8 * 1024 * 1024;
/** Parts uploaded in parallel; memory held is at most this × MULTIPART_PART_SIZE. */
const MULTIPART_QUEUE_SIZE = 4;
/** DeleteObjects accepts at most this many keys per request. */
const DELETE_BATCH = 1000;

/** An S3 request failed for a reason other than "not found"; `cause` holds the SDK error. */
export class ObjectStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectStoreError';
  }
}

export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  readonly bucket: string;
  /** The configured key prefix without leading or trailing slashes ('' for the bucket root). */
  readonly prefix: string;
  readonly client: S3Client;

  constructor(cfg: S3LakeConfig) {
    if (!cfg.bucket) throw new ObjectStoreError('S3 lake configuration names no bucket');
    this.bucket = cfg.bucket;
    this.prefix = cfg.prefix.replace(/^\/+|\/+$/g, '');
    if (this.prefix !== '') {
      try {
        checkKey(this.prefix);
      } catch {
        throw new ObjectStoreError(`S3 lake prefix ${JSON.stringify(cfg.prefix)} is not a valid key prefix (no empty, "." or ".." segments)`);
      }
    }
    this.url = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;

    if ((cfg.accessKeyId === undefined) !== (cfg.secretAccessKey === undefined)) {
      throw new ObjectStoreError(
        'S3 lake configuration gives only one of accessKeyId / secretAccessKey: give both, or neither to use the default AWS credential chain',
      );
    }
    const clientCfg: S3ClientConfig = {
      region: cfg.region,
      forcePathStyle: cfg.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (cfg.endpoint) clientCfg.endpoint = cfg.endpoint;
    if (cfg.accessKeyId !== undefined && cfg.secretAccessKey !== undefined) {
      clientCfg.credentials = { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey };
    }
    this.client = new S3Client(clientCfg);
  }

  /** Full object key in the bucket for a store key. */
  private fullKey(key: string): string {
    checkKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  private where(key: string): string {
    return `${this.url}/${key}`;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const Key = this.fullKey(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, ContentLength: bytes.byteLength }));
    } catch (e) {
      throw this.fail('PutObject', key, e);
    }
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const Key = this.fullKey(key);
    const st = await fs.stat(localPath);
    if (!st.isFile()) throw new ObjectStoreError(`putFile: ${localPath} is not a regular file`);
    try {
      if (st.size <= MULTIPART_THRESHOLD) {
        // Read whole (at most MULTIPART_THRESHOLD bytes) so the SDK can retry the request; a
        // stream body cannot be replayed after a throttled or dropped attempt.
        const body = await fs.readFile(localPath);
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.byteLength }));
      } else {
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.bucket, Key, Body: createReadStream(localPath) },
          partSize: MULTIPART_PART_SIZE,
          queueSize: MULTIPART_QUEUE_SIZE,
          leavePartsOnError: false,
        });
        await upload.done();
      }
    } catch (e) {
      throw this.fail(st.size <= MULTIPART_THRESHOLD ? 'PutObject' : 'multipart upload', key, e);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const Key = this.fullKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (res.Body === undefined) return new Uint8Array(0);
      return await res.Body.transformToByteArray();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw this.fail('GetObject', key, e);
    }
  }

  async getFile(key: string, localPath: string): Promise<boolean> {
    const Key = this.fullKey(key);
    let body: Readable;
    let expected: number | undefined;
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (res.Body instanceof Readable) body = res.Body;
      else if (res.Body === undefined) body = Readable.from([]);
      else throw new ObjectStoreError(`GetObject ${this.where(key)}: response body is not a Node.js stream`);
      expected = res.ContentLength;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw this.fail('GetObject', key, e);
    }
    try {
      await writeAtomic(localPath, async (tmp) => {
        await pipeline(body, createWriteStream(tmp));
        const size = (await fs.stat(tmp)).size;
        if (expected !== undefined && size !== expected) {
          throw new ObjectStoreError(`GetObject ${this.where(key)}: received ${size} bytes, expected ${expected}`);
        }
        await fsyncPath(tmp);
      });
    } catch (e) {
      body.destroy();
      throw e instanceof ObjectStoreError ? e : this.fail('GetObject (download)', key, e);
    }
    return true;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.fullKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { key, size: res.ContentLength ?? 0, modifiedAt: res.LastModified ?? new Date(0) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw this.fail('HeadObject', key, e);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    checkKey(prefix, { allowEmpty: true, allowTrailingSlash: true });
    const root = this.prefix ? `${this.prefix}/` : '';
    const Prefix = root + prefix;
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    let startAfter: string | undefined;
    for (;;) {
      let res;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken: token, StartAfter: startAfter }),
        );
      } catch (e) {
        throw this.fail('ListObjectsV2', prefix, e);
      }
      let last: string | undefined;
      for (const o of res.Contents ?? []) {
        if (o.Key === undefined) continue;
        last = o.Key;
        // Directory markers ("a/b/") some servers and tools create are not objects of this store.
        if (!o.Key.startsWith(root) || o.Key.endsWith('/')) continue;
        out.push({ key: o.Key.slice(root.length), size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) });
      }
      if (!res.IsTruncated) break;
      if (res.NextContinuationToken) {
        token = res.NextContinuationToken;
        startAfter = undefined;
      } else if (last !== undefined) {
        // A server that truncates without a token: continue after the last key seen.
        token = undefined;
        startAfter = last;
      } else {
        throw new ObjectStoreError(`ListObjectsV2 ${this.where(prefix)}: truncated listing without a continuation token`);
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: readonly string[]): Promise<void> {
    const full = keys.map((k) => this.fullKey(k));
    for (let i = 0; i < full.length; i += DELETE_BATCH) {
      const batch = [...new Set(full.slice(i, i + DELETE_BATCH))];
      let res;
      try {
        res = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        );
      } catch (e) {
        throw this.fail('DeleteObjects', batch.length === 1 ? keys[i]! : `${batch.length} keys`, e);
      }
      const errors = (res.Errors ?? []).filter((err) => err.Code !== 'NoSuchKey');
      if (errors.length > 0) {
        const first = errors[0]!;
        throw new ObjectStoreError(
          `DeleteObjects in ${this.url} failed for ${errors.length} key(s), first ${JSON.stringify(first.Key)}: ${first.Code ?? 'error'} ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }

  /** Create the bucket unless it exists (for tests, the demo and first-time setup). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (e) {
      if (!isBucketMissing(e)) throw this.fail('HeadBucket', '', e);
    }
    const region = await this.client.config.region();
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          ...(region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
        }),
      );
    } catch (e) {
      if (e instanceof Error && (e.name === 'BucketAlreadyOwnedByYou' || e.name === 'BucketAlreadyExists')) return;
      throw this.fail('CreateBucket', '', e);
    }
  }

  /** Close the client's connections. */
  destroy(): void {
    this.client.destroy();
  }

  private fail(op: string, key: string, e: unknown): ObjectStoreError {
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const target = key === '' ? this.url : this.where(key);
    return new ObjectStoreError(`S3 ${op} ${target} failed: ${why}`, { cause: e });
  }
}

/** Create the store's bucket unless it exists. */
export async function ensureBucket(store: S3ObjectStore): Promise<void> {
  await store.ensureBucket();
}

/**
 * "This object does not exist": NoSuchKey (GET), NotFound (HEAD, no body), or another 404. A missing
 * bucket is a configuration problem, not a missing object, and is reported as an error.
 */
function isNotFound(e: unknown): boolean {
  if (!(e instanceof Error) || e.name === 'NoSuchBucket') return false;
  if (e.name === 'NoSuchKey' || e.name === 'NotFound') return true;
  return e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404;
}

function isBucketMissing(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'NoSuchBucket' || e.name === 'NotFound') return true;
  return e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404;
}
