/**
 * SHOW and DESCRIBE results the way Athena returns them (they run through Hive there): every
 * column of type `string`, and for the two statements whose shape differs from the Trino
 * front-end's information_schema answer, Hive's own layout (as measured against live Athena):
 *
 *   SHOW COLUMNS  one column `field`; each name left-aligned in 20 characters.
 *   DESCRIBE      columns `col_name`, `data_type`, `comment`, but each row is ONE value:
 *                 `name<TAB>type<TAB>comment`, each part left-aligned in 20 characters (longer
 *                 text is not cut), types in Hive spelling; a partitioned table lists its
 *                 partition columns once more after `# Partition Information`.
 *
 * Other SHOW statements keep their rows; only the column types change to `string`.
 */
import { hiveType, parseTypeText } from './hive-types.ts';

/** A Hive utility result: column names and rows of text (null = NULL). */
export interface UtilityResult {
  columns: string[];
  rows: (string | null)[][];
}

const WIDTH = 20;

/** Left-aligns in 20 characters (counted as characters); longer text is kept whole. */
export function hivePad(s: string): string {
  const n = [...s].length;
  return n < WIDTH ? s + ' '.repeat(WIDTH - n) : s;
}

/** Hive's comment field: padded, then cut at its first tab. */
function commentField(s: string): string {
  const padded = hivePad(s);
  const tab = padded.indexOf('\t');
  return tab < 0 ? padded : padded.slice(0, tab);
}

const PARTITION_HEADER = ['\t \t ', '# Partition Information\t \t ', `# ${hivePad('col_name')}\t${hivePad('data_type')}\t${hivePad('comment')}`, '\t \t '];

export interface DescribeInput {
  /** Rows of the front-end's DESCRIBE: column name, the engine's type text, comment. */
  rows: readonly (readonly (string | null)[])[];
  /** Partition columns of the table (Hive lists them again after the header). */
  partitionKeys: readonly string[];
  /** Column comments the catalog has (used where the engine's comment is empty). */
  comments?: ReadonlyMap<string, string>;
}

export function describeResult(d: DescribeInput): UtilityResult {
  const line = (r: readonly (string | null)[]) => {
    const name = r[0] ?? '';
    const type = hiveType(parseTypeText(r[1] ?? ''));
    const comment = r[2] || d.comments?.get(name) || '';
    return `${hivePad(name)}\t${hivePad(type)}\t${commentField(comment)}`;
  };
  const lines = d.rows.map(line);
  const partitions = d.rows.filter((r) => d.partitionKeys.includes(r[0] ?? '')).map(line);
  if (partitions.length > 0) lines.push(...PARTITION_HEADER, ...partitions);
  return { columns: ['col_name', 'data_type', 'comment'], rows: lines.map((l) => [l]) };
}

export function showColumnsResult(rows: readonly (readonly (string | null)[])[]): UtilityResult {
  return { columns: ['field'], rows: rows.map((r) => [hivePad(r[0] ?? '')]) };
}
