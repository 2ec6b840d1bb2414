/**
 * GROUP BY / ORDER BY positions (`GROUP BY 2`) checked as PostgreSQL checks them: a position
 * outside the select list is error 42P10 "GROUP BY position N is not in select list" at the
 * number. Tableau probes exactly this (`… GROUP BY 2` over one column must fail) to learn whether
 * the server validates positions; DuckDB's own message and code differ.
 *
 * Only plain integer constants count as positions (as in PostgreSQL); a select list with `*` is
 * left to the engine (its width is unknown before binding).
 */
import { PgSqlError } from './errors.ts';
import { byteToChar, type PgNode } from './parse.ts';

type Fields = Record<string, unknown>;

function inner(n: unknown): [string, Fields] | undefined {
  if (typeof n !== 'object' || n === null || Array.isArray(n)) return undefined;
  const keys = Object.keys(n);
  if (keys.length !== 1 || !/^[A-Z]/.test(keys[0]!)) return undefined;
  const v = (n as Fields)[keys[0]!];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? [keys[0]!, v as Fields] : undefined;
}

/** The width of a SELECT's result, or undefined when a `*` hides it. */
function width(select: Fields): number | undefined {
  let s = select;
  while (s.op !== undefined && s.op !== 'SETOP_NONE' && s.larg) s = inner({ SelectStmt: s.larg })?.[1] ?? s;
  if (s.op !== undefined && s.op !== 'SETOP_NONE') return undefined;
  const targets = s.targetList as unknown[] | undefined;
  if (!targets) {
    const values = s.valuesLists as unknown[] | undefined;
    const first = values?.[0] ? (inner(values[0])?.[1].items as unknown[] | undefined) : undefined;
    return first?.length;
  }
  for (const t of targets) {
    const val = inner(t)?.[1].val;
    const ref = inner(val);
    if (ref?.[0] === 'ColumnRef' && ((ref[1].fields as unknown[]) ?? []).some((f) => inner(f)?.[0] === 'A_Star')) return undefined;
  }
  return targets.length;
}

/** The integer of a plain integer constant, else undefined; with its byte location. */
function position(n: unknown): { value: number; location: number } | undefined {
  const c = inner(n);
  if (!c || c[0] !== 'A_Const') return undefined;
  const i = inner(c[1].ival ? { Integer: c[1].ival } : undefined);
  if (!i) return undefined;
  return { value: Number(i[1].ival ?? 0), location: Number(c[1].location ?? -1) };
}

/** Throws 42P10 for the first GROUP BY or ORDER BY position outside its select list. */
export function checkPositions(stmt: PgNode, sql: string): void {
  const b2c = byteToChar(sql);
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    const i = inner(n);
    if (!i) {
      if (typeof n === 'object' && n !== null) for (const v of Object.values(n)) visit(v);
      return;
    }
    const [type, f] = i;
    if (type === 'SelectStmt') {
      const w = width(f);
      if (w !== undefined) {
        const check = (clause: string, item: unknown) => {
          const p = position(item);
          if (p && (p.value < 1 || p.value > w)) {
            throw new PgSqlError('42P10', `${clause} position ${p.value} is not in select list`, p.location >= 0 ? b2c(p.location) + 1 : undefined);
          }
        };
        if (f.op === undefined || f.op === 'SETOP_NONE') for (const g of (f.groupClause as unknown[] | undefined) ?? []) check('GROUP BY', g);
        for (const s of (f.sortClause as unknown[] | undefined) ?? []) check('ORDER BY', inner(s)?.[1].node);
      }
    }
    for (const [k, v] of Object.entries(f)) {
      // A set operation's arms are SELECT fields without their node wrapper.
      if (type === 'SelectStmt' && (k === 'larg' || k === 'rarg')) visit({ SelectStmt: v });
      else if (typeof v === 'object' && v !== null) visit(v);
    }
  };
  visit(stmt);
}
