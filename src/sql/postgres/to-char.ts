/**
 * PostgreSQL's `to_char(timestamp|date, format)` as a DuckDB expression.
 *
 * BI tools format time buckets with it (Looker's PostgreSQL dialect writes every week, month and
 * quarter timeframe as `TO_CHAR(DATE_TRUNC('month', x), 'YYYY-MM')`). DuckDB has `strftime` but
 * not PostgreSQL's template patterns, so a literal template is compiled here into a concatenation
 * of `strftime` pieces and expressions for what strftime lacks (quarter, padded month and day
 * names, upper-case names, ISO day of week).
 *
 * Invariants: the output matches PostgreSQL 15's for every pattern accepted (tested against a real
 * server); a NULL value gives NULL; a template PostgreSQL reads as a number format (`9`, `0`, `G`,
 * `D`, `PR`…) or a pattern not listed here is refused with 0A000 naming it, never formatted wrong.
 */

/** One piece of the output: strftime text, or SQL built around the value (`$v`). */
type Piece = { kind: 'strftime'; format: string } | { kind: 'sql'; sql: string };

export class ToCharUnsupported extends Error {}

interface Pattern {
  token: string;
  /** strftime format without and with FM (fill mode: no padding). */
  fmt?: [string, string];
  /** SQL over `$v` (a TIMESTAMP), without and with FM. */
  sql?: [string, string];
}

const pad = (expr: string, width: number): string => `lpad(CAST(${expr} AS VARCHAR), ${width}, '0')`;
const name = (fmt: string, width: number, casing: 'upper' | 'lower' | 'as-is'): [string, string] => {
  const base = `strftime($v, '${fmt}')`;
  const cased = casing === 'upper' ? `upper(${base})` : casing === 'lower' ? `lower(${base})` : base;
  return [`rpad(${cased}, ${width}, ' ')`, cased];
};

/** Longest tokens first: the template is scanned greedily, as PostgreSQL does. */
const PATTERNS: Pattern[] = [
  { token: 'HH24', fmt: ['%H', '%-H'] },
  { token: 'HH12', fmt: ['%I', '%-I'] },
  { token: 'IYYY', fmt: ['%G', '%G'] },
  { token: 'YYYY', fmt: ['%Y', '%Y'] },
  { token: 'MONTH', sql: name('%B', 9, 'upper') },
  { token: 'Month', sql: name('%B', 9, 'as-is') },
  { token: 'month', sql: name('%B', 9, 'lower') },
  { token: 'DAY', sql: name('%A', 9, 'upper') },
  { token: 'Day', sql: name('%A', 9, 'as-is') },
  { token: 'day', sql: name('%A', 9, 'lower') },
  { token: 'MON', sql: [`upper(strftime($v, '%b'))`, `upper(strftime($v, '%b'))`] },
  { token: 'Mon', fmt: ['%b', '%b'] },
  { token: 'mon', sql: [`lower(strftime($v, '%b'))`, `lower(strftime($v, '%b'))`] },
  { token: 'DDD', sql: [pad('dayofyear($v)', 3), 'CAST(dayofyear($v) AS VARCHAR)'] },
  { token: 'DY', sql: [`upper(strftime($v, '%a'))`, `upper(strftime($v, '%a'))`] },
  { token: 'Dy', fmt: ['%a', '%a'] },
  { token: 'dy', sql: [`lower(strftime($v, '%a'))`, `lower(strftime($v, '%a'))`] },
  { token: 'YYY', sql: [pad('year($v) % 1000', 3), 'CAST(year($v) % 1000 AS VARCHAR)'] },
  { token: 'YY', fmt: ['%y', '%y'] },
  { token: 'HH', fmt: ['%I', '%-I'] },
  { token: 'MI', fmt: ['%M', '%-M'] },
  { token: 'SS', fmt: ['%S', '%-S'] },
  { token: 'MS', sql: [pad('millisecond($v) % 1000', 3), 'CAST(millisecond($v) % 1000 AS VARCHAR)'] },
  { token: 'US', fmt: ['%f', '%f'] },
  { token: 'MM', fmt: ['%m', '%-m'] },
  { token: 'DD', fmt: ['%d', '%-d'] },
  { token: 'IW', sql: [pad('weekofyear($v)', 2), 'CAST(weekofyear($v) AS VARCHAR)'] },
  { token: 'WW', sql: [pad('(dayofyear($v) - 1) // 7 + 1', 2), 'CAST((dayofyear($v) - 1) // 7 + 1 AS VARCHAR)'] },
  { token: 'AM', sql: [`upper(strftime($v, '%p'))`, `upper(strftime($v, '%p'))`] },
  { token: 'PM', sql: [`upper(strftime($v, '%p'))`, `upper(strftime($v, '%p'))`] },
  { token: 'am', sql: [`lower(strftime($v, '%p'))`, `lower(strftime($v, '%p'))`] },
  { token: 'pm', sql: [`lower(strftime($v, '%p'))`, `lower(strftime($v, '%p'))`] },
  { token: 'ID', sql: ['CAST(isodow($v) AS VARCHAR)', 'CAST(isodow($v) AS VARCHAR)'] },
  { token: 'Y', sql: ['CAST(year($v) % 10 AS VARCHAR)', 'CAST(year($v) % 10 AS VARCHAR)'] },
  { token: 'Q', sql: ['CAST(quarter($v) AS VARCHAR)', 'CAST(quarter($v) AS VARCHAR)'] },
  { token: 'D', sql: ['CAST(dayofweek($v) + 1 AS VARCHAR)', 'CAST(dayofweek($v) + 1 AS VARCHAR)'] },
];

/** Patterns PostgreSQL has that are not compiled here (refused rather than printed literally). */
const REFUSED = ['SSSSS', 'SSSS', 'TZH', 'TZM', 'TZ', 'tz', 'OF', 'CC', 'J', 'RM', 'rm', 'W', 'BC', 'AD', 'B.C.', 'A.D.', 'A.M.', 'P.M.', 'a.m.', 'p.m.', 'FX', 'TM', 'TH', 'th', 'IYY', 'IY', 'I', 'Y,YYY', 'FF'];
/** A number template (`to_char(numeric, …)`): digit positions 9/0, maybe with separators. */
const NUMBER_FORMAT = /^(FM|PR|EEEE|MI|SG|PL|[90.,DGSLV ])*$/;

/**
 * The DuckDB expression for `to_char(value, template)`. `value` is already-rendered SQL. Throws ToCharUnsupported for templates that are not compiled.
 */
export function toCharExpression(value: string, template: string): string {
  if (/[09]/.test(template) && NUMBER_FORMAT.test(template)) {
    throw new ToCharUnsupported(`to_char with a number format ("${template}")`);
  }
  const merged = mergeStrftime(compile(template));
  const body = merged.length === 0 ? `''` : merged.length === 1 ? merged[0]! : `concat(${merged.join(', ')})`;
  // The value is repeated in every piece (DuckDB evaluates common subexpressions once).
  const v = `CAST(${value} AS TIMESTAMP)`;
  return `(CASE WHEN ${v} IS NULL THEN NULL ELSE ${body.replaceAll('$v', () => v)} END)`;
}

function mergeStrftime(pieces: Piece[]): string[] {
  const out: string[] = [];
  let fmt = '';
  const flush = (): void => {
    if (fmt !== '') out.push(`strftime($v, ${sqlString(fmt)})`);
    fmt = '';
  };
  for (const p of pieces) {
    if (p.kind === 'strftime') fmt += p.format;
    else {
      flush();
      out.push(p.sql);
    }
  }
  flush();
  return out;
}

function compile(template: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '"') {
      // Quoted text is literal; inside it a backslash escapes the next character (e.g. \").
      let text = '';
      i += 1;
      while (i < template.length && template[i] !== '"') {
        if (template[i] === '\\' && i + 1 < template.length) i += 1;
        text += template[i];
        i += 1;
      }
      pieces.push({ kind: 'strftime', format: text.replaceAll('%', '%%') });
      i += 1;
      continue;
    }
    let fm = false;
    let at = i;
    if (template.startsWith('FM', at)) {
      fm = true;
      at += 2;
    }
    const pattern = PATTERNS.find((p) => template.startsWith(p.token, at));
    const refused = REFUSED.find((r) => template.startsWith(r, at));
    if (refused && (!pattern || refused.length > pattern.token.length)) {
      throw new ToCharUnsupported(`to_char template pattern "${refused}"`);
    }
    if (pattern) {
      const k = fm ? 1 : 0;
      if (pattern.fmt) pieces.push({ kind: 'strftime', format: pattern.fmt[k] });
      else pieces.push({ kind: 'sql', sql: pattern.sql![k] });
      i = at + pattern.token.length;
      continue;
    }
    if (fm) {
      i = at;
      continue;
    }
    pieces.push({ kind: 'strftime', format: ch === '%' ? '%%' : ch });
    i += 1;
  }
  return pieces;
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
