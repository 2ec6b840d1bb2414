/**
 * A tiny router over node:http. Routes are `METHOD /path/:param/...`; handlers throw RunlakeError
 * for anything a client caused, and the router answers it as problem JSON (RFC 9457). Any other
 * error becomes a bare 500 with no message, stack or path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RunlakeError, isRunlakeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';

export type Params = Record<string, string>;
export type Handler = (req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly log: Logger) {}

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** The node:http request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void this.dispatch(req, res);
  };

  async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segs = url.pathname.split('/').filter(Boolean).map(safeDecode);
    let pathMatched = false;
    try {
      for (const r of this.routes) {
        const params = match(r.parts, segs);
        if (!params) continue;
        pathMatched = true;
        if (r.method !== req.method) continue;
        await r.handler(req, res, params, url);
        return;
      }
      if (pathMatched) throw new RunlakeError('bad_request', `method ${req.method} is not allowed on ${url.pathname}`);
      throw new RunlakeError('not_found', `no such endpoint: ${req.method} ${url.pathname}`);
    } catch (e) {
      if (!isRunlakeError(e)) this.log.error('request failed', { method: req.method, path: url.pathname, error: String(e) });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, e);
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function match(parts: string[], segs: string[]): Params | undefined {
  if (parts.length !== segs.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = segs[i]!;
    else if (p !== segs[i]) return undefined;
  }
  return params;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Problem JSON for a RunlakeError; a bare 500 for anything else. */
export function sendError(res: ServerResponse, e: unknown): void {
  const err = isRunlakeError(e) ? e : new RunlakeError('internal', 'internal error');
  const body = { type: `urn:runlake:error:${err.code}`, title: err.code, status: err.httpStatus, detail: err.message, ...(err.details ?? {}) };
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': 'application/problem+json; charset=utf-8', 'content-length': Buffer.byteLength(text) };
  if (err.httpStatus === 401) headers['www-authenticate'] = 'Bearer realm="runlake"';
  res.writeHead(err.httpStatus, headers);
  res.end(text);
}

/** Reads the whole body, refusing more than `limit` bytes with 413 (checked while reading). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): RunlakeError {
  return new RunlakeError('payload_too_large', `request body is larger than the limit of ${limit} bytes; split the batch into smaller ones`);
}

/** The bearer token of a request, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1] : undefined;
}
