/**
 * The engine's (DuckDB's) messages for the mistakes users make most, in PostgreSQL's words:
 * an unknown column, table or function, no matching operator, a value that does not convert, a
 * column missing from GROUP BY. psql, JDBC and BI tools show these to people who know
 * PostgreSQL, and some act on the SQLSTATE.
 *
 * DuckDB's `LINE n:` excerpt quotes the translated SQL, not the client's, so it is dropped; the
 * error's position is found in the client's own statement instead (the first token that names
 * the culprit; none when no token does). Any other engine message loses only its
 * `Xxx Error: ` prefix and the excerpt. The service has already removed relation hints that
 * name anything but the organization's own relations (service/errors.ts).
 */
import { scanPg, type Token } from '../../sql/postgres/parse.ts';
import { SQLSTATE } from './sqlstate.ts';

export interface PgWording {
  sqlstate?: string;
  message: string;
  hint?: string;
  /** 1-based character position in the client's statement. */
  position?: number;
}

const ENGINE_PREFIX = /^(?:Binder|Catalog|Conversion|Out of Range|Invalid Input|Parser|Not implemented|Constraint|Mismatch Type) Error: /;
const EXCERPT = /\n+LINE \d+:[\s\S]*$/;

const FUNCTION_HINT = 'No function matches the given name and argument types. You might need to add explicit type casts.';
const OPERATOR_HINT = 'No operator matches the given name and argument types. You might need to add explicit type casts.';

/** DuckDB's type names (in messages) as PostgreSQL names them. */
const PG_TYPE_NAMES: Record<string, string> = {
  INT8: 'smallint', INT16: 'smallint', INT32: 'integer', INT64: 'bigint', INT128: 'numeric',
  TINYINT: 'smallint', SMALLINT: 'smallint', INTEGER: 'integer', BIGINT: 'bigint', HUGEINT: 'numeric',
  INTEGER_LITERAL: 'integer', STRING_LITERAL: 'unknown', VARCHAR: 'text', BOOL: 'boolean', BOOLEAN: 'boolean',
  FLOAT: 'real', DOUBLE: 'double precision', DATE: 'date', TIME: 'time without time zone',
  TIMESTAMP: 'timestamp without time zone', 'TIMESTAMP WITH TIME ZONE': 'timestamp with time zone',
  INTERVAL: 'interval', UUID: 'uuid', BLOB: 'bytea', JSON: 'json',
};

export function pgTypeName(duck: string): string {
  const t = duck.trim();
  if (t.endsWith('[]')) return `${pgTypeName(t.slice(0, -2))}[]`;
  if (/^DECIMAL\b/.test(t)) return 'numeric';
  return PG_TYPE_NAMES[t] ?? t.toLowerCase();
}

type Rule = (m: RegExpExecArray, find: Finder) => PgWording;

/** The most specific rules first; each matches the message without its excerpt. */
const RULES: [RegExp, Rule][] = [
  [/^Binder Error: Referenced column "([^"]+)" not found in FROM clause!(?:\nCandidate bindings: "([^"]+)")?/, (m, find) => ({
    sqlstate: SQLSTATE.undefinedColumn,
    message: `column "${find.name(m[1]!)}" does not exist`,
    ...closeHint(m[1]!, m[2], (c) => `Perhaps you meant to reference the column "${c}".`),
    ...find.ident(m[1]!),
  })],
  [/^Binder Error: (?:Table|Values list) "([^"]+)" does not have a column named "([^"]+)"/, (m, find) => ({
    sqlstate: SQLSTATE.undefinedColumn,
    message: `column ${find.name(m[1]!)}.${find.name(m[2]!)} does not exist`,
    ...find.qualified(m[1]!, m[2]!),
  })],
  [/^Binder Error: Referenced table "([^"]+)" not found!/, (m, find) => ({
    sqlstate: SQLSTATE.undefinedTable,
    message: `missing FROM-clause entry for table "${find.name(m[1]!)}"`,
    ...find.qualifier(m[1]!),
  })],
  [/^Catalog Error: Table with name ([^\s!]+) does not exist!(?:\nDid you mean "([^"]+)"\?)?/, (m, find) => ({
    sqlstate: SQLSTATE.undefinedTable,
    message: `relation "${find.name(m[1]!)}" does not exist`,
    ...(m[2] ? { hint: `Perhaps you meant "${m[2]}".` } : {}),
    ...find.ident(m[1]!),
  })],
  [/^Catalog Error: Sequence with name ([^\s!]+) does not exist!/, (m, find) => ({
    sqlstate: SQLSTATE.undefinedTable,
    message: `relation "${find.name(m[1]!)}" does not exist`,
    ...find.literal(m[1]!),
  })],
  [/^Catalog Error: (?:Scalar |Aggregate |Table |Pragma )?Function with name ([^\s!]+) does not exist!/, (m, find) => ({
    sqlstate: SQLSTATE.undefinedFunction,
    message: `function ${find.name(m[1]!)} does not exist`,
    hint: FUNCTION_HINT,
    ...find.call(m[1]!),
  })],
  [/^Binder Error: No function matches the given name and argument types '(.+?)\((.*)\)'\./, (m, find) => {
    const name = m[1]!;
    const types = splitTypes(m[2]!).map(pgTypeName);
    if (/^[^\w"]+$/.test(name)) {
      const shape = types.length === 2 ? `${types[0]} ${name} ${types[1]}` : `${name} ${types.join(', ')}`;
      return { sqlstate: SQLSTATE.undefinedFunction, message: `operator does not exist: ${shape}`, hint: OPERATOR_HINT, ...find.only(name) };
    }
    return { sqlstate: SQLSTATE.undefinedFunction, message: `function ${find.name(name)}(${types.join(', ')}) does not exist`, hint: FUNCTION_HINT, ...find.call(name) };
  }],
  [/^Binder Error: Macro ([^\s(]+)\(\) does not support the supplied arguments/, (m, find) => ({
    sqlstate: SQLSTATE.undefinedFunction,
    message: `function ${find.name(m[1]!)} does not exist`,
    hint: FUNCTION_HINT,
    ...find.call(m[1]!),
  })],
  [/^Conversion Error: Could not convert string (?:'([^']*)'|"([^"]*)") to ([A-Z0-9_]+)/, (m, find) => {
    const value = m[1] ?? m[2]!;
    return { sqlstate: SQLSTATE.invalidTextRepresentation, message: `invalid input syntax for type ${pgTypeName(m[3]!)}: "${value}"`, ...find.literal(value) };
  }],
  [/^Conversion Error: invalid (date|timestamp) field format: "([^"]*)"/, (m, find) => ({
    sqlstate: SQLSTATE.invalidDatetimeFormat,
    message: `invalid input syntax for type ${m[1]}: "${m[2]}"`,
    ...find.literal(m[2]!),
  })],
  [/^Conversion Error: Type \w+ with value \S+ can't be cast because the value is out of range for the destination type ([A-Z0-9_]+)/, (m) => ({
    sqlstate: SQLSTATE.numericValueOutOfRange,
    message: `${pgTypeName(m[1]!)} out of range`,
  })],
  [/^Out of Range Error: Overflow in \w+ of ([A-Z0-9_]+)/, (m) => ({
    sqlstate: SQLSTATE.numericValueOutOfRange,
    message: `${pgTypeName(m[1]!)} out of range`,
  })],
  [/^Binder Error: column "([^"]+)" must appear in the GROUP BY clause or must be part of an aggregate function/, (m, find) => ({
    sqlstate: SQLSTATE.groupingError,
    message: `column "${find.name(m[1]!)}" must appear in the GROUP BY clause or be used in an aggregate function`,
    ...find.ident(m[1]!),
  })],
];

/**
 * PostgreSQL's wording for an engine message, or undefined when `message` is not the engine's.
 * `sql` is the client's statement (for the position).
 */
export function postgresWording(message: string, sql: string | undefined): PgWording | undefined {
  if (!ENGINE_PREFIX.test(message)) return undefined;
  const body = message.replace(EXCERPT, '');
  const find = new Finder(sql);
  for (const [re, rule] of RULES) {
    const m = re.exec(body);
    if (m) return rule(m, find);
  }
  return { message: body.replace(ENGINE_PREFIX, '') };
}

/** `INTEGER, DECIMAL(10,2), VARCHAR[]` → its types (commas inside parentheses kept). */
function splitTypes(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** A hint naming `candidate` only when it is a likely misspelling of `name` (as PostgreSQL does). */
function closeHint(name: string, candidate: string | undefined, say: (c: string) => string): { hint?: string } {
  if (candidate === undefined) return {};
  const limit = Math.max(1, Math.floor(name.length / 3));
  return editDistance(name.toLowerCase(), candidate.toLowerCase()) <= limit ? { hint: say(candidate) } : {};
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Finds where in the client's statement a name, call or literal is (its first token). */
class Finder {
  private readonly tokens: Token[];

  constructor(sql: string | undefined) {
    let tokens: Token[] = [];
    try {
      tokens = sql === undefined ? [] : scanPg(sql);
    } catch {
      // A statement the scanner refuses has no positions to give.
    }
    this.tokens = tokens;
  }

  /**
   * `name` as PostgreSQL spells it: the engine echoes an identifier as the client wrote it, and
   * PostgreSQL folds an unquoted one to lower case. `name` when no token spells it.
   */
  name(name: string): string {
    const t = this.tokens.find((_, i) => this.names(i, name));
    if (!t) return name;
    return t.text.startsWith('"') ? name : name.toLowerCase();
  }

  /** The first identifier token spelling `name`. */
  ident(name: string): { position?: number } {
    return this.at((i) => this.names(i, name));
  }

  /** `qualifier.name`: the qualifier's token. */
  qualified(qualifier: string, name: string): { position?: number } {
    return this.at((i) => this.names(i, qualifier) && this.tokens[i + 1]?.text === '.' && this.names(i + 2, name));
  }

  /** `qualifier.` anything. */
  qualifier(qualifier: string): { position?: number } {
    return this.at((i) => this.names(i, qualifier) && this.tokens[i + 1]?.text === '.');
  }

  /** `name(`. */
  call(name: string): { position?: number } {
    return this.at((i) => this.names(i, name) && this.tokens[i + 1]?.text === '(');
  }

  /** The string literal with this value. */
  literal(value: string): { position?: number } {
    return this.at((i) => this.tokens[i]!.name === 'SCONST' && this.tokens[i]!.text === `'${value.replaceAll("'", "''")}'`);
  }

  /** A token with exactly this text, when it is the only one. */
  only(text: string): { position?: number } {
    const hits = this.tokens.filter((t) => t.text === text);
    return hits.length === 1 ? { position: hits[0]!.start + 1 } : {};
  }

  private names(i: number, name: string): boolean {
    const t = this.tokens[i];
    if (!t) return false;
    if (t.text.startsWith('"')) return t.text.slice(1, -1).replaceAll('""', '"') === name;
    return t.name !== 'SCONST' && t.text.toLowerCase() === name.toLowerCase();
  }

  private at(test: (i: number) => boolean): { position?: number } {
    for (let i = 0; i < this.tokens.length; i++) if (test(i)) return { position: this.tokens[i]!.start + 1 };
    return {};
  }
}
