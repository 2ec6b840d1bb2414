/**
 * The Glue-style catalog an organization's access key sees through Athena's metadata operations:
 * one catalog (`AwsDataCatalog`, matched case-insensitively), two databases — the organization's
 * own (its tables, analytic views, query_history, from the schema in code) and the scratch schema
 * (Looker PDTs, from the engine) — and their tables with Hive column types. Process-scoped tables
 * are partitioned by `started_month`, as their Parquet files are.
 *
 * Invariant: nothing here reveals another organization or a storage path; an unknown database is
 * answered exactly like another organization's.
 */
import type { Organization } from '../../control/control-store.ts';
import { analyticViews } from '../../catalog/analytic-views.ts';
import { orgRelations } from '../../catalog/relations.ts';
import { TABLES } from '../../schema/index.ts';
import type { QueryService } from '../../service/query-service.ts';
import type { Principal } from '../../service/types.ts';
import { invalidRequest, metadataError } from './errors.ts';
import { hiveType } from './hive-types.ts';

export const CATALOG_NAME = 'AwsDataCatalog';

export interface GlueColumn {
  Name: string;
  Type: string;
  Comment?: string;
}

export interface TableMetadata {
  Name: string;
  CreateTime?: number;
  TableType: 'EXTERNAL_TABLE' | 'VIRTUAL_VIEW';
  Columns: GlueColumn[];
  PartitionKeys: GlueColumn[];
  Parameters: Record<string, string>;
}

const PARQUET_PARAMETERS = {
  EXTERNAL: 'TRUE',
  classification: 'parquet',
  inputformat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputformat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  'serde.serialization.lib': 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
};

/** The partition column of process-scoped tables. */
const PARTITION_COLUMN = 'started_month';
const PARTITIONED: ReadonlySet<string> = new Set(TABLES.filter((t) => t.scope === 'process').map((t) => t.name));

export function checkCatalog(name: string | undefined): void {
  if (name !== undefined && name.toLowerCase() !== CATALOG_NAME.toLowerCase()) {
    throw invalidRequest(`Catalog ${name} was not found: this endpoint has one catalog, ${CATALOG_NAME}`);
  }
}

export type DatabaseKind = 'org' | 'scratch';

/**
 * A missing database or table, as Athena reports it: a MetadataException wrapping Glue's
 * EntityNotFoundException in the AWS SDK's error envelope. Clients parse that envelope:
 * PyAthena's SQLAlchemy `has_table`/inspector turns exactly this into "no such table".
 */
function entityNotFound(message: string) {
  return metadataError(`${message} (Service: AmazonDataCatalog; Status Code: 400; Error Code: EntityNotFoundException; Proxy: null)`);
}

export class OrgCatalog {
  constructor(
    private readonly service: QueryService,
    private readonly scratchSchema: string,
  ) {}

  databases(org: Organization): { Name: string; Description: string; Parameters: Record<string, string> }[] {
    return [
      { Name: org.database, Description: `Workflow data of organization ${org.name}`, Parameters: {} },
      { Name: this.scratchSchema, Description: 'Scratch tables and views (Looker persistent derived tables)', Parameters: {} },
    ];
  }

  /** Which of the organization's databases a name means; MetadataException otherwise. */
  database(org: Organization, name: string): DatabaseKind {
    const n = name.toLowerCase();
    if (n === org.database) return 'org';
    if (n === this.scratchSchema) return 'scratch';
    throw entityNotFound(`Database ${name} not found. This access key can see the databases ${org.database} and ${this.scratchSchema} of catalog ${CATALOG_NAME}`);
  }

  async tables(principal: Principal, org: Organization, db: DatabaseKind): Promise<TableMetadata[]> {
    if (db === 'org') return this.orgTables(org);
    return (await this.service.scratchRelations(principal)).map((r): TableMetadata => ({
      Name: r.name,
      TableType: r.kind === 'view' ? 'VIRTUAL_VIEW' : 'EXTERNAL_TABLE',
      Columns: r.columns.map((c) => ({ Name: c.name, Type: hiveType(c.type) })),
      PartitionKeys: [],
      Parameters: r.kind === 'view' ? { presto_view: 'true' } : { ...PARQUET_PARAMETERS },
    }));
  }

  /** One table, or MetadataException naming what exists. */
  async table(principal: Principal, org: Organization, db: DatabaseKind, name: string): Promise<TableMetadata> {
    const t = (await this.tables(principal, org, db)).find((x) => x.Name === name.toLowerCase());
    if (!t) throw entityNotFound(`Table ${name} not found in database ${db === 'org' ? org.database : this.scratchSchema}`);
    return t;
  }

  /** Column comments and partition keys of a relation of the organization's database (DESCRIBE). */
  describeHints(org: Organization, name: string): { partitionKeys: string[]; comments: Map<string, string> } | undefined {
    const t = this.orgTables(org).find((x) => x.Name === name.toLowerCase());
    if (!t) return undefined;
    const comments = new Map<string, string>();
    for (const c of [...t.Columns, ...t.PartitionKeys]) if (c.Comment) comments.set(c.Name, c.Comment);
    return { partitionKeys: t.PartitionKeys.map((c) => c.Name), comments };
  }

  private orgTables(org: Organization): TableMetadata[] {
    const created = Date.parse(org.createdAt) / 1000;
    return orgRelations(analyticViews({ timezone: org.timezone })).map((r): TableMetadata => {
      const columns = r.columns.map((c) => ({ Name: c.name, Type: hiveType(c.type), ...(c.doc ? { Comment: c.doc } : {}) }));
      const partitioned = r.kind === 'table' && PARTITIONED.has(r.name);
      return {
        Name: r.name,
        ...(Number.isFinite(created) ? { CreateTime: created } : {}),
        TableType: r.kind === 'view' ? 'VIRTUAL_VIEW' : 'EXTERNAL_TABLE',
        Columns: partitioned ? columns.filter((c) => c.Name !== PARTITION_COLUMN) : columns,
        PartitionKeys: partitioned ? columns.filter((c) => c.Name === PARTITION_COLUMN) : [],
        Parameters: r.kind === 'view' ? { presto_view: 'true', comment: r.doc } : { ...PARQUET_PARAMETERS, comment: r.doc },
      };
    });
  }
}
