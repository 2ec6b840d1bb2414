/**
 * What every operation gets: the authenticated caller (one organization), the execution registry,
 * the organization's catalog, and paging tokens. An operation is a function from the validated
 * request body to the response body, with the API class its rate is counted in.
 */
import type { Organization } from '../../../control/control-store.ts';
import type { OrgCatalog } from '../catalog-metadata.ts';
import { invalidRequest } from '../errors.ts';
import type { Caller, Executions } from '../executions.ts';
import type { PageTokens } from '../page-token.ts';
import type { ApiClass } from '../throttle.ts';
import type { Input } from '../validate.ts';

export interface ApiDeps {
  executions: Executions;
  catalog: OrgCatalog;
  tokens: PageTokens;
}

export interface RequestContext {
  caller: Caller;
  accessKeyId: string;
  deps: ApiDeps;
}

export interface OperationDef {
  /** The rate class the call is counted in (throttle.ts). */
  cls: ApiClass;
  run(ctx: RequestContext, input: Input): Promise<Record<string, unknown>>;
}

/** Names the organization's workgroup: its own name, or `primary` (the default every client sends). */
export function resolveWorkGroup(name: string | undefined, org: Organization): string {
  if (name === undefined || name === org.name || name === 'primary') return org.name;
  throw invalidRequest(`WorkGroup is not found. This access key's workgroup is ${org.name} (organization ${org.name}); "primary" names it too`);
}

/** One page of a small list, with a token holding the next index. */
export function page<T>(ctx: RequestContext, scope: string, items: readonly T[], max: number, token: string | undefined): { items: T[]; next?: string } {
  const fullScope = `${scope}/${ctx.caller.org.name}`;
  const start = token === undefined ? 0 : Number(ctx.deps.tokens.read(fullScope, token).i);
  const slice = items.slice(start, start + max);
  const end = start + slice.length;
  return { items: slice, ...(end < items.length ? { next: ctx.deps.tokens.issue(fullScope, { i: end }) } : {}) };
}
