/**
 * The catalog operations: ListDataCatalogs, GetDataCatalog, ListDatabases, GetDatabase,
 * ListTableMetadata (with its Expression filter) and GetTableMetadata, over the caller's
 * organization only (catalog-metadata.ts).
 */
import { CATALOG_NAME, checkCatalog, type TableMetadata } from '../catalog-metadata.ts';
import { TOKEN, WORK_GROUP_NAME, type Input } from '../validate.ts';
import { page, resolveWorkGroup, type OperationDef } from './context.ts';

const CATALOG_SUMMARY = { CatalogName: CATALOG_NAME, Type: 'GLUE' };

function catalogName(input: Input, member: string): string {
  const name = input.string(member, { required: true, min: 1, max: 256 });
  checkCatalog(name);
  return name;
}

function workGroupOf(ctx: Parameters<OperationDef['run']>[0], input: Input): void {
  resolveWorkGroup(input.string('WorkGroup', { pattern: WORK_GROUP_NAME }), ctx.caller.org);
}

const listDataCatalogs: OperationDef = {
  cls: 'metadata',
  async run(ctx, input) {
    const max = input.integer('MaxResults', { min: 2, max: 50 }) ?? 50;
    workGroupOf(ctx, input);
    const p = page(ctx, 'catalogs', [CATALOG_SUMMARY], max, input.string('NextToken', TOKEN));
    return { DataCatalogsSummary: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  },
};

const getDataCatalog: OperationDef = {
  cls: 'metadata',
  async run(ctx, input) {
    catalogName(input, 'Name');
    workGroupOf(ctx, input);
    return {
      DataCatalog: {
        Name: CATALOG_NAME,
        Description: `Organization ${ctx.caller.org.name}'s workflow data (Glue-compatible catalog served by Runlake)`,
        Type: 'GLUE',
        Parameters: { 'catalog-id': ctx.caller.org.name },
      },
    };
  },
};

const listDatabases: OperationDef = {
  cls: 'metadata',
  async run(ctx, input) {
    catalogName(input, 'CatalogName');
    const max = input.integer('MaxResults', { min: 1, max: 50 }) ?? 50;
    workGroupOf(ctx, input);
    const p = page(ctx, 'databases', ctx.deps.catalog.databases(ctx.caller.org), max, input.string('NextToken', TOKEN));
    return { DatabaseList: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  },
};

const getDatabase: OperationDef = {
  cls: 'metadata',
  async run(ctx, input) {
    catalogName(input, 'CatalogName');
    const name = input.string('DatabaseName', { required: true, min: 1, max: 128 });
    workGroupOf(ctx, input);
    const kind = ctx.deps.catalog.database(ctx.caller.org, name);
    const [org, scratch] = ctx.deps.catalog.databases(ctx.caller.org);
    return { Database: kind === 'org' ? org : scratch };
  },
};

/** ListTableMetadata's Expression: a regular expression matched against the whole name, case-insensitively; `*` alone means all. */
function nameFilter(expression: string | undefined): (name: string) => boolean {
  if (expression === undefined || expression === '' || expression === '*') return () => true;
  try {
    const re = new RegExp(`^(?:${expression})$`, 'i');
    return (name) => re.test(name);
  } catch {
    // A Hive-style pattern ('*' any text, '|' alternatives), as SHOW TABLES takes.
    const alternatives = expression.split('|').map((a) => a.trim().replace(/[.+?^${}()[\]\\]/g, '\\$&').replaceAll('*', '.*'));
    const re = new RegExp(`^(?:${alternatives.join('|')})$`, 'i');
    return (name) => re.test(name);
  }
}

const listTableMetadata: OperationDef = {
  cls: 'metadata',
  async run(ctx, input) {
    catalogName(input, 'CatalogName');
    const database = input.string('DatabaseName', { required: true, min: 1, max: 128 });
    const expression = input.string('Expression', { min: 0, max: 256 });
    const max = input.integer('MaxResults', { min: 1, max: 50 }) ?? 50;
    const token = input.string('NextToken', TOKEN);
    workGroupOf(ctx, input);
    const kind = ctx.deps.catalog.database(ctx.caller.org, database);
    const matches = nameFilter(expression);
    const tables: TableMetadata[] = (await ctx.deps.catalog.tables(ctx.caller.principal, ctx.caller.org, kind)).filter((t) => matches(t.Name));
    const p = page(ctx, `tables/${kind}/${expression ?? ''}`, tables, max, token);
    return { TableMetadataList: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  },
};

const getTableMetadata: OperationDef = {
  cls: 'metadata',
  async run(ctx, input) {
    catalogName(input, 'CatalogName');
    const database = input.string('DatabaseName', { required: true, min: 1, max: 128 });
    const table = input.string('TableName', { required: true, min: 1, max: 128 });
    workGroupOf(ctx, input);
    const kind = ctx.deps.catalog.database(ctx.caller.org, database);
    return { TableMetadata: await ctx.deps.catalog.table(ctx.caller.principal, ctx.caller.org, kind, table) };
  },
};

export const CATALOG_OPERATIONS: Record<string, OperationDef> = {
  ListDataCatalogs: listDataCatalogs,
  GetDataCatalog: getDataCatalog,
  ListDatabases: listDatabases,
  GetDatabase: getDatabase,
  ListTableMetadata: listTableMetadata,
  GetTableMetadata: getTableMetadata,
};
