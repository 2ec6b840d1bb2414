/**
 * Validation of input documents: the generated JSON Schema (shape, types, enums, required
 * fields) plus the rules a schema cannot say (unique ids inside a process, references between
 * its lists). Valid documents come back normalized: timestamps as UTC ISO 8601 with `Z`.
 *
 * Valid documents are normalized in place (the caller hands over the parsed records).
 * Every problem carries a JSON pointer into the batch (`/3/tasks/0/task_status`), so a batch can
 * be refused whole with every per-record error listed.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import {
  memberLoginJsonSchema, memberSnapshotJsonSchema, processSnapshotJsonSchema,
  type MemberLoginEvent, type MemberSnapshot, type ProcessSnapshot,
} from '../schema/index.ts';

export interface RecordProblem {
  /** JSON pointer into the batch. */
  pointer: string;
  message: string;
}

export type DocumentKind = 'process' | 'member' | 'member_login';

type Doc<K extends DocumentKind> = K extends 'process' ? ProcessSnapshot : K extends 'member' ? MemberSnapshot : MemberLoginEvent;

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** Two compilations of each schema: a fast one that stops at the first error, and one that lists them all. */
function compile(allErrors: boolean): Record<DocumentKind, ValidateFunction> {
  const ajv = new Ajv2020({ allErrors, strict: true, allowUnionTypes: true });
  // 'fast' format checks only the shape of a date-time; every timestamp is then parsed and
  // range-checked by checkTimestamps (which ajv's full mode would duplicate, slowly).
  (addFormats as unknown as (a: Ajv2020, o: { mode: 'fast' }) => void)(ajv, { mode: 'fast' });
  return {
    process: ajv.compile(processSnapshotJsonSchema()),
    member: ajv.compile(memberSnapshotJsonSchema()),
    member_login: ajv.compile(memberLoginJsonSchema()),
  };
}
const fast = compile(false);
const thorough = compile(true);

/** Validates a batch. Returns normalized documents, or every problem found (and no documents). */
export function validateBatch<K extends DocumentKind>(
  kind: K,
  records: readonly unknown[],
): { ok: true; docs: Doc<K>[] } | { ok: false; problems: RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const docs: Doc<K>[] = [];
  records.forEach((rec, i) => {
    const before = problems.length;
    validateOne(kind, rec, `/${i}`, problems);
    if (problems.length === before) docs.push(rec as Doc<K>);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, docs };
}

function validateOne(kind: DocumentKind, rec: unknown, at: string, problems: RecordProblem[]): void {
  if (!fast[kind](rec)) {
    const v = thorough[kind];
    v(rec);
    for (const e of v.errors ?? []) problems.push({ pointer: at + e.instancePath, message: describe(e) });
    return;
  }
  if (kind === 'process') checkProcess(rec as ProcessSnapshot, at, problems);
  normalizeTimestamps(rec, at, problems);
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return `missing required field "${String(e.params.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown field "${String(e.params.additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
    case 'format':
      return e.params.format === 'date-time'
        ? 'must be an ISO 8601 timestamp with a time zone, e.g. "2025-03-15T14:30:00Z"'
        : `must match format "${String(e.params.format)}"`;
    case 'anyOf':
      return 'has the wrong type (see the other errors for this field), or must be null';
    default:
      return e.message ?? e.keyword;
  }
}

const TIMESTAMP_MIN = Date.UTC(1900, 0, 1);
const TIMESTAMP_MAX = Date.UTC(2200, 0, 1);

const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Parses and range-checks every timestamp of a valid document, rewriting each into canonical
 * UTC form (`2025-03-15T14:30:00.000Z`) in place.
 */
function normalizeTimestamps(rec: unknown, at: string, problems: RecordProblem[]): void {
  walkTimestamps(rec, at, (v, ptr, holder, key) => {
    const t = Date.parse(v as string);
    if (!Number.isFinite(t) || t < TIMESTAMP_MIN || t >= TIMESTAMP_MAX) {
      problems.push({ pointer: ptr, message: 'must be a valid ISO 8601 timestamp between the years 1900 and 2200' });
      return;
    }
    if (!CANONICAL.test(v as string) || new Date(t).toISOString() !== v) holder[key] = new Date(t).toISOString();
  });
}


/** Rules beyond the JSON Schema: unique ids inside the process, references to its own tasks. */
function checkProcess(p: ProcessSnapshot, at: string, problems: RecordProblem[]): void {
  const taskIds = new Set<string>();
  (p.tasks ?? []).forEach((t, i) => {
    if (taskIds.has(t.task_id)) problems.push({ pointer: `${at}/tasks/${i}/task_id`, message: `duplicate task_id "${t.task_id}" in this process` });
    taskIds.add(t.task_id);
    const seen = new Set<string>();
    (t.assignees ?? []).forEach((a, j) => {
      const k = `${a.assignee_type}:${a.assignee_id}`;
      if (seen.has(k)) problems.push({ pointer: `${at}/tasks/${i}/assignees/${j}`, message: `duplicate assignee ${a.assignee_type} "${a.assignee_id}"` });
      seen.add(k);
    });
  });
  const ref = (taskId: string | null | undefined, pointer: string) => {
    if (taskId != null && !taskIds.has(taskId)) problems.push({ pointer, message: `task_id "${taskId}" is not a task of this process` });
  };
  const unique = (list: readonly { [k: string]: unknown }[] | null | undefined, key: string, name: string) => {
    const seen = new Set<unknown>();
    (list ?? []).forEach((x, i) => {
      if (seen.has(x[key])) problems.push({ pointer: `${at}/${name}/${i}/${key}`, message: `duplicate ${key} "${String(x[key])}" in this process` });
      seen.add(x[key]);
    });
  };
  unique(p.form_fields as never, 'field_id', 'form_fields');
  unique(p.comments as never, 'comment_id', 'comments');
  unique(p.issues as never, 'issue_id', 'issues');
  (p.form_fields ?? []).forEach((f, i) => ref(f.task_id, `${at}/form_fields/${i}/task_id`));
  (p.comments ?? []).forEach((c, i) => ref(c.task_id, `${at}/comments/${i}/task_id`));
  (p.issues ?? []).forEach((x, i) => ref(x.task_id, `${at}/issues/${i}/task_id`));
}

const TIMESTAMP_FIELDS = new Set([
  'created_at', 'started_at', 'due_at', 'completed_at', 'archived_at', 'last_modified', 'snapshot_at', 'shown_at',
  'answered_at', 'reported_at', 'resolved_at', 'activated_at', 'last_login_at', 'login_at',
]);

/** Visits every timestamp field of a document (nested lists included). */
function walkTimestamps(obj: unknown, at: string, visit: (value: unknown, pointer: string, holder: Record<string, unknown>, key: string) => void): void {
  if (Array.isArray(obj)) {
    obj.forEach((x, i) => walkTimestamps(x, `${at}/${i}`, visit));
    return;
  }
  if (typeof obj !== 'object' || obj === null) return;
  const rec = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    if (TIMESTAMP_FIELDS.has(k) && typeof v === 'string') visit(v, `${at}/${k}`, rec, k);
    else if (Array.isArray(v)) walkTimestamps(v, `${at}/${k}`, visit);
  }
}
