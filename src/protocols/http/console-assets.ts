/**
 * Serves the built console: `GET /` is its page, `GET /assets/:name` its content-hashed scripts,
 * styles and icons. The bundle is built by src/web (injected as `bundle`, built once on first use),
 * so nothing is fetched from anywhere else at run time.
 *
 * Invariants: the page is never cached (it names the current asset hashes) and carries a
 * Content-Security-Policy allowing scripts, styles, fonts and images from this origin only
 * (inline styles allowed for the chart and editor libraries; inline scripts never); assets are
 * immutable under their hashed names. A failed build answers 503 with a clear message and is
 * retried on the next request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RunlakeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import { CONSOLE_HEADERS } from './console-http.ts';
import type { Router } from './router.ts';

export interface StaticAsset {
  contentType: string;
  body: Buffer;
  /** A strong validator of the body (its hash). */
  etag: string;
  /** The body gzip-compressed, when worth it. */
  gzip?: Buffer;
}

/** The console as built: its page and its assets by file name. */
export interface ConsoleBundle {
  page: StaticAsset;
  assets: ReadonlyMap<string, StaticAsset>;
}

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function addConsoleAssetRoutes(router: Router, bundle: () => Promise<ConsoleBundle>, log: Logger): void {
  const built = async (): Promise<ConsoleBundle> => {
    try {
      return await bundle();
    } catch (e) {
      log.error('building the web console failed', { error: String(e) });
      throw new RunlakeError('unavailable', 'the web console could not be built on this server; see the server log, then reload');
    }
  };

  router.add('GET', '/', async (req, res) => {
    const b = await built();
    send(req, res, b.page, { 'cache-control': 'no-cache', 'content-security-policy': CONSOLE_CSP });
  });

  router.add('GET', '/assets/:name', async (req, res, params) => {
    const b = await built();
    const a = b.assets.get(params.name!);
    if (!a) throw new RunlakeError('not_found', `no console asset named ${JSON.stringify(params.name!.slice(0, 100))}; reload the console`);
    send(req, res, a, { 'cache-control': 'public, max-age=31536000, immutable' });
  });
}

function send(req: IncomingMessage, res: ServerResponse, a: StaticAsset, headers: Record<string, string>): void {
  const common = { ...CONSOLE_HEADERS, etag: a.etag, vary: 'accept-encoding', ...headers };
  if (req.headers['if-none-match'] === a.etag) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const gzip = a.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) ? a.gzip : undefined;
  const body = gzip ?? a.body;
  res.writeHead(200, { ...common, 'content-type': a.contentType, 'content-length': body.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
  res.end(body);
}
