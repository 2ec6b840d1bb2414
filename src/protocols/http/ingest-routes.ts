/**
 * The ingest HTTP API:
 *   POST   /ingest/v1/orgs/{org}/processes        JSON array or NDJSON of process snapshots
 *   POST   /ingest/v1/orgs/{org}/members          member snapshots
 *   POST   /ingest/v1/orgs/{org}/member-logins    login events
 *   DELETE /ingest/v1/orgs/{org}/processes/{id}   tombstone (?deleted_at=ISO, default now)
 * Authorization: `Bearer <ingest token>`. A 2xx means the batch is durably stored.
 */
import type { IncomingMessage } from 'node:http';
import { RunlakeError } from '../../util/errors.ts';
import type { IngestService } from '../../ingest/ingest-service.ts';
import type { DocumentKind } from '../../ingest/validate.ts';
import { bearerToken, readBody, sendJson, type Router } from './router.ts';

export interface IngestTokenVerifier {
  /** The organization the token may ingest into (`*` for any), or undefined for an unknown token. */
  verifyIngestToken(token: string): Promise<{ org: string } | undefined>;
}

export function addIngestRoutes(router: Router, ingest: IngestService, tokens: IngestTokenVerifier, maxBodyBytes: number): void {
  const authorize = async (req: IncomingMessage, org: string): Promise<void> => {
    const token = bearerToken(req);
    if (!token) throw new RunlakeError('unauthenticated', 'missing ingest token: send "Authorization: Bearer <token>" (the token is in connection.json under ingest.token)');
    const grant = await tokens.verifyIngestToken(token);
    if (!grant) throw new RunlakeError('unauthenticated', 'the ingest token is not valid (unknown or revoked)');
    if (grant.org !== '*' && grant.org !== org) throw new RunlakeError('forbidden', `this ingest token is not valid for organization "${org}"`);
  };
  const post = (path: string, kind: DocumentKind) =>
    router.add('POST', `/ingest/v1/orgs/:org/${path}`, async (req, res, p) => {
      await authorize(req, p.org!);
      await ingest.checkOrg(p.org!);
      const body = await readBody(req, maxBodyBytes);
      sendJson(res, 200, await ingest.ingestBody(p.org!, kind, body, req.headers['content-type']));
    });
  post('processes', 'process');
  post('members', 'member');
  post('member-logins', 'member_login');
  router.add('DELETE', '/ingest/v1/orgs/:org/processes/:id', async (req, res, p, url) => {
    await authorize(req, p.org!);
    sendJson(res, 200, await ingest.deleteProcess(p.org!, p.id!, url.searchParams.get('deleted_at') ?? undefined));
  });
}
