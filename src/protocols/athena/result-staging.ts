/**
 * Writes an execution's results where Athena would (result-location.ts) in the organization's
 * object store: the CSV of a SELECT streamed row chunk by row chunk through a local temporary file
 * (the query's next chunk is pulled only after the previous one was written), the tab-separated
 * `.txt` of SHOW/DESCRIBE, an empty `.txt` for DDL, and the `.metadata` protobuf beside them.
 *
 * Invariants: each object is uploaded whole (ObjectStore puts are atomic) and both are in place
 * when a stage function resolves (the result file and its `.metadata` are written concurrently;
 * the caller marks the execution SUCCEEDED only afterwards); a failure removes the temporary
 * file; objects are `application/octet-stream` as Athena's (the object store keeps no content
 * type; the S3 GET endpoint serves them so). Result files are not customer data: they are written
 * without syncs (ARTEFACT_PUT; CONTEXT.md "Durability").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineColumn } from '../../engine/engine.ts';
import type { ObjectStore } from '../../lake/object-store.ts';
import type { RunningQuery } from '../../service/types.ts';
import { ARTEFACT_PUT } from './execution-store.ts';
import { columnInfo, stringColumn, type ColumnInfo } from './column-info.ts';
import { encodeMetadata } from './metadata-protobuf.ts';
import { csvLine } from './result-csv.ts';
import type { UtilityResult } from './utility-rows.ts';
import { athenaText } from './values.ts';

export interface StageTarget {
  store: ObjectStore;
  /** A local directory for temporary files. */
  tmpDir: string;
  resultKey: string;
  metadataKey: string | null;
  /** Field 1 of the `.metadata` file. */
  engineQueryId: string;
}

export interface Staged {
  columns: ColumnInfo[];
  rows: number;
  bytes: number;
}

/** Streams a SELECT's rows into `<id>.csv` (header line first), then writes `<id>.csv.metadata`. */
export async function stageCsv(q: RunningQuery, engineColumns: readonly EngineColumn[], t: StageTarget): Promise<Staged> {
  const columns = engineColumns.map(columnInfo);
  await mkdir(t.tmpDir, { recursive: true });
  const tmp = join(t.tmpDir, `${randomUUID()}.csv`);
  const out = createWriteStream(tmp);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  let rows = 0;
  try {
    await Promise.race([write(out, csvLine(engineColumns.map((c) => c.name))), failed]);
    for await (const chunk of q.rows()) {
      let text = '';
      for (const row of chunk) text += csvLine(row.map((v, i) => athenaText(v, engineColumns[i]!.type)));
      rows += chunk.length;
      await Promise.race([write(out, text), failed]);
    }
    await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
    const bytes = out.bytesWritten;
    await Promise.all([t.store.putFile(t.resultKey, tmp, ARTEFACT_PUT), putMetadata(t, columns)]);
    return { columns, rows, bytes };
  } finally {
    out.destroy();
    await rm(tmp, { force: true });
  }
}

/** SHOW/DESCRIBE: `<id>.txt` (tab-joined rows, no header, no final newline) and its `.metadata`. */
export async function stageText(result: UtilityResult, t: StageTarget): Promise<Staged> {
  const columns = result.columns.map(stringColumn);
  const body = Buffer.from(result.rows.map((r) => r.map((v) => v ?? '').join('\t')).join('\n'), 'utf8');
  await Promise.all([t.store.put(t.resultKey, body, ARTEFACT_PUT), putMetadata(t, columns)]);
  return { columns, rows: result.rows.length, bytes: body.length };
}

/** CREATE TABLE AS: the `rows bigint` column and the update count, in `tables/<id>.metadata`. */
export async function stageUpdate(updateType: string, count: number, t: StageTarget): Promise<Staged> {
  const columns = [columnInfo({ name: 'rows', type: { kind: 'bigint' } })];
  await Promise.all([t.store.put(t.resultKey, new Uint8Array(), ARTEFACT_PUT), putMetadata(t, columns, { type: updateType, count })]);
  return { columns, rows: 0, bytes: 0 };
}

/** DDL without columns: an empty `<id>.txt` and no `.metadata`. */
export async function stageEmpty(t: StageTarget): Promise<Staged> {
  await t.store.put(t.resultKey, new Uint8Array(), ARTEFACT_PUT);
  return { columns: [], rows: 0, bytes: 0 };
}

async function putMetadata(t: StageTarget, columns: ColumnInfo[], update?: { type: string; count: number }): Promise<void> {
  if (!t.metadataKey) return;
  await t.store.put(t.metadataKey, encodeMetadata({ queryId: t.engineQueryId, columns, ...(update ? { update } : {}) }), ARTEFACT_PUT);
}

function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (out.write(text)) return Promise.resolve();
  return new Promise((resolve) => out.once('drain', () => resolve()));
}

let sequence = 0;

/** A Trino-style engine query id: `yyyyMMdd_HHmmss_nnnnn_xxxxx`. */
export function engineQueryId(at: Date): string {
  const d = at.toISOString();
  const stamp = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}_${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}`;
  sequence = (sequence + 1) % 100_000;
  const suffix = [...randomBytes(5)].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('');
  return `${stamp}_${String(sequence).padStart(5, '0')}_${suffix}`;
}
