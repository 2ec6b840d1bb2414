/**
 * One validated configuration, from (lowest to highest precedence) defaults, the config file
 * (`<data-dir>/runlake.json`, or `--config FILE`), environment variables, and command-line flags.
 * Every problem is reported at once. Secrets may be given as `{"env": "NAME"}` references.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export interface S3LakeConfig {
  kind: 's3';
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
}
export interface LocalLakeConfig {
  kind: 'local';
  root: string;
}
export type LakeConfig = S3LakeConfig | LocalLakeConfig;

export interface RunlakeConfig {
  dataDir: string;
  host: string;
  httpPort: number;
  httpsPort: number;
  pgPort: number;
  region: string;
  scratchSchema: string;
  lake: LakeConfig;
  /** How soon after a change the publisher runs (ms). */
  publishIntervalMs: number;
  /** How long an unreferenced snapshot's files are kept before garbage collection (ms). */
  gcGraceMs: number;
  /** Largest ingest request body (bytes). */
  ingestMaxBodyBytes: number;
  /** Hex or base64 32-byte key that encrypts stored secrets; generated into the data dir when absent. */
  masterKey?: string;
  /** Query engine: threads and memory limit of each organization's DuckDB, and how many stay open. */
  engine: { threads: number; memoryLimit: string; maxInstances: number };
  /** Days of query history kept. */
  historyRetentionDays: number;
  /**
   * Athena API debug logging: access key ids and organization (workgroup) names whose requests are
   * logged to `<data-dir>/logs/athena/` (`RUNLAKE_ATHENA_DEBUG=acme,AKIA…`; file: a list).
   */
  athenaDebug: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Flags as the CLI parsed them (all optional; strings as typed). */
export interface ConfigOverrides {
  config?: string;
  dataDir?: string;
  host?: string;
  httpPort?: string | number;
  httpsPort?: string | number;
  pgPort?: string | number;
  publishInterval?: string | number;
}

const DEFAULTS = {
  dataDir: './.runlake',
  host: '127.0.0.1',
  httpPort: 8080,
  httpsPort: 8443,
  pgPort: 5433,
  region: 'us-east-1',
  scratchSchema: 'looker_scratch',
  publishIntervalMs: 1000,
  gcGraceMs: 10 * 60 * 1000,
  ingestMaxBodyBytes: 64 * 1024 * 1024,
  engineThreads: 2,
  engineMemoryLimit: '2GB',
  engineMaxInstances: 16,
  historyRetentionDays: 400,
};

type Env = Record<string, string | undefined>;

export function loadConfig(flags: ConfigOverrides = {}, env: Env = process.env): RunlakeConfig {
  const problems: string[] = [];
  const dataDir = resolve(flags.dataDir ?? env.RUNLAKE_DATA_DIR ?? DEFAULTS.dataDir);
  const file = readConfigFile(flags.config ?? join(dataDir, 'runlake.json'), flags.config !== undefined, problems);
  const pick = (flag: unknown, envName: string, fileKey: string): unknown => flag ?? env[envName] ?? file[fileKey];

  const port = (name: string, v: unknown, dflt: number): number => {
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      problems.push(`${name} must be a port number from 0 to 65535 (0 picks a free port), got ${JSON.stringify(v)}`);
      return dflt;
    }
    return n;
  };
  const positive = (name: string, v: unknown, dflt: number): number => {
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) {
      problems.push(`${name} must be a positive number, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return n;
  };
  const str = (name: string, v: unknown, dflt: string): string => {
    if (v === undefined || v === '') return dflt;
    if (typeof v !== 'string') {
      problems.push(`${name} must be a string`);
      return dflt;
    }
    return v;
  };

  const cfg: RunlakeConfig = {
    dataDir,
    host: str('host', pick(flags.host, 'RUNLAKE_HOST', 'host'), DEFAULTS.host),
    httpPort: port('http port (RUNLAKE_HTTP_PORT, --http-port)', pick(flags.httpPort, 'RUNLAKE_HTTP_PORT', 'httpPort'), DEFAULTS.httpPort),
    httpsPort: port('https port (RUNLAKE_HTTPS_PORT, --https-port)', pick(flags.httpsPort, 'RUNLAKE_HTTPS_PORT', 'httpsPort'), DEFAULTS.httpsPort),
    pgPort: port('pgwire port (RUNLAKE_PG_PORT, --pg-port)', pick(flags.pgPort, 'RUNLAKE_PG_PORT', 'pgPort'), DEFAULTS.pgPort),
    region: str('region', pick(undefined, 'RUNLAKE_REGION', 'region'), DEFAULTS.region),
    scratchSchema: str('scratchSchema', pick(undefined, 'RUNLAKE_SCRATCH_SCHEMA', 'scratchSchema'), DEFAULTS.scratchSchema),
    lake: lakeConfig(file.lake, env, dataDir, problems),
    publishIntervalMs: positive('publish interval ms (RUNLAKE_PUBLISH_INTERVAL_MS, --publish-interval)', pick(flags.publishInterval, 'RUNLAKE_PUBLISH_INTERVAL_MS', 'publishIntervalMs'), DEFAULTS.publishIntervalMs),
    gcGraceMs: positive('gcGraceMs (RUNLAKE_GC_GRACE_MS)', pick(undefined, 'RUNLAKE_GC_GRACE_MS', 'gcGraceMs'), DEFAULTS.gcGraceMs),
    ingestMaxBodyBytes: positive('ingestMaxBodyBytes (RUNLAKE_INGEST_MAX_BODY_BYTES)', pick(undefined, 'RUNLAKE_INGEST_MAX_BODY_BYTES', 'ingestMaxBodyBytes'), DEFAULTS.ingestMaxBodyBytes),
    engine: { threads: DEFAULTS.engineThreads, memoryLimit: DEFAULTS.engineMemoryLimit, maxInstances: DEFAULTS.engineMaxInstances },
    historyRetentionDays: positive('history retention days (RUNLAKE_HISTORY_RETENTION_DAYS)', pick(undefined, 'RUNLAKE_HISTORY_RETENTION_DAYS', 'historyRetentionDays'), DEFAULTS.historyRetentionDays),
    athenaDebug: nameList('athenaDebug (RUNLAKE_ATHENA_DEBUG)', pick(undefined, 'RUNLAKE_ATHENA_DEBUG', 'athenaDebug'), problems),
  };
  const memoryLimit = str('engine memory limit (RUNLAKE_ENGINE_MEMORY_LIMIT)', pick(undefined, 'RUNLAKE_ENGINE_MEMORY_LIMIT', 'engineMemoryLimit'), DEFAULTS.engineMemoryLimit);
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) problems.push(`engine memory limit must look like 2GB or 512MiB, got ${JSON.stringify(memoryLimit)}`);
  cfg.engine = {
    threads: positive('engine threads (RUNLAKE_ENGINE_THREADS)', pick(undefined, 'RUNLAKE_ENGINE_THREADS', 'engineThreads'), DEFAULTS.engineThreads),
    memoryLimit,
    maxInstances: positive('engine instances (RUNLAKE_ENGINE_MAX_INSTANCES)', pick(undefined, 'RUNLAKE_ENGINE_MAX_INSTANCES', 'engineMaxInstances'), DEFAULTS.engineMaxInstances),
  };
  const masterKey = secret('masterKey', pick(undefined, 'RUNLAKE_MASTER_KEY', 'masterKey'), env, problems);
  if (masterKey !== undefined) cfg.masterKey = masterKey;
  if (!/^[a-z_][a-z0-9_]*$/.test(cfg.scratchSchema)) problems.push(`scratchSchema must match [a-z_][a-z0-9_]*, got ${JSON.stringify(cfg.scratchSchema)}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return cfg;
}

/** A list of names: a JSON list of strings, or a string separated by commas or spaces. */
function nameList(name: string, v: unknown, problems: string[]): string[] {
  if (v === undefined || v === '') return [];
  const items = typeof v === 'string' ? v.split(/[\s,]+/) : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  if (!items) {
    problems.push(`${name} must be a list of access key ids or organization names (a JSON list, or separated by commas)`);
    return [];
  }
  return items.map((x) => x.trim()).filter((x) => x !== '');
}

function readConfigFile(path: string, mustExist: boolean, problems: string[]): Record<string, unknown> {
  if (!existsSync(path)) {
    if (mustExist) problems.push(`config file ${path} does not exist`);
    return {};
  }
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      problems.push(`config file ${path} must hold a JSON object`);
      return {};
    }
    return v as Record<string, unknown>;
  } catch (e) {
    problems.push(`config file ${path} is not valid JSON: ${(e as Error).message}`);
    return {};
  }
}

function secret(name: string, v: unknown, env: Env, problems: string[]): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'env' in v && typeof v.env === 'string') {
    const value = env[v.env];
    if (value === undefined || value === '') problems.push(`${name} refers to environment variable ${v.env}, which is not set`);
    return value;
  }
  problems.push(`${name} must be a string or {"env": "NAME"}`);
  return undefined;
}

/**
 * The lake store: local `<data-dir>/lake` unless the file's `lake` or the environment says S3
 * (`RUNLAKE_LAKE_URL=s3://bucket/prefix`, `RUNLAKE_S3_ENDPOINT`, `RUNLAKE_S3_REGION`,
 * `RUNLAKE_S3_FORCE_PATH_STYLE`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
 */
function lakeConfig(fileLake: unknown, env: Env, dataDir: string, problems: string[]): LakeConfig {
  const f = (typeof fileLake === 'object' && fileLake !== null ? fileLake : {}) as Record<string, unknown>;
  const url = env.RUNLAKE_LAKE_URL ?? (typeof f.url === 'string' ? f.url : undefined);
  if (url === undefined || url === '') return { kind: 'local', root: join(dataDir, 'lake') };
  if (url.startsWith('s3://')) {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!bucket) problems.push(`lake url ${url} names no bucket`);
    const c: S3LakeConfig = {
      kind: 's3',
      bucket,
      prefix,
      region: env.RUNLAKE_S3_REGION ?? (f.region as string | undefined) ?? env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: (env.RUNLAKE_S3_FORCE_PATH_STYLE ?? String(f.forcePathStyle ?? 'true')) !== 'false',
    };
    const endpoint = env.RUNLAKE_S3_ENDPOINT ?? (f.endpoint as string | undefined);
    if (endpoint) c.endpoint = endpoint;
    const ak = secret('lake.accessKeyId', f.accessKeyId, env, problems) ?? env.AWS_ACCESS_KEY_ID;
    const sk = secret('lake.secretAccessKey', f.secretAccessKey, env, problems) ?? env.AWS_SECRET_ACCESS_KEY;
    if (ak) c.accessKeyId = ak;
    if (sk) c.secretAccessKey = sk;
    return c;
  }
  if (url.startsWith('file://') || isAbsolute(url)) return { kind: 'local', root: url.replace(/^file:\/\//, '') };
  problems.push(`lake url must be s3://bucket/prefix, file:///path or an absolute path, got ${JSON.stringify(url)}`);
  return { kind: 'local', root: join(dataDir, 'lake') };
}
