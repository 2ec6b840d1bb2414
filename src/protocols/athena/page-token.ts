/**
 * NextToken values: an opaque, tamper-evident position (`base64url(JSON).mac`). The MAC binds the
 * position to the operation, the organization and (for results) the execution, so a token cannot
 * be replayed elsewhere or edited into an arbitrary file offset. The key lives in memory: after a
 * restart old tokens are refused with a clear message and the client starts over.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidRequest } from './errors.ts';

export class PageTokens {
  private readonly key = randomBytes(32);

  issue(scope: string, position: Record<string, string | number>): string {
    const body = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${body}.${this.mac(scope, body)}`;
  }

  /** The position a token holds, or InvalidRequestException when it is not one this server issued for `scope`. */
  read(scope: string, token: string): Record<string, string | number> {
    const dot = token.lastIndexOf('.');
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.mac(scope, body));
    if (dot < 0 || mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
      throw invalidRequest('The NextToken is not valid for this request (it belongs to another request, or the server restarted since it was issued); start again without a NextToken');
    }
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, string | number>;
  }

  private mac(scope: string, body: string): string {
    return createHmac('sha256', this.key).update(scope).update('\u0000').update(body).digest('base64url').slice(0, 32);
  }
}
