/**
 * Session commands: the utility statements a PostgreSQL session answers itself (SET, SHOW,
 * RESET, transaction control, DISCARD, DEALLOCATE, cursors, LISTEN, COPY … TO STDOUT), as data
 * the session state machine acts on.
 *
 * A backend's `parse` reports them as `{ kind: 'command', command }`. Backends may build them
 * from their own parser's tree, or use `parseSessionCommand` here (a small tokenizer that knows
 * only these statements); `splitStatements` is a lexical splitter for backends without a parser
 * of their own. Neither is a SQL dialect translator.
 */

export type FetchDirection =
  /** NEXT, FORWARD, FORWARD n, n, ALL, FORWARD ALL (count 'all'). */
  | { kind: 'forward'; count: number | 'all' }
  /** PRIOR, BACKWARD…, FIRST, LAST, ABSOLUTE, RELATIVE, negative counts: need a scrollable cursor. */
  | { kind: 'other'; text: string };

export type SessionCommand =
  /** `value` null = DEFAULT. `name` as written, folded to lower case (TIME ZONE → timezone). */
  | { type: 'set'; name: string; value: string | null; local: boolean }
  /** name null = RESET ALL. */
  | { type: 'reset'; name: string | null }
  /** name null = SHOW ALL. */
  | { type: 'show'; name: string | null }
  | { type: 'begin'; tag: 'BEGIN' | 'START TRANSACTION' }
  | { type: 'commit' }
  | { type: 'rollback' }
  | { type: 'savepoint'; name: string }
  | { type: 'release'; name: string }
  | { type: 'rollback-to'; name: string }
  /** SET TRANSACTION …, SET SESSION CHARACTERISTICS AS TRANSACTION …: accepted, tag SET. */
  | { type: 'set-transaction' }
  | { type: 'discard'; what: 'ALL' | 'PLANS' | 'SEQUENCES' | 'TEMP' }
  /** name null = DEALLOCATE ALL. */
  | { type: 'deallocate'; name: string | null }
  /** `query` is the cursor's query text; the session hands it to the backend's parse. */
  | { type: 'declare'; name: string; query: string; binary: boolean; scroll: boolean; hold: boolean }
  | { type: 'fetch'; name: string; move: boolean; direction: FetchDirection }
  /** name null = CLOSE ALL. */
  | { type: 'close'; name: string | null }
  /** A statement accepted without effect (LISTEN, UNLISTEN), answered with `tag`. */
  | { type: 'noop'; tag: string }
  /** COPY (query) TO STDOUT / COPY table [(cols)] TO STDOUT. */
  | { type: 'copy-out'; query: string; format: 'text' | 'csv'; header: boolean; delimiter: string; null: string; quote: string };

// ---- tokenizer ---------------------------------------------------------------------------------

export interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'param' | 'op' | 'semicolon';
  /** word: lower-cased; quoted: the identifier; string: the value; else the text. */
  value: string;
  /** Offsets into the source text. */
  start: number;
  end: number;
}

/** A statement the tokenizer cannot read (an unterminated quote or comment). */
export class LexError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'LexError';
  }
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Tokens of PostgreSQL SQL, skipping white space and comments (line comments and nested block comments). */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const start = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw new LexError('unterminated /* comment', start);
      continue;
    }
    const start = i;
    if (c === ';') {
      out.push({ kind: 'semicolon', value: ';', start, end: ++i });
      continue;
    }
    // E'…' (backslash escapes), B'…', X'…', U&'…', N'…' and plain '…'.
    const prefix = /^(?:[eE]|[bB]|[xX]|[nN]|[uU]&)'/.exec(sql.slice(i, i + 3));
    if (c === "'" || prefix) {
      const escapes = prefix !== null && /^[eE]/.test(prefix[0]);
      i += prefix ? prefix[0].length : 1;
      let value = '';
      for (;;) {
        if (i >= n) throw new LexError('unterminated quoted string', start);
        const ch = sql[i]!;
        if (ch === "'" && sql[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else if (escapes && ch === '\\' && i + 1 < n) {
          value += unescapeChar(sql[i + 1]!);
          i += 2;
        } else {
          value += ch;
          i++;
        }
      }
      out.push({ kind: 'string', value, start, end: i });
      continue;
    }
    if (c === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) throw new LexError('unterminated quoted identifier', start);
        if (sql[i] === '"' && sql[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (sql[i] === '"') {
          i++;
          break;
        } else value += sql[i++];
      }
      out.push({ kind: 'quoted', value, start, end: i });
      continue;
    }
    if (c === '$') {
      const param = /^\$\d+/.exec(sql.slice(i));
      if (param) {
        i += param[0].length;
        out.push({ kind: 'param', value: param[0], start, end: i });
        continue;
      }
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw new LexError('unterminated dollar-quoted string', start);
        out.push({ kind: 'string', value: sql.slice(i + tag[0].length, close), start, end: close + tag[0].length });
        i = close + tag[0].length;
        continue;
      }
    }
    if (WORD_START.test(c)) {
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      out.push({ kind: 'word', value: sql.slice(start, i).toLowerCase(), start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(sql.slice(i))!;
      i += m[0].length;
      out.push({ kind: 'number', value: m[0], start, end: i });
      continue;
    }
    // Operators: a run of operator characters, else one punctuation character.
    // As PostgreSQL's lexer, a multi-character operator does not end in + or - unless it holds
    // one of ~!@#%^&|`? (so `=-1` is `=` then `-1`).
    const op = /^[+\-*/<>=~!@#%^&|`?]+/.exec(sql.slice(i));
    let opLen = op ? op[0].length : 1;
    if (op && opLen > 1 && !/[~!@#%^&|`?]/.test(op[0])) while (opLen > 1 && /[+-]/.test(op[0][opLen - 1]!)) opLen--;
    i += opLen;
    out.push({ kind: 'op', value: sql.slice(start, i), start, end: i });
  }
  return out;
}

function unescapeChar(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    default:
      return c;
  }
}

/** One statement of a query string and where it starts. */
export interface SplitStatement {
  sql: string;
  /** Offset of `sql` in the whole string (for error positions). */
  offset: number;
}

/**
 * Splits a query string at top-level semicolons (not inside quotes, comments or dollar quotes).
 * Statements that hold only white space and comments are dropped; an all-empty string gives [].
 */
export function splitStatements(sql: string): SplitStatement[] {
  const tokens = tokenize(sql);
  const out: SplitStatement[] = [];
  let first: Token | undefined;
  let last: Token | undefined;
  for (const t of tokens) {
    if (t.kind === 'semicolon') {
      if (first && last) out.push({ sql: sql.slice(first.start, last.end), offset: first.start });
      first = last = undefined;
      continue;
    }
    first ??= t;
    last = t;
  }
  if (first && last) out.push({ sql: sql.slice(first.start, last.end), offset: first.start });
  return out;
}

// ---- session commands -----------------------------------------------------------------------------

class Cursor {
  i = 0;
  constructor(readonly tokens: Token[], readonly sql: string) {}
  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }
  /** The next token if it is one of `words` (lower case). */
  word(...words: string[]): string | undefined {
    const t = this.peek();
    if (t?.kind === 'word' && (words.length === 0 || words.includes(t.value))) {
      this.i++;
      return t.value;
    }
    return undefined;
  }
  op(value: string): boolean {
    const t = this.peek();
    if (t?.kind === 'op' && t.value === value) {
      this.i++;
      return true;
    }
    return false;
  }
  /** An identifier (bare word lower-cased, or quoted as is). */
  ident(): string | undefined {
    const t = this.peek();
    if (t?.kind === 'word' || t?.kind === 'quoted') {
      this.i++;
      return t.value;
    }
    return undefined;
  }
  get done(): boolean {
    return this.i >= this.tokens.length;
  }
  restFrom(k: number): string {
    const t = this.tokens[k];
    return t ? this.sql.slice(t.start, this.tokens[this.tokens.length - 1]!.end) : '';
  }
}

/**
 * The session command a single statement is, or undefined for anything else (a query, or a
 * statement for the backend to answer or refuse). Throws LexError on an unterminated quote.
 */
export function parseSessionCommand(sql: string): SessionCommand | undefined {
  const tokens = tokenize(sql).filter((t, i, all) => !(t.kind === 'semicolon' && i === all.length - 1));
  if (tokens.length === 0 || tokens.some((t) => t.kind === 'semicolon')) return undefined;
  const c = new Cursor(tokens, sql);
  const head = c.word();
  switch (head) {
    case 'set':
      return parseSet(c);
    case 'reset':
      return parseReset(c);
    case 'show':
      return parseShow(c);
    case 'begin':
      c.word('work', 'transaction');
      return transactionModesOnly(c) ? { type: 'begin', tag: 'BEGIN' } : undefined;
    case 'start':
      if (!c.word('transaction')) return undefined;
      return transactionModesOnly(c) ? { type: 'begin', tag: 'START TRANSACTION' } : undefined;
    case 'commit':
    case 'end':
      c.word('work', 'transaction');
      return chainOnly(c) ? { type: 'commit' } : undefined;
    case 'abort':
      c.word('work', 'transaction');
      return chainOnly(c) ? { type: 'rollback' } : undefined;
    case 'rollback': {
      c.word('work', 'transaction');
      if (c.word('to')) {
        c.word('savepoint');
        const name = c.ident();
        return name !== undefined && c.done ? { type: 'rollback-to', name } : undefined;
      }
      return chainOnly(c) ? { type: 'rollback' } : undefined;
    }
    case 'savepoint': {
      const name = c.ident();
      return name !== undefined && c.done ? { type: 'savepoint', name } : undefined;
    }
    case 'release': {
      c.word('savepoint');
      const name = c.ident();
      return name !== undefined && c.done ? { type: 'release', name } : undefined;
    }
    case 'discard': {
      const what = c.word('all', 'plans', 'sequences', 'temp', 'temporary');
      if (!what || !c.done) return undefined;
      return { type: 'discard', what: what === 'temporary' ? 'TEMP' : (what.toUpperCase() as 'ALL' | 'PLANS' | 'SEQUENCES' | 'TEMP') };
    }
    case 'deallocate': {
      c.word('prepare');
      if (c.word('all')) return c.done ? { type: 'deallocate', name: null } : undefined;
      const name = c.ident();
      return name !== undefined && c.done ? { type: 'deallocate', name } : undefined;
    }
    case 'declare':
      return parseDeclare(c);
    case 'fetch':
    case 'move':
      return parseFetch(c, head === 'move');
    case 'close': {
      if (c.word('all')) return c.done ? { type: 'close', name: null } : undefined;
      const name = c.ident();
      return name !== undefined && c.done ? { type: 'close', name } : undefined;
    }
    case 'listen':
      return c.ident() !== undefined && c.done ? { type: 'noop', tag: 'LISTEN' } : undefined;
    case 'unlisten':
      return (c.op('*') || c.ident() !== undefined) && c.done ? { type: 'noop', tag: 'UNLISTEN' } : undefined;
    case 'copy':
      return parseCopy(c);
    default:
      return undefined;
  }
}

const TX_MODE_WORDS = new Set(['isolation', 'level', 'read', 'write', 'only', 'committed', 'uncommitted', 'repeatable', 'serializable', 'deferrable', 'not']);

function transactionModesOnly(c: Cursor): boolean {
  while (!c.done) {
    const t = c.peek()!;
    if ((t.kind === 'word' && TX_MODE_WORDS.has(t.value)) || (t.kind === 'op' && t.value === ',')) c.i++;
    else return false;
  }
  return true;
}

function chainOnly(c: Cursor): boolean {
  if (c.word('and')) {
    c.word('no');
    if (!c.word('chain')) return false;
  }
  return c.done;
}

/** A GUC name, possibly qualified (`myext.setting`). */
function gucName(c: Cursor): string | undefined {
  let name = c.ident();
  if (name === undefined) return undefined;
  while (c.peek()?.kind === 'op' && c.peek()!.value === '.') {
    c.i++;
    const part = c.ident();
    if (part === undefined) return undefined;
    name += `.${part}`;
  }
  return name;
}

/** SET's value list as PostgreSQL flattens it (`a, "B", 'c'` → `a, "B", c`). */
function gucValue(c: Cursor): string | null | undefined {
  if (c.peek()?.kind === 'word' && c.peek()!.value === 'default' && c.tokens.length === c.i + 1) {
    c.i++;
    return null;
  }
  const parts: string[] = [];
  while (!c.done) {
    let t = c.peek()!;
    let sign = '';
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      sign = t.value === '-' ? '-' : '';
      c.i++;
      t = c.peek() ?? t;
      if (t.kind !== 'number') return undefined;
    }
    if (t.kind === 'string' || t.kind === 'word' || t.kind === 'number') parts.push(sign + t.value);
    else if (t.kind === 'quoted') parts.push(`"${t.value.replace(/"/g, '""')}"`);
    else return undefined;
    c.i++;
    if (c.done) break;
    if (!c.op(',')) return undefined;
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function parseSet(c: Cursor): SessionCommand | undefined {
  const scope = c.word('session', 'local');
  const local = scope === 'local';
  if (c.word('transaction')) return { type: 'set-transaction' };
  if (scope === 'session' && c.word('characteristics')) {
    return c.word('as') && c.word('transaction') ? { type: 'set-transaction' } : undefined;
  }
  if (c.peek()?.kind === 'word' && c.peek()!.value === 'time' && c.peek(1)?.kind === 'word' && c.peek(1)!.value === 'zone') {
    c.i += 2;
    if (c.word('local', 'default')) return c.done ? { type: 'set', name: 'timezone', value: null, local } : undefined;
    if (c.word('interval')) return undefined; // SET TIME ZONE INTERVAL '…' HOUR TO MINUTE: not supported
    const v = gucValue(c);
    return v === undefined ? undefined : { type: 'set', name: 'timezone', value: v, local };
  }
  if (c.word('schema')) {
    const t = c.peek();
    if (t?.kind !== 'string' || c.tokens.length !== c.i + 1) return undefined;
    return { type: 'set', name: 'search_path', value: t.value, local };
  }
  if (c.word('names')) {
    if (c.word('default')) return c.done ? { type: 'set', name: 'client_encoding', value: null, local } : undefined;
    const v = gucValue(c);
    return v === undefined ? undefined : { type: 'set', name: 'client_encoding', value: v, local };
  }
  if (scope === 'session' && c.word('authorization')) {
    if (c.word('default')) return c.done ? { type: 'set', name: 'session_authorization', value: null, local } : undefined;
    const v = c.peek();
    if (!v || !['word', 'quoted', 'string'].includes(v.kind) || c.tokens.length !== c.i + 1) return undefined;
    return { type: 'set', name: 'session_authorization', value: v.value, local };
  }
  if (c.word('role')) {
    const v = c.peek();
    if (!v || !['word', 'quoted', 'string'].includes(v.kind) || c.tokens.length !== c.i + 1) return undefined;
    return { type: 'set', name: 'role', value: v.kind === 'word' && v.value === 'none' ? null : v.value, local };
  }
  const name = gucName(c);
  if (name === undefined) return undefined;
  if (!c.word('to') && !c.op('=')) return undefined;
  const v = gucValue(c);
  return v === undefined ? undefined : { type: 'set', name, value: v, local };
}

function parseReset(c: Cursor): SessionCommand | undefined {
  if (c.word('all')) return c.done ? { type: 'reset', name: null } : undefined;
  if (c.word('time')) return c.word('zone') && c.done ? { type: 'reset', name: 'timezone' } : undefined;
  if (c.word('session')) return c.word('authorization') && c.done ? { type: 'reset', name: 'session_authorization' } : undefined;
  const name = gucName(c);
  return name !== undefined && c.done ? { type: 'reset', name } : undefined;
}

function parseShow(c: Cursor): SessionCommand | undefined {
  if (c.word('all')) return c.done ? { type: 'show', name: null } : undefined;
  if (c.peek()?.value === 'time' && c.peek(1)?.value === 'zone' && c.tokens.length === c.i + 2) return { type: 'show', name: 'timezone' };
  if (c.peek()?.value === 'transaction' && c.peek(1)?.value === 'isolation' && c.peek(2)?.value === 'level' && c.tokens.length === c.i + 3) {
    return { type: 'show', name: 'transaction_isolation' };
  }
  if (c.peek()?.value === 'session' && c.peek(1)?.value === 'authorization' && c.tokens.length === c.i + 2) {
    return { type: 'show', name: 'session_authorization' };
  }
  const name = gucName(c);
  return name !== undefined && c.done ? { type: 'show', name } : undefined;
}

function parseDeclare(c: Cursor): SessionCommand | undefined {
  const name = c.ident();
  if (name === undefined) return undefined;
  let binary = false;
  let scroll = false;
  let hold = false;
  for (;;) {
    const w = c.word('binary', 'insensitive', 'asensitive', 'no', 'scroll');
    if (w === undefined) break;
    if (w === 'binary') binary = true;
    else if (w === 'scroll') scroll = true;
    else if (w === 'no' && !c.word('scroll')) return undefined;
  }
  if (!c.word('cursor')) return undefined;
  if (c.word('with')) {
    if (!c.word('hold')) return undefined;
    hold = true;
  } else if (c.word('without')) {
    if (!c.word('hold')) return undefined;
  }
  if (!c.word('for')) return undefined;
  const query = c.restFrom(c.i);
  return query === '' ? undefined : { type: 'declare', name, query, binary, scroll, hold };
}

function fetchCount(t: Token | undefined): number | undefined {
  return t?.kind === 'number' && /^\d+$/.test(t.value) ? Number(t.value) : undefined;
}

function parseFetch(c: Cursor, move: boolean): SessionCommand | undefined {
  const startIdx = c.i;
  let direction: FetchDirection = { kind: 'forward', count: 1 };
  const w = c.peek()?.kind === 'word' ? c.peek()!.value : undefined;
  const signed = c.peek()?.kind === 'op' && c.peek()!.value === '-' && c.peek(1)?.kind === 'number';
  if (signed) {
    c.i += 2;
    direction = { kind: 'other', text: c.restFrom(startIdx) };
  } else if (c.peek()?.kind === 'number') {
    const n = fetchCount(c.peek());
    if (n === undefined) return undefined;
    c.i++;
    direction = { kind: 'forward', count: n };
  } else if (w === 'next') {
    c.i++;
  } else if (w === 'all') {
    c.i++;
    direction = { kind: 'forward', count: 'all' };
  } else if (w === 'forward') {
    c.i++;
    if (c.word('all')) direction = { kind: 'forward', count: 'all' };
    else if (c.peek()?.kind === 'number') {
      const n = fetchCount(c.peek());
      if (n === undefined) return undefined;
      c.i++;
      direction = { kind: 'forward', count: n };
    } else if (c.peek()?.kind === 'op' && c.peek()!.value === '-') {
      c.i += 2;
      direction = { kind: 'other', text: 'FORWARD -n' };
    }
  } else if (w === 'prior' || w === 'first' || w === 'last') {
    c.i++;
    direction = { kind: 'other', text: w.toUpperCase() };
  } else if (w === 'backward' || w === 'absolute' || w === 'relative') {
    c.i++;
    if (c.peek()?.kind === 'op' && c.peek()!.value === '-') c.i++;
    if (c.peek()?.kind === 'number' || (w === 'backward' && c.peek()?.value === 'all')) c.i++;
    direction = { kind: 'other', text: w.toUpperCase() };
  }
  c.word('from', 'in');
  const name = c.ident();
  if (name === undefined || !c.done) return undefined;
  return { type: 'fetch', name, move, direction };
}

function parseCopy(c: Cursor): SessionCommand | undefined {
  let query: string;
  const t = c.peek();
  if (t?.kind === 'op' && t.value === '(') {
    // COPY ( query ) TO STDOUT …: find the matching parenthesis.
    let depth = 0;
    let end = -1;
    for (let k = c.i; k < c.tokens.length; k++) {
      const tk = c.tokens[k]!;
      if (tk.kind === 'op' && tk.value === '(') depth++;
      else if (tk.kind === 'op' && tk.value === ')' && --depth === 0) {
        end = k;
        break;
      }
    }
    if (end < 0) return undefined;
    query = c.sql.slice(c.tokens[c.i + 1]!.start, c.tokens[end - 1]!.end);
    c.i = end + 1;
  } else {
    const parts: string[] = [];
    const first = c.ident();
    if (first === undefined) return undefined;
    parts.push(quoteIdent(first));
    while (c.op('.')) {
      const p = c.ident();
      if (p === undefined) return undefined;
      parts.push(quoteIdent(p));
    }
    let cols = '*';
    if (c.peek()?.kind === 'op' && c.peek()!.value === '(') {
      c.i++;
      const names: string[] = [];
      for (;;) {
        const n = c.ident();
        if (n === undefined) return undefined;
        names.push(quoteIdent(n));
        if (c.op(')')) break;
        if (!c.op(',')) return undefined;
      }
      cols = names.join(', ');
    }
    query = `SELECT ${cols} FROM ${parts.join('.')}`;
  }
  if (!c.word('to') || !c.word('stdout')) return undefined;
  const opts = { format: 'text' as 'text' | 'csv', header: false, delimiter: '', null: '', quote: '"' };
  let nullSet = false;
  let delimSet = false;
  c.word('with');
  const setOpt = (name: string, value: string | undefined): boolean => {
    switch (name) {
      case 'format':
        if (value !== 'text' && value !== 'csv') return false;
        opts.format = value;
        return true;
      case 'csv':
        opts.format = 'csv';
        return true;
      case 'header':
        opts.header = value === undefined || ['true', 'on', '1'].includes(value);
        return true;
      case 'delimiter':
        if (value === undefined || [...value].length !== 1) return false;
        opts.delimiter = value;
        delimSet = true;
        return true;
      case 'null':
        if (value === undefined) return false;
        opts.null = value;
        nullSet = true;
        return true;
      case 'quote':
        if (value === undefined || [...value].length !== 1) return false;
        opts.quote = value;
        return true;
      default:
        return false;
    }
  };
  if (c.op('(')) {
    for (;;) {
      const name = c.word();
      if (name === undefined) return undefined;
      const v = c.peek();
      let value: string | undefined;
      if (v && (v.kind === 'word' || v.kind === 'string' || v.kind === 'number')) {
        value = v.value;
        c.i++;
      }
      if (!setOpt(name, value)) return undefined;
      if (c.op(')')) break;
      if (!c.op(',')) return undefined;
    }
  } else {
    // The pre-9.0 option syntax: CSV HEADER DELIMITER 'x' NULL 'y' …
    while (!c.done) {
      const name = c.word();
      if (name === undefined) return undefined;
      if (name === 'binary') return undefined;
      let value: string | undefined;
      if (name === 'delimiter' || name === 'null' || name === 'quote') {
        c.word('as');
        const v = c.peek();
        if (v?.kind !== 'string') return undefined;
        value = v.value;
        c.i++;
      }
      if (!setOpt(name, value)) return undefined;
    }
  }
  if (!c.done) return undefined;
  if (!delimSet) opts.delimiter = opts.format === 'csv' ? ',' : '\t';
  if (!nullSet) opts.null = opts.format === 'csv' ? '' : '\\N';
  return { type: 'copy-out', query, ...opts };
}

/** An identifier quoted when it would not read back as itself unquoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
