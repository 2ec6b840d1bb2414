/**
 * Statement classification: what kind of statement a parse tree is, its leading keyword, and the
 * table it writes (for the write kinds). Also a small token-level recogniser for the Hive-style
 * utility statements Athena accepts but Trino's grammar does not (SHOW DATABASES, SHOW TABLES
 * 'pattern', DESCRIBE FORMATTED t, SHOW PARTITIONS t, ...).
 */
import type { ParserRuleContext, Token } from 'antlr4ng';
import * as P from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';

export type StatementKind =
  | 'select'
  | 'explain'
  | 'show'
  | 'describe'
  | 'create_table_as'
  | 'drop_table'
  | 'alter_table_rename'
  | 'create_view'
  | 'drop_view'
  | 'insert'
  | 'other';

/** The leading keyword of a statement, upper-case (comments skipped). */
export function leadingKeyword(tokens: readonly Token[]): string {
  const first = tokens.find((t) => t.channel === 0 && t.type !== -1);
  return (first?.text ?? '').toUpperCase();
}

export function classifyStatement(s: P.StatementContext): StatementKind {
  if (s instanceof P.StatementDefaultContext) return 'select';
  if (s instanceof P.ExplainContext || s instanceof P.ExplainAnalyzeContext) return 'explain';
  if (s instanceof P.ShowColumnsContext) {
    const first = s.start?.text?.toUpperCase();
    return first === 'DESCRIBE' || first === 'DESC' ? 'describe' : 'show';
  }
  if (
    s instanceof P.ShowTablesContext ||
    s instanceof P.ShowSchemasContext ||
    s instanceof P.ShowCatalogsContext ||
    s instanceof P.ShowCreateTableContext ||
    s instanceof P.ShowCreateViewContext ||
    s instanceof P.ShowFunctionsContext ||
    s instanceof P.ShowSessionContext ||
    s instanceof P.ShowStatsContext ||
    s instanceof P.ShowStatsForQueryContext ||
    s instanceof P.ShowGrantsContext ||
    s instanceof P.ShowRolesContext ||
    s instanceof P.ShowRoleGrantsContext ||
    s instanceof P.ShowCreateSchemaContext ||
    s instanceof P.ShowCreateMaterializedViewContext ||
    s instanceof P.ShowCreateFunctionContext ||
    s instanceof P.ShowTableCommentContext ||
    s instanceof P.ShowColumnCommentContext
  ) {
    return 'show';
  }
  if (s instanceof P.CreateTableAsSelectContext) return 'create_table_as';
  if (s instanceof P.DropTableContext) return 'drop_table';
  if (s instanceof P.RenameTableContext) return 'alter_table_rename';
  if (s instanceof P.CreateViewContext) return 'create_view';
  if (s instanceof P.DropViewContext) return 'drop_view';
  if (s instanceof P.InsertIntoContext) return 'insert';
  return 'other';
}

/** A Hive-style utility statement recognised from its tokens. */
export type HiveUtility =
  | { kind: 'show_databases'; pattern: string | null }
  | { kind: 'show_tables'; database: string | null; pattern: string | null }
  | { kind: 'show_views'; database: string | null; pattern: string | null }
  | { kind: 'show_columns'; table: string[] }
  | { kind: 'show_partitions'; table: string[] }
  | { kind: 'show_tblproperties'; table: string[] }
  | { kind: 'show_create_table'; table: string[] }
  | { kind: 'describe'; table: string[] };

function unquote(text: string): string {
  if ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith('`') && text.endsWith('`'))) {
    return text.slice(1, -1).replaceAll(text[0]! + text[0]!, text[0]!);
  }
  return text;
}

function stringToken(text: string | undefined): string | null {
  if (!text || !text.startsWith("'")) return null;
  return text.slice(1, -1).replaceAll("''", "'");
}

/** Recognise a Hive utility statement, or null. Only used when Trino's grammar rejected the text. */
export function recogniseHiveUtility(tokens: readonly Token[]): HiveUtility | null {
  const words = tokens.filter((t) => t.channel === 0 && t.type !== -1 && t.text !== ';').map((t) => t.text ?? '');
  const upper = words.map((w) => w.toUpperCase());
  let i = 0;
  const peek = (): string | undefined => upper[i];
  const name = (): string[] | null => {
    const parts: string[] = [];
    for (;;) {
      const w = words[i];
      if (w === undefined || !/^([A-Za-z_][\w]*|"(?:[^"]|"")*"|`(?:[^`]|``)*`)$/.test(w)) return parts.length ? parts : null;
      parts.push(unquote(w));
      i++;
      if (words[i] !== '.') return parts;
      i++;
    }
  };
  const end = (): boolean => i === words.length;

  if (peek() === 'SHOW') {
    i++;
    const what = peek();
    i++;
    if (what === 'DATABASES' || what === 'SCHEMAS') {
      if (peek() === 'LIKE') i++;
      const pattern = stringToken(words[i]);
      if (pattern !== null) i++;
      return end() ? { kind: 'show_databases', pattern } : null;
    }
    if (what === 'TABLES' || what === 'VIEWS') {
      let database: string | null = null;
      if (peek() === 'IN' || peek() === 'FROM') {
        i++;
        const n = name();
        if (!n || n.length !== 1) return null;
        database = n[0]!;
      }
      if (peek() === 'LIKE') i++;
      const pattern = stringToken(words[i]);
      if (pattern !== null) i++;
      if (!end()) return null;
      return what === 'TABLES' ? { kind: 'show_tables', database, pattern } : { kind: 'show_views', database, pattern };
    }
    if (what === 'COLUMNS' && (peek() === 'IN' || peek() === 'FROM')) {
      i++;
      const table = name();
      if (!table) return null;
      if (peek() === 'IN' || peek() === 'FROM') {
        i++;
        const db = name();
        if (!db || db.length !== 1) return null;
        table.unshift(db[0]!);
      }
      return end() ? { kind: 'show_columns', table } : null;
    }
    if (what === 'PARTITIONS' || what === 'TBLPROPERTIES') {
      const table = name();
      if (!table) return null;
      // Hive allows `SHOW TBLPROPERTIES t('key')`; the key is ignored.
      return { kind: what === 'PARTITIONS' ? 'show_partitions' : 'show_tblproperties', table };
    }
    if (what === 'CREATE' && peek() === 'TABLE') {
      i++;
      const table = name();
      return table && end() ? { kind: 'show_create_table', table } : null;
    }
    return null;
  }
  if (peek() === 'DESCRIBE' || peek() === 'DESC') {
    i++;
    if (peek() === 'FORMATTED' || peek() === 'EXTENDED') i++;
    const table = name();
    if (!table) return null;
    // An optional column name follows in Hive; DESCRIBE shows every column either way.
    return i <= words.length ? { kind: 'describe', table } : null;
  }
  return null;
}

/** Identifier texts under a node (used for names in SHOW statements). */
export function nameParts(n: ParserRuleContext): P.IdentifierContext[] {
  const out: P.IdentifierContext[] = [];
  const walk = (node: ParserRuleContext): void => {
    if (node instanceof P.IdentifierContext) {
      out.push(node);
      return;
    }
    for (const c of node.children ?? []) if ('children' in c) walk(c as ParserRuleContext);
  };
  walk(n);
  return out;
}
