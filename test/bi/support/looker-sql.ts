/**
 * A small stand-in for Looker's SQL generator, for tests: given a LookML project as
 * `lookml-parser` parsed it, it writes the SELECT Looker would send for a set of fields of an
 * explore, in Looker's "PostgreSQL" or "Amazon Athena" (Presto/Trino) dialect.
 *
 * What it reproduces: `${TABLE}` / `${field}` / `${view.field}` substitution (yes/no dimensions
 * substitute their condition, and are selected as 'Yes'/'No'); timeframes of dimension groups
 * (Looker's usual expressions per dialect); measure types count, count_distinct, sum, average,
 * median, percentile, max, min, number and date, with measure `filters` (CASE WHEN … inside the
 * aggregate); COUNT(DISTINCT primary key) for counts in joined queries; the joins a query needs
 * (and the joins their `sql_on` needs); filters (yes/no, string lists, "N weeks"); sorts; limit.
 *
 * What it does not: symmetric aggregates (Looker's MD5-based SUM/AVG DISTINCT over fanned-out
 * joins), time zone conversion (the connection is set to UTC both ways), pivots, totals. The
 * timeframe expressions follow Looker's output for these dialects as commonly seen; they are an
 * approximation of Looker, not Looker.
 */

export type Dialect = 'postgres' | 'athena';

interface LkField {
  $name: string;
  type?: string;
  sql?: string;
  primary_key?: boolean;
  timeframes?: string[];
  percentile?: number | string;
  filters?: Record<string, string>;
}

export interface LkView {
  $name: string;
  sql_table_name?: string;
  derived_table?: { sql: string };
  dimension?: Record<string, LkField>;
  dimension_group?: Record<string, LkField>;
  measure?: Record<string, LkField>;
}

interface LkJoin {
  $name: string;
  from?: string;
  relationship?: string;
  sql_on: string;
}

export interface LkExplore {
  $name: string;
  from?: string;
  join?: Record<string, LkJoin>;
}

export interface LkModel {
  view: Record<string, LkView>;
  explore: Record<string, LkExplore>;
}

export interface FieldQuery {
  explore: string;
  fields: string[];
  filters?: Record<string, string>;
  sorts?: string[];
  limit?: number;
}

const NOW: Record<Dialect, string> = {
  postgres: "(now() AT TIME ZONE 'UTC')",
  athena: 'CAST(now() AS timestamp)',
};

const TIMEFRAME: Record<Dialect, Record<string, (x: string) => string>> = {
  postgres: {
    raw: (x) => x,
    time: (x) => `TO_CHAR(DATE_TRUNC('second', ${x}), 'YYYY-MM-DD HH24:MI:SS')`,
    date: (x) => `DATE(${x})`,
    week: (x) => `TO_CHAR(DATE_TRUNC('week', ${x}), 'YYYY-MM-DD')`,
    month: (x) => `TO_CHAR(DATE_TRUNC('month', ${x}), 'YYYY-MM')`,
    quarter: (x) => `TO_CHAR(DATE_TRUNC('quarter', ${x}), 'YYYY-MM')`,
    year: (x) => `EXTRACT(YEAR FROM ${x})::integer`,
  },
  athena: {
    raw: (x) => x,
    time: (x) => `DATE_FORMAT(${x}, '%Y-%m-%d %H:%i:%s')`,
    date: (x) => `CAST(${x} AS DATE)`,
    week: (x) => `DATE_FORMAT(DATE_TRUNC('week', ${x}), '%Y-%m-%d')`,
    month: (x) => `DATE_FORMAT(${x}, '%Y-%m')`,
    quarter: (x) => `CONCAT(CAST(YEAR(${x}) AS VARCHAR), '-Q', CAST(QUARTER(${x}) AS VARCHAR))`,
    year: (x) => `YEAR(${x})`,
  },
};

function percentileSql(d: Dialect, x: string, p: number): string {
  return d === 'postgres' ? `PERCENTILE_CONT(${p}) WITHIN GROUP (ORDER BY ${x})` : `APPROX_PERCENTILE(${x}, ${p})`;
}

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Resolves fields of one explore (or of a lone view) to SQL. */
export class LookerSql {
  /** alias → view definition, for the explore being compiled. */
  private readonly aliases = new Map<string, LkView>();
  private readonly joins: LkJoin[];
  readonly baseAlias: string;

  constructor(private readonly model: LkModel, private readonly dialect: Dialect, explore: string, private readonly tableOf: (view: LkView) => string) {
    const e = model.explore[explore];
    if (e) {
      this.baseAlias = e.$name;
      this.aliases.set(e.$name, this.viewNamed(e.from ?? e.$name));
      this.joins = Object.values(e.join ?? {});
      for (const j of this.joins) this.aliases.set(j.$name, this.viewNamed(j.from ?? j.$name));
    } else {
      // A view on its own (every view is checked this way, explore or not).
      this.baseAlias = explore;
      this.aliases.set(explore, this.viewNamed(explore));
      this.joins = [];
    }
  }

  private viewNamed(name: string): LkView {
    const v = this.model.view[name];
    if (!v) throw new Error(`no view ${name}`);
    return v;
  }

  private view(alias: string): LkView {
    const v = this.aliases.get(alias);
    if (!v) throw new Error(`no view or join ${alias} in this explore`);
    return v;
  }

  /** Replaces `${TABLE}`, `${field}` and `${view.field}` in a field's SQL. */
  expand(sql: string, alias: string): string {
    return sql.replace(/\$\{([A-Za-z_][\w]*)(?:\.([A-Za-z_][\w]*))?\}/g, (_, a: string, b: string | undefined) => {
      if (b === undefined && a === 'TABLE') return alias;
      if (b === undefined) return this.fieldSql(alias, a);
      return this.fieldSql(a, b);
    }).trim();
  }

  /** A field's SQL as referenced from other SQL (yes/no dimensions: their condition). */
  fieldSql(alias: string, name: string): string {
    const v = this.view(alias);
    const dim = v.dimension?.[name];
    if (dim) return `(${this.expand(dim.sql ?? `\${TABLE}.${name}`, alias)})`;
    for (const g of Object.values(v.dimension_group ?? {})) {
      for (const tf of g.timeframes ?? []) {
        if (`${g.$name}_${tf}` === name) {
          const f = TIMEFRAME[this.dialect][tf];
          if (!f) throw new Error(`timeframe ${tf} is not emulated`);
          return `(${f(this.expand(g.sql!, alias))})`;
        }
      }
    }
    if (v.measure?.[name]) return this.measureSql(alias, name);
    throw new Error(`no field ${alias}.${name}`);
  }

  isMeasure(field: string): boolean {
    const [alias, name] = field.split('.') as [string, string];
    return this.view(alias).measure?.[name] !== undefined;
  }

  private isYesno(alias: string, name: string): boolean {
    return this.view(alias).dimension?.[name]?.type === 'yesno';
  }

  private primaryKey(alias: string): string | undefined {
    const pk = Object.values(this.view(alias).dimension ?? {}).find((d) => d.primary_key);
    return pk ? this.fieldSql(alias, pk.$name) : undefined;
  }

  /** The SELECT-list expression of a field. */
  selectSql(field: string, fanout: boolean): string {
    const [alias, name] = field.split('.') as [string, string];
    if (this.view(alias).measure?.[name]) return this.measureSql(alias, name, fanout);
    const sql = this.fieldSql(alias, name);
    return this.isYesno(alias, name) ? `CASE WHEN ${sql} THEN 'Yes' ELSE 'No' END` : sql;
  }

  /** The raw timestamp SQL of a timeframe field (`created_date` → the group's SQL), or undefined. */
  private rawOf(alias: string, name: string): string | undefined {
    for (const g of Object.values(this.view(alias).dimension_group ?? {})) {
      if ((g.timeframes ?? []).some((tf) => `${g.$name}_${tf}` === name)) return `(${this.expand(g.sql!, alias)})`;
    }
    return undefined;
  }

  /** A Looker filter expression on a dimension as a condition. */
  condition(alias: string, name: string, expression: string): string {
    const sql = this.fieldSql(alias, name);
    if (this.isYesno(alias, name)) {
      if (/^yes$/i.test(expression)) return sql;
      if (/^no$/i.test(expression)) return `NOT COALESCE(${sql}, FALSE)`;
      throw new Error(`yes/no filter ${expression}`);
    }
    const weeks = /^(\d+) weeks?$/.exec(expression);
    if (weeks) {
      // Looker filters a timeframe on the group's raw timestamp: [start of the week n-1 weeks ago, start of next week).
      const raw = this.rawOf(alias, name);
      if (!raw) throw new Error(`relative date filter on ${alias}.${name}, which is not a timeframe`);
      const n = Number(weeks[1]) - 1;
      const range = this.dialect === 'postgres'
        ? [`(DATE_TRUNC('week', ${NOW.postgres}) + (${-n} || ' week')::INTERVAL)`, `(DATE_TRUNC('week', ${NOW.postgres}) + (1 || ' week')::INTERVAL)`]
        : [`DATE_ADD('week', ${-n}, DATE_TRUNC('week', ${NOW.athena}))`, `DATE_ADD('week', 1, DATE_TRUNC('week', ${NOW.athena}))`];
      return `(${raw} >= ${range[0]} AND ${raw} < ${range[1]})`;
    }
    const values = expression.split(',').map((s) => s.trim());
    return values.length === 1 ? `${sql} = ${quote(values[0]!)}` : `${sql} IN (${values.map(quote).join(', ')})`;
  }

  measureSql(alias: string, name: string, fanout = false): string {
    const m = this.view(alias).measure![name]!;
    const conds = Object.entries(m.filters ?? {}).filter(([k]) => !k.startsWith('$')).map(([f, v]) => this.condition(alias, f, v));
    const cond = conds.length ? conds.join(' AND ') : undefined;
    const arg = (x: string) => (cond ? `CASE WHEN ${cond} THEN ${x} ELSE NULL END` : x);
    const value = () => this.expand(m.sql!, alias);
    switch (m.type) {
      case 'count': {
        const pk = fanout ? this.primaryKey(alias) : undefined;
        if (pk) return `COUNT(DISTINCT ${arg(pk)})`;
        return cond ? `COUNT(${arg('1')})` : 'COUNT(*)';
      }
      case 'count_distinct':
        return `COUNT(DISTINCT ${arg(value())})`;
      case 'sum':
        return `COALESCE(SUM(${arg(value())}), 0)`;
      case 'average':
        return `AVG(${arg(value())})`;
      case 'max':
        return `MAX(${arg(value())})`;
      case 'min':
        return `MIN(${arg(value())})`;
      case 'median':
        return percentileSql(this.dialect, arg(value()), 0.5);
      case 'percentile':
        return percentileSql(this.dialect, arg(value()), Number(m.percentile) / 100);
      case 'number':
      case 'date':
        if (cond) throw new Error(`filters on a ${m.type} measure`);
        return `(${value()})`;
      default:
        throw new Error(`measure type ${String(m.type)} is not emulated`);
    }
  }

  /** The joins (in declaration order) that the given aliases need, their sql_on dependencies included. */
  private neededJoins(aliases: Set<string>): LkJoin[] {
    const need = new Set(aliases);
    let grew = true;
    while (grew) {
      grew = false;
      for (const j of this.joins) {
        if (!need.has(j.$name)) continue;
        for (const m of j.sql_on.matchAll(/\$\{(\w+)\.\w+\}/g)) {
          if (!need.has(m[1]!)) {
            need.add(m[1]!);
            grew = true;
          }
        }
      }
    }
    return this.joins.filter((j) => need.has(j.$name));
  }

  /** The SQL of a query. */
  query(q: Omit<FieldQuery, 'explore'>): string {
    const used = new Set([...q.fields, ...Object.keys(q.filters ?? {}), ...(q.sorts ?? []).map((s) => s.split(' ')[0]!)].map((f) => f.split('.')[0]!));
    const joins = this.neededJoins(used);
    const fanout = joins.length > 0;
    const dims = q.fields.filter((f) => !this.isMeasure(f));
    const measures = q.fields.filter((f) => this.isMeasure(f));
    const ordered = [...dims, ...measures];
    const select = ordered.map((f) => `  ${this.selectSql(f, fanout)} AS "${f}"`);
    const where = Object.entries(q.filters ?? {}).map(([f, v]) => {
      const [alias, name] = f.split('.') as [string, string];
      return this.condition(alias, name, v);
    });
    const order = (q.sorts ?? []).map((s) => {
      const [f, dir] = s.split(' ');
      const i = ordered.indexOf(f!);
      if (i < 0) throw new Error(`sort field ${f} is not selected`);
      return `${i + 1}${dir ? ` ${dir.toUpperCase()}` : ''}`;
    });
    const base = this.view(this.baseAlias);
    return [
      'SELECT',
      select.join(',\n'),
      `FROM ${this.tableOf(base)} AS ${this.baseAlias}`,
      ...joins.map((j) => `LEFT JOIN ${this.tableOf(this.view(j.$name))} AS ${j.$name} ON ${this.expand(j.sql_on, j.$name)}`),
      ...(where.length ? [`WHERE ${where.join(' AND ')}`] : []),
      ...(dims.length ? [`GROUP BY ${dims.map((_, i) => i + 1).join(', ')}`] : []),
      ...(order.length ? [`ORDER BY ${order.join(', ')}`] : []),
      ...(q.limit !== undefined ? [`LIMIT ${q.limit}`] : []),
    ].join('\n');
  }
}

/** Every dimension (timeframes expanded) and every measure of a view, as `view.field`. */
export function viewFields(v: LkView): { dimensions: string[]; measures: string[] } {
  const dimensions = [
    ...Object.keys(v.dimension ?? {}),
    ...Object.values(v.dimension_group ?? {}).flatMap((g) => (g.timeframes ?? []).map((t) => `${g.$name}_${t}`)),
  ].map((f) => `${v.$name}.${f}`);
  const measures = Object.keys(v.measure ?? {}).map((f) => `${v.$name}.${f}`);
  return { dimensions, measures };
}
