/**
 * The state-changing operations CLI commands run on a data dir (ingest a batch, publish), done
 * the same way whether or not a server runs there: through the running server's HTTP API when
 * one does (so the data dir never has two writers), directly otherwise.
 */
import type { RunlakeConfig } from '../config/config.ts';
import { IngestService, type BatchResult } from '../ingest/ingest-service.ts';
import type { DocumentKind } from '../ingest/validate.ts';
import { openObjectStore } from '../lake/open-store.ts';
import { S3ObjectStore, ensureBucket } from '../lake/s3-store.ts';
import { RunlakeError, type ErrorCode } from '../util/errors.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import { openLocalAdmin } from './admin-client.ts';
import { LakeRuntime } from './lake-runtime.ts';
import { readServerInfo } from './server-info.ts';
import { StagingStore } from '../ingest/staging-store.ts';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

export interface PublishSummary {
  published: boolean;
  version?: number;
  months?: string[];
  files?: number;
  rows?: number;
}

export interface WriteOps {
  readonly remote: boolean;
  ingest(org: string, kind: DocumentKind, records: readonly unknown[]): Promise<BatchResult>;
  publish(org: string): Promise<PublishSummary>;
  close(): Promise<void>;
}

const PATHS: Record<DocumentKind, string> = { process: 'processes', member: 'members', member_login: 'member-logins' };

export async function openWriteOps(config: RunlakeConfig, log: Logger = silentLogger): Promise<WriteOps> {
  const info = readServerInfo(config.dataDir);
  if (info) {
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${info.httpUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${info.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) {
        const errors = Array.isArray(json.errors) ? `\n${(json.errors as { pointer: string; message: string }[]).slice(0, 20).map((e) => `  ${e.pointer}: ${e.message}`).join('\n')}` : '';
        throw new RunlakeError((json.title as ErrorCode) ?? 'internal', `${String(json.detail ?? res.statusText)}${errors}`, json);
      }
      return json as T;
    };
    return {
      remote: true,
      ingest: (org, kind, records) => call<BatchResult>('POST', `/ingest/v1/orgs/${encodeURIComponent(org)}/${PATHS[kind]}`, records),
      publish: (org) => call<PublishSummary>('POST', `/admin/v1/orgs/${encodeURIComponent(org)}/publish`),
      close: async () => {},
    };
  }
  const control = await openLocalAdmin(config);
  const store = openObjectStore(config.lake);
  if (store instanceof S3ObjectStore) await ensureBucket(store);
  const runtime = await LakeRuntime.open({ config, store, log });
  const ingest = new IngestService({ getOrg: (name) => control.store.getOrg(name) }, runtime);
  return {
    remote: false,
    ingest: (org, kind, records) => ingest.ingest(org, kind, records),
    publish: async (org) => {
      if (!(await control.store.getOrg(org))) throw new RunlakeError('not_found', `organization "${org}" does not exist; \`runlake org list\` shows the organizations`);
      const r = await runtime.publish(org);
      return r ? { published: true, version: r.version, months: r.months, files: r.filesWritten, rows: r.rowsWritten } : { published: false };
    },
    close: async () => {
      await runtime.close();
      await control.close();
    },
  };
}

/**
 * Opens an organization's staging store for reading (exports). Reading is safe beside a running
 * server: SQLite readers never block its writer.
 */
export function openStagingForRead(config: RunlakeConfig, org: string): StagingStore {
  const path = join(config.dataDir, 'staging', `${org}.db`);
  if (!existsSync(path)) throw new RunlakeError('not_found', `organization "${org}" has no data in ${config.dataDir}; check --data-dir and \`runlake org list\``);
  return StagingStore.open(path);
}
