/**
 * The result CSV exactly as Athena writes it (research §5): every non-NULL value quoted (quotes
 * doubled), NULL an empty unquoted field, the empty string `""`, `\n` after every line including
 * the last, UTF-8 without BOM, and a header line even for zero rows.
 *
 * `parseCsvRows` reads such a file back from a byte offset (GetQueryResults pages), on bytes: the
 * delimiters are ASCII, so a UTF-8 sequence is never split and offsets stay byte offsets.
 */

/** One CSV line (with its `\n`); undefined is NULL. */
export function csvLine(values: readonly (string | undefined)[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v !== undefined) out += `"${v.replaceAll('"', '""')}"`;
  }
  return `${out}\n`;
}

export interface ParsedRows {
  rows: (string | undefined)[][];
  /** Byte offset just after the last complete row returned. */
  next: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * Up to `maxRows` complete rows of `buf` from `start`. A row cut off by the end of `buf` is not
 * returned (`next` stays before it); the caller reads more bytes or knows the file ended.
 */
export function parseCsvRows(buf: Buffer, start: number, maxRows: number): ParsedRows {
  const rows: (string | undefined)[][] = [];
  let i = start;
  let next = start;
  while (rows.length < maxRows && i < buf.length) {
    const row: (string | undefined)[] = [];
    let complete = false;
    for (;;) {
      if (i >= buf.length) break;
      if (buf[i] === QUOTE) {
        const parts: Buffer[] = [];
        let j = i + 1;
        let from = j;
        let closed = false;
        while (j < buf.length) {
          if (buf[j] === QUOTE) {
            if (buf[j + 1] === QUOTE) {
              parts.push(buf.subarray(from, j + 1));
              j += 2;
              from = j;
              continue;
            }
            if (j + 1 >= buf.length) break; // the closing quote's follower is not read yet
            parts.push(buf.subarray(from, j));
            closed = true;
            j++;
            break;
          }
          j++;
        }
        if (!closed) break;
        row.push(Buffer.concat(parts).toString('utf8'));
        i = j;
      } else {
        row.push(undefined);
      }
      if (i >= buf.length) break;
      if (buf[i] === COMMA) {
        i++;
        continue;
      }
      if (buf[i] === NEWLINE) {
        i++;
        complete = true;
        break;
      }
      throw new Error(`malformed result CSV at byte ${i}`);
    }
    if (!complete) break;
    rows.push(row);
    next = i;
  }
  return { rows, next };
}
