/**
 * A real `runlake serve` for Athena API tests, and AWS SDK v3 clients for it: organizations with
 * access keys (created before the server starts), a few published processes each, the Athena
 * endpoint read from the server's banner, and the generated certificate trusted by the clients
 * (an https.Agent with it as CA; no verification is turned off).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  type QueryExecution,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { openLocalAdmin } from '../../src/app/admin-client.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { CreateOrgInput } from '../../src/control/admin.ts';
import { processDoc } from '../support/docs.ts';
import { startServe, type ServerProcess } from '../support/server.ts';

export const REGION = 'us-east-1';

export interface Key {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AthenaStack {
  dataDir: string;
  server: ServerProcess;
  endpoint: string;
  ca: string;
  keys: Record<string, Key>;
  athena(org: string, opts?: { key?: Key; region?: string; maxAttempts?: number; systemClockOffset?: number }): AthenaClient;
  s3(org: string, opts?: { key?: Key }): S3Client;
  stop(): Promise<void>;
}

export interface StackOrg extends CreateOrgInput {
  /** Leave analytics disabled (no data is ingested). */
  disabled?: boolean;
}

/** `env`: extra environment of the `runlake serve` child (e.g. RUNLAKE_ATHENA_DEBUG). */
export async function startAthenaStack(orgs: StackOrg[], opts: { env?: Record<string, string> } = {}): Promise<AthenaStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'runlake-athena-'));
  const control = await openLocalAdmin(loadConfig({ dataDir }, {}));
  const keys: Record<string, Key> = {};
  for (const o of orgs) {
    const { disabled, ...input } = o;
    await control.admin.createOrg(input);
    keys[o.name] = await control.admin.createAccessKey(o.name, 'athena tests');
    if (disabled) await control.admin.setAnalyticsEnabled(o.name, false);
  }
  const ingestToken = (await control.admin.createIngestToken('*')).token;
  await control.close();

  const server = await startServe(dataDir, [], opts.env ?? {});
  // server.json (what startServe waits for) is written before the banner reaches our pipe.
  let endpoint: string | undefined;
  for (let i = 0; i < 200 && !(endpoint = /Athena API: +(https:\/\/\S+)/.exec(server.output())?.[1]); i++) await sleep(50);
  if (!endpoint) throw new Error(`the server did not report its Athena endpoint:\n${server.output()}`);
  for (const o of orgs) {
    if (o.disabled) continue;
    const docs = [1, 2, 3].map((i) => processDoc(`${o.name}-${i}`, { name: `${o.name} process ${i}` }));
    const r = await fetch(`${server.info.httpUrl}/ingest/v1/orgs/${o.name}/processes`, {
      method: 'POST', headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' }, body: JSON.stringify(docs),
    });
    if (!r.ok) throw new Error(`ingest failed: ${r.status} ${await r.text()}`);
    const p = await fetch(`${server.info.httpUrl}/admin/v1/orgs/${o.name}/publish`, { method: 'POST', headers: { authorization: `Bearer ${server.info.adminToken}` } });
    if (!p.ok) throw new Error(`publish failed: ${p.status} ${await p.text()}`);
  }

  const ca = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
  const agent = new Agent({ ca, keepAlive: true });
  const clients: { destroy(): void }[] = [];
  const track = <T extends { destroy(): void }>(c: T): T => {
    clients.push(c);
    return c;
  };
  return {
    dataDir, server, endpoint, ca, keys,
    athena: (org, opts = {}) =>
      track(
        new AthenaClient({
          region: opts.region ?? REGION,
          endpoint,
          credentials: opts.key ?? keys[org]!,
          requestHandler: { httpsAgent: agent },
          ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
          ...(opts.systemClockOffset !== undefined ? { systemClockOffset: opts.systemClockOffset } : {}),
        }),
      ),
    s3: (org, opts = {}) =>
      track(new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials: opts.key ?? keys[org]!, requestHandler: { httpsAgent: agent } })),
    async stop() {
      for (const c of clients) c.destroy();
      agent.destroy();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Polls GetQueryExecution until the execution has a final state (as clients do); no time limit beyond the test's. */
export async function waitForExecution(client: AthenaClient, id: string, until: (e: QueryExecution) => boolean = (e) => FINAL.has(e.Status?.State ?? '')): Promise<QueryExecution> {
  for (;;) {
    const e = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!;
    if (until(e)) return e;
    await sleep(50);
  }
}

/** Starts a query (with the organization's output location unless given) and waits for its final state. */
export async function runQuery(client: AthenaClient, org: string, input: Partial<StartQueryExecutionCommandInput> & { QueryString: string }): Promise<QueryExecution> {
  const { QueryExecutionId } = await client.send(
    new StartQueryExecutionCommand({
      QueryExecutionContext: { Database: org, Catalog: 'AwsDataCatalog' },
      ResultConfiguration: { OutputLocation: `s3://runlake-results/${org}/` },
      ...input,
    }),
  );
  return waitForExecution(client, QueryExecutionId!);
}

/** `s3://bucket/key` → { Bucket, Key }. */
export function s3Location(uri: string): { Bucket: string; Key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not an s3 URI: ${uri}`);
  return { Bucket: m[1]!, Key: m[2]! };
}
