/**
 * Types in the Hive/Glue DDL spelling Athena's catalog shows (GetTableMetadata `Columns[].Type`,
 * DESCRIBE): `string`, `int`, `array<string>`, `struct<a:int>`, `decimal(10,2)`. From engine types
 * through one exhaustive map (it agrees with schema/physical.ts HIVE_TYPE on every stored type),
 * and from the engine's SQL type text as information_schema shows it (`VARCHAR[]`,
 * `STRUCT(a INTEGER)`), which the Trino front-end's DESCRIBE returns.
 */
import type { EngineType, EngineTypeKind } from '../../engine/engine.ts';

const HIVE: Record<EngineTypeKind, (t: EngineType) => string> = {
  boolean: () => 'boolean',
  tinyint: () => 'tinyint',
  smallint: () => 'smallint',
  integer: () => 'int',
  bigint: () => 'bigint',
  hugeint: () => 'bigint',
  utinyint: () => 'smallint',
  usmallint: () => 'int',
  uinteger: () => 'bigint',
  ubigint: () => 'decimal(20,0)',
  real: () => 'float',
  double: () => 'double',
  decimal: (t) => `decimal(${t.precision ?? 38},${t.scale ?? 0})`,
  varchar: () => 'string',
  blob: () => 'binary',
  uuid: () => 'string',
  date: () => 'date',
  time: () => 'string',
  timestamp: () => 'timestamp',
  timestamptz: () => 'timestamp',
  interval: () => 'string',
  list: (t) => `array<${hiveType(t.element ?? { kind: 'varchar' })}>`,
  struct: (t) => `struct<${(t.fields ?? []).map((f) => `${f.name}:${hiveType(f.type)}`).join(',')}>`,
  map: (t) => `map<${hiveType(t.key ?? { kind: 'varchar' })},${hiveType(t.element ?? { kind: 'varchar' })}>`,
  json: () => 'string',
  null: () => 'string',
};

export function hiveType(t: EngineType): string {
  return HIVE[t.kind](t);
}

/** The engine's type spellings (upper-case words) → engine type kinds; anything else reads as varchar. */
const NAMED: Record<string, EngineTypeKind> = {
  BOOLEAN: 'boolean', BOOL: 'boolean', LOGICAL: 'boolean',
  TINYINT: 'tinyint', INT1: 'tinyint', SMALLINT: 'smallint', INT2: 'smallint', SHORT: 'smallint',
  INTEGER: 'integer', INT: 'integer', INT4: 'integer', SIGNED: 'integer',
  BIGINT: 'bigint', INT8: 'bigint', LONG: 'bigint', HUGEINT: 'hugeint', INT128: 'hugeint',
  UTINYINT: 'utinyint', USMALLINT: 'usmallint', UINTEGER: 'uinteger', UBIGINT: 'ubigint',
  FLOAT: 'real', REAL: 'real', FLOAT4: 'real', DOUBLE: 'double', FLOAT8: 'double',
  VARCHAR: 'varchar', TEXT: 'varchar', STRING: 'varchar', CHAR: 'varchar', BPCHAR: 'varchar',
  BLOB: 'blob', BYTEA: 'blob', BINARY: 'blob', VARBINARY: 'blob', UUID: 'uuid',
  DATE: 'date', TIME: 'time', 'TIME WITH TIME ZONE': 'time', TIMETZ: 'time',
  TIMESTAMP: 'timestamp', DATETIME: 'timestamp', TIMESTAMP_MS: 'timestamp', TIMESTAMP_NS: 'timestamp', TIMESTAMP_S: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz', TIMESTAMPTZ: 'timestamptz',
  INTERVAL: 'interval', JSON: 'json', NULL: 'null',
};

/** Parses the engine's SQL spelling of a type (`DECIMAL(18,3)`, `VARCHAR[]`, `MAP(VARCHAR, INTEGER)`, `STRUCT("a b" INTEGER)`). */
export function parseTypeText(text: string): EngineType {
  const p = new TypeTextParser(text);
  const t = p.type();
  return p.atEnd() ? t : { kind: 'varchar' };
}

class TypeTextParser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    this.space();
    return this.i >= this.s.length;
  }

  type(): EngineType {
    let t = this.base();
    for (;;) {
      this.space();
      if (this.s[this.i] !== '[') return t;
      const end = this.s.indexOf(']', this.i);
      if (end < 0) return t;
      this.i = end + 1;
      t = { kind: 'list', element: t };
    }
  }

  private base(): EngineType {
    const words: string[] = [];
    for (;;) {
      this.space();
      const m = /^(?:"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_]*))/.exec(this.s.slice(this.i));
      if (!m) break;
      const word = m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!;
      words.push(word.toUpperCase());
      this.i += m[0].length;
      this.space();
      if (this.s[this.i] === '(' || this.s[this.i] === '[' || this.s[this.i] === ',' || this.s[this.i] === ')') break;
    }
    const name = words.join(' ');
    this.space();
    if (this.s[this.i] === '(') {
      this.i++;
      const t = this.parenthesized(name);
      this.space();
      if (this.s[this.i] === ')') this.i++;
      return t;
    }
    return { kind: NAMED[name] ?? 'varchar' };
  }

  private parenthesized(name: string): EngineType {
    if (name === 'DECIMAL' || name === 'NUMERIC') {
      const m = /^\s*(\d+)\s*(?:,\s*(\d+)\s*)?/.exec(this.s.slice(this.i));
      if (!m) return { kind: 'decimal' };
      this.i += m[0].length;
      return { kind: 'decimal', precision: Number(m[1]), scale: Number(m[2] ?? 0) };
    }
    if (name === 'MAP') {
      const key = this.type();
      this.comma();
      const value = this.type();
      return { kind: 'map', key, element: value };
    }
    if (name === 'STRUCT' || name === 'ROW') {
      const fields: { name: string; type: EngineType }[] = [];
      for (;;) {
        this.space();
        if (this.s[this.i] === ')' || this.i >= this.s.length) break;
        const fieldName = this.fieldName();
        fields.push({ name: fieldName, type: this.type() });
        if (!this.comma()) break;
      }
      return { kind: 'struct', fields };
    }
    // VARCHAR(n), ENUM('a', 'b'), UNION(...): the arguments do not change the Hive spelling.
    let depth = 1;
    while (this.i < this.s.length && depth > 0) {
      const c = this.s[this.i]!;
      if (c === '(') depth++;
      if (c === ')') depth--;
      if (depth > 0) this.i++;
    }
    return { kind: NAMED[name] ?? 'varchar' };
  }

  private fieldName(): string {
    this.space();
    const m = /^(?:"((?:[^"]|"")*)"|([^\s"]+))/.exec(this.s.slice(this.i));
    if (!m) return '';
    this.i += m[0].length;
    return m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!;
  }

  private comma(): boolean {
    this.space();
    if (this.s[this.i] !== ',') return false;
    this.i++;
    return true;
  }

  private space(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
}
