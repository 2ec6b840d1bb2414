/**
 * Date/time pattern translation to DuckDB strftime/strptime specifiers:
 *  - MySQL specifiers, used by Trino's date_format / date_parse;
 *  - Joda-Time patterns, used by Trino's format_datetime / parse_datetime (the common subset).
 * A pattern element with no faithful equivalent throws `not supported: ...`.
 */
import { notSupported } from './errors.ts';

/** Escape literal text for a DuckDB strftime/strptime format. */
function literal(text: string): string {
  return text.replaceAll('%', '%%');
}

type Direction = 'format' | 'parse';

/** MySQL specifier → DuckDB strftime (format) and strptime (parse) specifiers. */
const MYSQL: Record<string, { format: string; parse: string } | null> = {
  a: { format: '%a', parse: '%a' },
  b: { format: '%b', parse: '%b' },
  c: { format: '%-m', parse: '%m' },
  d: { format: '%d', parse: '%d' },
  e: { format: '%-d', parse: '%d' },
  // Trino prints microseconds (6 digits) of a millisecond-precision value.
  f: { format: '%g000', parse: '%f' },
  H: { format: '%H', parse: '%H' },
  h: { format: '%I', parse: '%I' },
  I: { format: '%I', parse: '%I' },
  i: { format: '%M', parse: '%M' },
  j: { format: '%j', parse: '%j' },
  k: { format: '%-H', parse: '%H' },
  l: { format: '%-I', parse: '%I' },
  M: { format: '%B', parse: '%B' },
  m: { format: '%m', parse: '%m' },
  p: { format: '%p', parse: '%p' },
  r: { format: '%I:%M:%S %p', parse: '%I:%M:%S %p' },
  S: { format: '%S', parse: '%S' },
  s: { format: '%S', parse: '%S' },
  T: { format: '%H:%M:%S', parse: '%H:%M:%S' },
  v: { format: '%V', parse: '%V' },
  W: { format: '%A', parse: '%A' },
  x: { format: '%G', parse: '%G' },
  Y: { format: '%Y', parse: '%Y' },
  y: { format: '%y', parse: '%y' },
  '%': { format: '%%', parse: '%%' },
  // Trino rejects these.
  D: null,
  U: null,
  u: null,
  V: null,
  w: null,
  X: null,
};

export function mysqlToStrftime(pattern: string, direction: Direction): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== '%' || i === pattern.length - 1) {
      out += literal(ch);
      continue;
    }
    const spec = pattern[++i]!;
    if (spec in MYSQL) {
      const m = MYSQL[spec];
      if (!m) throw notSupported(`date format specifier %${spec}`);
      if (direction === 'parse' && spec === 'f') out += '%f';
      else out += m[direction];
    } else {
      // MySQL: any other character after % stands for itself.
      out += literal(spec);
    }
  }
  return out;
}

/** Joda letter runs → DuckDB specifiers, keyed by letter then by run length (longest match first). */
function jodaRun(letter: string, count: number, direction: Direction): string {
  switch (letter) {
    case 'y':
    case 'Y':
    case 'u':
      return count === 2 ? '%y' : '%Y';
    case 'x':
      return count === 2 ? '%g' : '%G';
    case 'M':
      if (count >= 4) return '%B';
      if (count === 3) return '%b';
      if (count === 2) return '%m';
      return direction === 'format' ? '%-m' : '%m';
    case 'd':
      return count >= 2 ? '%d' : direction === 'format' ? '%-d' : '%d';
    case 'D':
      return count >= 3 ? '%j' : direction === 'format' ? '%-j' : '%j';
    case 'H':
      return count >= 2 ? '%H' : direction === 'format' ? '%-H' : '%H';
    case 'h':
      return count >= 2 ? '%I' : direction === 'format' ? '%-I' : '%I';
    case 'm':
      return count >= 2 ? '%M' : direction === 'format' ? '%-M' : '%M';
    case 's':
      return count >= 2 ? '%S' : direction === 'format' ? '%-S' : '%S';
    case 'S':
      if (count === 3) return direction === 'format' ? '%g' : '%g';
      if (count === 6) return '%f';
      break;
    case 'a':
      return '%p';
    case 'E':
      return count >= 4 ? '%A' : '%a';
    case 'e':
      if (count === 1 && direction === 'format') return '%u';
      break;
    case 'w':
      return count >= 2 ? '%V' : direction === 'format' ? '%-V' : '%V';
    default:
      break;
  }
  throw notSupported(`datetime pattern letter ${letter.repeat(count)}`);
}

export function jodaToStrftime(pattern: string, direction: Direction): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      // Quoted literal; '' is a single quote.
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      let text = '';
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      if (j >= pattern.length) throw notSupported('datetime pattern with an unterminated quote');
      out += literal(text);
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      out += jodaRun(ch, j - i, direction);
      i = j;
      continue;
    }
    out += literal(ch);
    i++;
  }
  return out;
}
