/**
 * One Looker view per relation: a typed dimension per column (string, number, yes/no; a
 * dimension_group of timeframes per timestamp; lists as comma-separated text), the primary key
 * (a hidden compound key when the relation's key has several columns), the derived yes/no
 * dimensions and measures of measures.ts, and a drill set.
 *
 * Invariants: every column becomes exactly one field or field group; field names are unique
 * within a view, timeframe fields included (checked, so Looker never sees a duplicate);
 * `organization_id` is hidden (a database holds one organization).
 */
import type { ColumnType } from '../../schema/types.ts';
import { PARTITION_COLUMN } from '../../schema/types.ts';
import type { BiColumn, BiRelation } from '../relations.ts';
import type { LookmlDialect } from './dialect.ts';
import { block, list, raw, sql, str, yes, type LkNode } from './lkml.ts';
import { RELATION_EXTRAS, type MeasureDef } from './measures.ts';

/** Timeframes of every timestamp's dimension_group. */
export const TIMEFRAMES = ['raw', 'time', 'date', 'week', 'month', 'quarter', 'year'] as const;

/** The name of a column's field (its dimension_group name for timestamps). */
export function fieldName(c: BiColumn): string {
  if (c.name === PARTITION_COLUMN) return 'started_month_partition';
  if (c.type === 'timestamp') return c.name.endsWith('_at') ? c.name.slice(0, -3) : c.name;
  return c.name;
}

/** The SQL of the compound key of `columns` (each cast to text, NULL as empty, joined by '|'). */
function compoundKeySql(columns: readonly BiColumn[]): string {
  return columns.map((c) => {
    const ref = `\${TABLE}.${c.name}`;
    const text = c.type === 'varchar' ? ref : `CAST(${ref} AS VARCHAR)`;
    return `COALESCE(${text}, '')`;
  }).join(" || '|' || ");
}

const titleCase = (s: string): string => s.split('_').map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w)).join(' ');

function format(name: string): string | undefined {
  if (/_rate$|^progress$/.test(name)) return 'percent_1';
  if (/_(hours|days|seconds)$/.test(name)) return 'decimal_1';
  return undefined;
}

type ColumnField = (c: BiColumn, o: { dialect: LookmlDialect; primaryKey: boolean }) => LkNode;

const common = (c: BiColumn, o: { primaryKey: boolean }): LkNode[] => [
  ...(o.primaryKey ? [yes('primary_key', true)] : []),
  ...(c.name === 'organization_id' ? [yes('hidden', true)] : []),
  str('description', c.doc),
];

const plain = (type: 'string' | 'number' | 'yesno'): ColumnField => (c, o) => {
  const fmt = type === 'number' ? format(c.name) : undefined;
  return block('dimension', fieldName(c), [
    raw('type', type),
    ...(c.name === PARTITION_COLUMN ? [str('label', 'Started Month (partition)')] : []),
    sql('sql', `\${TABLE}.${c.name}`),
    ...(fmt ? [raw('value_format_name', fmt)] : []),
    ...common(c, o),
  ]);
};

/** How each column type becomes a field; exhaustive, so a new type is a compile error here. */
const COLUMN_FIELD: Record<ColumnType, ColumnField> = {
  varchar: plain('string'),
  integer: plain('number'),
  bigint: plain('number'),
  double: plain('number'),
  boolean: plain('yesno'),
  timestamp: (c, o) => block('dimension_group', fieldName(c), [
    raw('type', 'time'),
    list('timeframes', TIMEFRAMES),
    raw('datatype', 'timestamp'),
    sql('sql', `\${TABLE}.${c.name}`),
    ...common(c, o),
  ]),
  'varchar[]': (c, o) => block('dimension', fieldName(c), [
    raw('type', 'string'),
    sql('sql', o.dialect.listToText(`\${TABLE}.${c.name}`)),
    ...common(c, o),
    str('group_label', 'Lists'),
  ]),
};

function measureNode(m: MeasureDef, drill: boolean): LkNode {
  return block('measure', m.name, [
    raw('type', m.type),
    ...(m.sql !== undefined ? [sql('sql', m.sql)] : []),
    ...(m.percentile !== undefined ? [raw('percentile', m.percentile)] : []),
    ...(m.filters ? [{ key: 'filters', text: `[${m.filters.map(([f, v]) => `${f}: ${JSON.stringify(v)}`).join(', ')}]` }] : []),
    ...(m.label ? [str('label', m.label)] : []),
    ...(m.format ? [raw('value_format_name', m.format)] : []),
    str('description', m.description),
    ...(drill && m.type === 'count' ? [list('drill_fields', ['detail*'])] : []),
  ]);
}

/** The field names a view defines (timeframes expanded), for uniqueness and reference checks. */
export function viewFieldNames(r: BiRelation): { dimensions: string[]; measures: string[] } {
  const extras = RELATION_EXTRAS[r.name];
  const dimensions: string[] = [];
  for (const c of r.columns) {
    if (c.type === 'timestamp') dimensions.push(...TIMEFRAMES.map((t) => `${fieldName(c)}_${t}`));
    else dimensions.push(fieldName(c));
  }
  if (r.primaryKey.length > 1) dimensions.push('primary_key');
  dimensions.push(...(extras.dimensions ?? []).map((d) => d.name));
  return { dimensions, measures: extras.measures.map((m) => m.name) };
}

/** The `<name>.view.lkml` file of one relation. */
export function viewLookml(r: BiRelation, o: { dialect: LookmlDialect; database: string }): LkNode {
  const extras = RELATION_EXTRAS[r.name];
  const names = viewFieldNames(r);
  const all = [...names.dimensions, ...names.measures];
  const dup = all.find((n, i) => all.indexOf(n) !== i);
  if (dup) throw new Error(`view ${r.name} would define the field ${dup} twice`);
  for (const f of extras.drill) if (!names.dimensions.includes(f)) throw new Error(`drill field ${r.name}.${f} does not exist`);

  const single = r.primaryKey.length === 1 ? r.primaryKey[0] : undefined;
  const keyColumns = r.primaryKey.map((k) => r.columns.find((c) => c.name === k)!);
  return block('view', r.name, [
    sql('sql_table_name', o.dialect.relation(o.database, r.name)),
    str('label', titleCase(r.name)),
    ...(r.primaryKey.length > 1
      ? [block('dimension', 'primary_key', [
          yes('primary_key', true),
          yes('hidden', true),
          raw('type', 'string'),
          sql('sql', compoundKeySql(keyColumns)),
          str('description', `Row identity: ${r.primaryKey.join(', ')}.`),
        ])]
      : []),
    ...r.columns.map((c) => COLUMN_FIELD[c.type](c, { dialect: o.dialect, primaryKey: c.name === single })),
    ...(extras.dimensions ?? []).map((d) => block('dimension', d.name, [raw('type', d.type), sql('sql', d.sql), str('description', d.description)])),
    ...extras.measures.map((m) => measureNode(m, true)),
    block('set', 'detail', [list('fields', extras.drill)]),
  ]);
}
