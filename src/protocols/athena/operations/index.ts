/** Every operation of the Athena API Runlake serves, by its X-Amz-Target name (`AmazonAthena.<name>`). */
import { CATALOG_OPERATIONS } from './catalog.ts';
import type { OperationDef } from './context.ts';
import { QUERY_OPERATIONS } from './queries.ts';
import { WORKGROUP_OPERATIONS } from './workgroups.ts';

export const OPERATIONS: Readonly<Record<string, OperationDef>> = Object.freeze({
  ...QUERY_OPERATIONS,
  ...CATALOG_OPERATIONS,
  ...WORKGROUP_OPERATIONS,
});

export type { ApiDeps, OperationDef, RequestContext } from './context.ts';
