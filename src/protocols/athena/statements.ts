/**
 * What Athena calls a statement, decided from its leading words (comments skipped, as Athena
 * does, so Looker's context comments do not change it), and what that means for its result:
 *
 *   StatementType   SELECT/WITH/VALUES/EXPLAIN… → DML; CREATE/DROP/ALTER → DDL; SHOW/DESCRIBE/… → UTILITY
 *   ResultKind      rows    (DML reads: `<id>.csv` with a header line, header row on page one)
 *                   utility (SHOW/DESCRIBE…: `<id>.txt`, string columns, no header row)
 *                   ctas    (CREATE TABLE AS: `tables/<id>`, no rows, UpdateCount = rows written)
 *                   ddl     (DROP/ALTER/CREATE VIEW: `<id>.txt`, no columns, no .metadata)
 *
 * Also substitutes ExecutionParameters into `?` placeholders, on the Trino lexer's tokens so a
 * `?` inside a string, quoted name or comment is never taken for one.
 */
import type { Token } from 'antlr4ng';
import { TrinoSqlParser } from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import { lexTrino, parseTrino } from '../../sql/trino/parse.ts';
import { invalidRequest } from './errors.ts';

export type StatementType = 'DML' | 'DDL' | 'UTILITY';
export type ResultKind = 'rows' | 'utility' | 'ctas' | 'ddl';

export interface StatementClass {
  statementType: StatementType;
  /** Athena's SubstatementType; absent for statements it has no name for. */
  substatementType?: string;
  resultKind: ResultKind;
}

const HIDDEN_CHANNEL = 1;
const EOF = -1;

/** Upper-case words of the statement's visible tokens (comments and whitespace skipped). */
function words(tokens: readonly Token[]): string[] {
  return tokens.filter((t) => t.channel !== HIDDEN_CHANNEL && t.type !== EOF).map((t) => (t.text ?? '').toUpperCase());
}

export function classifyStatement(sql: string): StatementClass {
  const w = words(lexTrino(sql));
  const at = (i: number) => w[i] ?? '';
  switch (at(0)) {
    case 'SELECT':
    case 'WITH':
    case 'VALUES':
    case '(':
      return { statementType: 'DML', substatementType: 'SELECT', resultKind: 'rows' };
    case 'EXPLAIN':
      return { statementType: 'DML', substatementType: 'EXPLAIN', resultKind: 'rows' };
    case 'INSERT':
    case 'UPDATE':
    case 'DELETE':
    case 'MERGE':
      return { statementType: 'DML', substatementType: at(0), resultKind: 'ctas' };
    case 'CREATE': {
      const object = at(1) === 'OR' ? at(3) : at(1);
      if (object === 'TABLE' && isCreateTableAs(w)) return { statementType: 'DDL', substatementType: 'CREATE_TABLE_AS_SELECT', resultKind: 'ctas' };
      const sub = object === 'TABLE' ? 'CREATE_TABLE' : object === 'VIEW' ? 'CREATE_VIEW' : object === 'DATABASE' || object === 'SCHEMA' ? 'CREATE_DATABASE' : undefined;
      return { statementType: 'DDL', ...(sub ? { substatementType: sub } : {}), resultKind: 'ddl' };
    }
    case 'DROP': {
      const sub = at(1) === 'TABLE' ? 'DROP_TABLE' : at(1) === 'VIEW' ? 'DROP_VIEW' : at(1) === 'DATABASE' || at(1) === 'SCHEMA' ? 'DROP_DATABASE' : undefined;
      return { statementType: 'DDL', ...(sub ? { substatementType: sub } : {}), resultKind: 'ddl' };
    }
    case 'ALTER':
      return { statementType: 'DDL', ...(at(1) === 'TABLE' && w.includes('RENAME') ? { substatementType: 'ALTER_TABLE_RENAME' } : {}), resultKind: 'ddl' };
    case 'DESCRIBE':
    case 'DESC':
      return { statementType: 'UTILITY', substatementType: 'DESCRIBE_TABLE', resultKind: 'utility' };
    case 'SHOW': {
      const sub =
        at(1) === 'TABLES' || at(1) === 'VIEWS' ? 'SHOW_TABLES'
        : at(1) === 'DATABASES' || at(1) === 'SCHEMAS' ? 'SHOW_DATABASES'
        : at(1) === 'COLUMNS' ? 'SHOW_COLUMNS'
        : at(1) === 'CREATE' && at(2) === 'TABLE' ? 'SHOW_CREATE_TABLE'
        : at(1) === 'PARTITIONS' ? 'SHOW_PARTITIONS'
        : undefined;
      return { statementType: 'UTILITY', ...(sub ? { substatementType: sub } : {}), resultKind: 'utility' };
    }
    default:
      return { statementType: 'UTILITY', resultKind: 'utility' };
  }
}

/** `CREATE [OR REPLACE] TABLE … AS (SELECT | WITH | VALUES | ( )`. */
function isCreateTableAs(w: readonly string[]): boolean {
  for (let i = 2; i < w.length - 1; i++) {
    if (w[i] === 'AS' && ['SELECT', 'WITH', 'VALUES', '('].includes(w[i + 1]!)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// ExecutionParameters

/**
 * The statement with each `?` replaced by the next parameter, as Athena does: a parameter that
 * parses as an expression without column references is used as SQL (`10`, `'abc'`,
 * `DATE '2024-01-01'`, `ARRAY[1, 2]`); anything else becomes a string literal. Parameters sent
 * with SQL that has no `?` are ignored (Athena ignores them too); a `?` without a parameter (none
 * sent, or fewer than the placeholders) is an InvalidRequestException at submit time.
 */
export function bindParameters(sql: string, params: readonly string[] | undefined): string {
  if (!sql.includes('?')) return sql;
  const sent = params?.length ?? 0;
  const tokens = lexTrino(sql).filter((t) => t.type !== EOF);
  const marks = tokens.filter((t) => t.type === TrinoSqlParser.QUESTION_MARK && t.channel !== HIDDEN_CHANNEL).length;
  if (marks === 0) return sql;
  if (marks !== sent) {
    // Trino's wording in parentheses (what Athena reports for a statement with unfilled `?`).
    const what = sent === 0 ? 'no ExecutionParameters were sent' : `${sent} ExecutionParameter${sent === 1 ? ' was' : 's were'} sent`;
    throw invalidRequest(
      `the query has ${marks} parameter placeholder${marks === 1 ? '' : 's'} (?) but ${what}; send one value per placeholder in ExecutionParameters ` +
        `(Incorrect number of parameters: expected ${marks} but found ${sent})`,
    );
  }
  if (tokens.map((t) => t.text ?? '').join('') !== sql) {
    throw invalidRequest('the query text could not be tokenized to fill in its ExecutionParameters; check its quotes and comments');
  }
  const values = params ?? [];
  let next = 0;
  return tokens
    .map((t) => (t.type === TrinoSqlParser.QUESTION_MARK && t.channel !== HIDDEN_CHANNEL ? parameterSql(values[next++]!) : (t.text ?? '')))
    .join('');
}

function parameterSql(value: string): string {
  return isColumnFreeExpression(value) ? value : `'${value.replaceAll("'", "''")}'`;
}

/** Words an expression may hold that name no column: literals, operators, type names. */
const EXPRESSION_WORDS = new Set([
  'TRUE', 'FALSE', 'NULL', 'DATE', 'TIMESTAMP', 'TIME', 'INTERVAL', 'ARRAY', 'MAP', 'ROW', 'CAST', 'TRY_CAST', 'AS', 'AND', 'OR',
  'NOT', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'IS', 'IN', 'BETWEEN', 'LIKE', 'ESCAPE', 'DISTINCT', 'FROM', 'TO', 'WITH', 'ZONE', 'AT',
  'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'LOCALTIME', 'LOCALTIMESTAMP',
  'VARCHAR', 'CHAR', 'INTEGER', 'INT', 'BIGINT', 'SMALLINT', 'TINYINT', 'DOUBLE', 'REAL', 'DECIMAL', 'BOOLEAN', 'VARBINARY', 'JSON', 'PRECISION',
]);

/** Whether `SELECT <value>` parses and the value names no column (other words only as function names). */
function isColumnFreeExpression(value: string): boolean {
  const tokens = lexTrino(value).filter((t) => t.channel !== HIDDEN_CHANNEL && t.type !== EOF);
  if (tokens.length === 0) return false;
  if (tokens.some((t) => t.type === TrinoSqlParser.SEMICOLON || t.type === TrinoSqlParser.QUESTION_MARK)) return false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const quoted = t.type === TrinoSqlParser.QUOTED_IDENTIFIER || t.type === TrinoSqlParser.BACKQUOTED_IDENTIFIER || t.type === TrinoSqlParser.DIGIT_IDENTIFIER;
    const word = /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.text ?? '') && !EXPRESSION_WORDS.has((t.text ?? '').toUpperCase());
    if ((quoted || word) && tokens[i + 1]?.text !== '(') return false;
  }
  try {
    parseTrino(`SELECT ${value}`);
    return true;
  } catch {
    return false;
  }
}
