/**
 * Parser wrapper around dt-sql-parser's ANTLR4 Trino grammar (an adaptation of Trino's own
 * SqlBase.g4). It returns the single statement's parse tree and the full token list (hidden
 * channel included), or throws a SqlError:
 *  - `multiple_statements` when anything but a trailing `;` follows the first statement, decided on
 *    Trino's own tokens so quotes and comments cannot hide a second statement;
 *  - `syntax_error` with Trino's message shape `line L:C: mismatched input 'x'. Expecting: ...`.
 *
 * Parsing runs in SLL mode first (fast) and only re-parses in full LL mode when SLL reports an
 * error, the standard two-stage ANTLR strategy: the LL result is authoritative.
 */
import type { ANTLRErrorListener, Parser, RecognitionException, Token } from 'antlr4ng';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino/index.js';
import { TrinoSqlParser } from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import type { StatementContext } from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import { SqlError } from './errors.ts';

/** antlr4ng's PredictionMode values (kept numeric so only dt-sql-parser is a runtime import). */
const PREDICTION_SLL = 0;
const PREDICTION_LL = 1;
const HIDDEN_CHANNEL = 1;
const EOF = -1;

export interface ParsedStatement {
  readonly input: string;
  /** Every token, hidden channel (whitespace, comments) included, ending with EOF. */
  readonly tokens: readonly Token[];
  readonly statement: StatementContext;
}

const trino = new TrinoSQL();

interface FirstError {
  token: Token | null;
  line: number;
  column: number;
  expected: number[];
}

class FirstErrorListener implements ANTLRErrorListener {
  first: FirstError | null = null;

  syntaxError(
    recognizer: unknown,
    offendingSymbol: Token | null,
    line: number,
    charPositionInLine: number,
    _msg: string,
    e: RecognitionException | null,
  ): void {
    if (this.first) return;
    let expected: number[] = [];
    try {
      const set = e?.getExpectedTokens() ?? (recognizer as Parser).getExpectedTokens();
      expected = set ? set.toArray() : [];
    } catch {
      expected = [];
    }
    this.first = { token: offendingSymbol, line, column: charPositionInLine, expected };
  }
  reportAmbiguity(): void {}
  reportAttemptingFullContext(): void {}
  reportContextSensitivity(): void {}
}

function runParser(input: string, mode: number): { parser: TrinoSqlParser; error: FirstError | null; tree: ReturnType<TrinoSqlParser['program']> } {
  const parser = trino.createParser(input);
  const listener = new FirstErrorListener();
  parser.removeErrorListeners();
  parser.addErrorListener(listener);
  parser.interpreter.predictionMode = mode;
  parser.buildParseTrees = true;
  const tree = parser.program();
  return { parser, error: listener.first, tree };
}

/** The parser's token stream is a filled CommonTokenStream (hidden tokens included). */
function allTokens(parser: TrinoSqlParser): Token[] {
  return (parser.tokenStream as unknown as { getTokens(): Token[] }).getTokens();
}

let nonReservedCache: Set<number> | null = null;

/** Keyword tokens that the grammar also accepts as identifiers (rule `nonReserved`). */
function nonReservedTokens(parser: TrinoSqlParser): Set<number> {
  if (nonReservedCache) return nonReservedCache;
  const start = parser.atn.ruleToStartState[TrinoSqlParser.RULE_nonReserved];
  const set = start ? parser.atn.nextTokens(start) : null;
  nonReservedCache = new Set(set ? set.toArray() : []);
  return nonReservedCache;
}

const SYMBOLIC_DISPLAY: Record<string, string> = {
  IDENTIFIER: '<identifier>',
  QUOTED_IDENTIFIER: '<identifier>',
  BACKQUOTED_IDENTIFIER: '<identifier>',
  DIGIT_IDENTIFIER: '<identifier>',
  STRING: '<string>',
  UNICODE_STRING: '<string>',
  BINARY_LITERAL: '<binary literal>',
  INTEGER_VALUE: '<integer>',
  DECIMAL_VALUE: '<decimal>',
  DOUBLE_VALUE: '<double>',
};

function expectedText(parser: TrinoSqlParser, expected: number[]): string {
  const vocabulary = parser.vocabulary;
  const names = new Set<string>();
  const identifiers = expected.includes(TrinoSqlParser.IDENTIFIER);
  const nonReserved = identifiers ? nonReservedTokens(parser) : new Set<number>();
  for (const t of expected) {
    if (t === EOF) {
      names.add('<EOF>');
      continue;
    }
    if (nonReserved.has(t)) continue; // covered by <identifier>
    const symbolic = vocabulary.getSymbolicName(t);
    const display = symbolic ? SYMBOLIC_DISPLAY[symbolic] : undefined;
    if (display) {
      names.add(display);
      continue;
    }
    const literal = vocabulary.getLiteralName(t);
    if (literal) names.add(literal);
    else if (symbolic && symbolic !== 'UNRECOGNIZED' && symbolic !== 'DELIMITER') names.add(symbolic);
  }
  return [...names].sort(compareExpected).join(', ');
}

/** Punctuation first, then keywords, then <placeholders>, each alphabetically (stable output). */
function compareExpected(a: string, b: string): number {
  const rank = (s: string): number => (s.startsWith('<') ? 2 : /^'[A-Z_]+'$/.test(s) ? 1 : 0);
  return rank(a) - rank(b) || a.localeCompare(b);
}

function tokenDisplay(token: Token | null): string {
  if (!token || token.type === EOF) return '<EOF>';
  return token.text ?? '';
}

function syntaxError(parser: TrinoSqlParser, error: FirstError, input: string): SqlError {
  let line = error.line;
  let column = error.column + 1;
  if (!error.token || error.token.type === EOF) {
    // Trino reports EOF at the end of the text.
    const lines = input.split(/\r\n|\r|\n/);
    line = lines.length;
    column = (lines[lines.length - 1] ?? '').length + 1;
  }
  const expecting = expectedText(parser, error.expected);
  const message =
    `line ${line}:${column}: mismatched input '${tokenDisplay(error.token)}'.` + (expecting ? ` Expecting: ${expecting}` : '');
  return new SqlError('syntax_error', message, line, column);
}

/** All tokens of the input (hidden channel included), without parsing. */
export function lexTrino(input: string): Token[] {
  return allTokens(trino.createParser(input));
}

/** Parse exactly one Trino statement (a trailing semicolon is allowed). */
export function parseTrino(input: string): ParsedStatement {
  let attempt = runParser(input, PREDICTION_SLL);
  const tokens = allTokens(attempt.parser);

  // One statement: nothing but hidden tokens may follow the first top-level semicolon.
  const semicolon = tokens.find((t) => t.type === TrinoSqlParser.SEMICOLON && t.channel !== HIDDEN_CHANNEL);
  if (semicolon) {
    const after = tokens.find((t) => t.tokenIndex > semicolon.tokenIndex && t.channel !== HIDDEN_CHANNEL && t.type !== EOF);
    if (after) throw new SqlError('multiple_statements', 'only one statement per query is allowed', after.line, after.column + 1);
  }

  if (attempt.error) {
    attempt = runParser(input, PREDICTION_LL);
    if (attempt.error) throw syntaxError(attempt.parser, attempt.error, input);
  }
  const statements = attempt.tree.statements();
  if (statements.length === 0) {
    throw syntaxError(attempt.parser, { token: tokens[tokens.length - 1] ?? null, line: 1, column: 0, expected: [] }, input);
  }
  if (statements.length > 1) {
    // Two statements without a separating semicolon: Trino's grammar rejects the second one.
    const second = statements[1]!.start;
    throw syntaxError(attempt.parser, { token: second, line: second?.line ?? 1, column: second?.column ?? 0, expected: [EOF] }, input);
  }
  return { input, tokens, statement: statements[0]!.singleStatement().statement() };
}
