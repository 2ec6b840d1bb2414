/**
 * Importer: the reference product's 49-column CSV → process snapshots.
 *
 * The cell decoders (`parseTimestamp`, `splitListCell`, `decodeItem`, `parseAssignees`, …) are pure
 * and exported for tests; `readTallyfyCsv` streams the file through `csv-parse`, checks the header,
 * groups the rows by process_id and builds one `ProcessSnapshot` per process. The mapping is
 * described column by column in CONTEXT.md beside this file.
 *
 * Invariants:
 * - every problem in the file is a `TallyfyCsvError` naming the line (1-based, where the record
 *   starts, so a quoted newline does not shift later lines) and the column; nothing is guessed;
 * - `''`, `nan`, `NaN` are NULL everywhere; `completed_by` `0` is NULL;
 * - timestamps come out as UTC ISO 8601 with `Z` and milliseconds (`toISOString()`);
 * - the documents come out with every field present (NULL where the format has nothing), and the
 *   counts of the file (total_tasks_in_process, no_of_form_fields, …) are ignored.
 */
import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import {
  FIELD_TYPES, PROCESS_STATUSES,
  type AssigneeDoc, type CommentDoc, type FieldType, type FormFieldDoc, type IssueDoc, type ProcessSnapshot,
  type ProcessStatus, type TaskDoc, type TaskStatus,
} from '../../schema/index.ts';
import { RunlakeError } from '../../util/errors.ts';
import {
  COUNT_COLUMNS, GROUP_PREFIX, answerText, LEGACY_GROUP_NAME_PREFIX, MULTI_VALUE_FIELD_TYPES, NOT_COMPLETED_BY, NULL_SENTINELS,
  PROCESS_COLUMNS, ROW_TYPES, TALLYFY_COLUMNS, type RowType, type TallyfyColumn,
} from './columns.ts';

/** A problem in a Tallyfy CSV file, at a line (and usually a column). */
export class TallyfyCsvError extends RunlakeError {
  constructor(
    readonly line: number,
    readonly column: string | null,
    readonly problem: string,
  ) {
    super('invalid_document', `Tallyfy CSV line ${line}${column ? `, column ${column}` : ''}: ${problem}`, { line, column });
    this.name = 'TallyfyCsvError';
  }
}

export interface ReadTallyfyCsvOptions {
  /**
   * snapshot_at of every document. Default: per process, the latest time found in its rows
   * (due_by excluded), so that importing the same file again changes nothing and an older file
   * imported after a newer one does not win; the time the import started for a process with no
   * time at all.
   */
  snapshotAt?: Date;
  /**
   * How rows are grouped into processes.
   * - `any-order` (default): rows of a process may be anywhere in the file. Every process is held
   *   until the end of the input, so memory grows with the file, and nothing is yielded unless the
   *   whole file is valid.
   * - `contiguous`: the rows of a process are consecutive, as the reference product writes them.
   *   Each process is yielded as soon as the next one starts, so memory is one process (plus the
   *   ids of the processes already yielded); a process whose rows come back later is an error.
   */
  grouping?: 'any-order' | 'contiguous';
}

// ---------------------------------------------------------------------------------------------
// Cell decoders (pure).

export function isNullCell(cell: string): boolean {
  return NULL_SENTINELS.has(cell);
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, optionally with a fraction of a second and `Z`
 * (or an explicit offset); without an offset the time is UTC. Returns ISO 8601 with `Z` and
 * milliseconds (a finer fraction is truncated), or undefined when the text is not such a time.
 */
export function parseTimestamp(s: string): string | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const t = Date.UTC(y, mo - 1, d, h, mi, se, ms);
  const check = new Date(t);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d
    || check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== se) return undefined;
  let offsetMinutes = 0;
  const z = m[8];
  if (z && z !== 'Z') {
    const oh = Number(z.slice(1, 3));
    const om = Number(z.slice(-2));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (z[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(t - offsetMinutes * 60_000).toISOString();
}

const INTEGER = /^[+-]?\d+(?:\.0*)?$/;

/** An integer, also in Pandas' float spelling (`3.0`); undefined when not one. */
export function parseInteger(s: string): number | undefined {
  if (!INTEGER.test(s)) return undefined;
  const n = Number.parseInt(s, 10);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `Yes`/`No` (also `True`/`False`), any case; undefined when neither. */
export function parseYesNo(s: string): boolean | undefined {
  const l = s.toLowerCase();
  if (l === 'yes' || l === 'true') return true;
  if (l === 'no' || l === 'false') return false;
  return undefined;
}

const BACKSLASH = 92;
const COMMA = 44;
const UNDERSCORE = 95;

/** Splits a list cell on the commas that are not escaped. Items keep their escapes (see `decodeItem`). */
export function splitListCell(cell: string): string[] {
  const items: string[] = [];
  let start = 0;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === COMMA) {
      items.push(cell.slice(start, i));
      start = i + 1;
    }
  }
  items.push(cell.slice(start));
  return items;
}

/** Resolves the escapes of one list item (`\x` is `x`) and trims the white space that is not escaped at both ends. */
export function decodeItem(raw: string): string {
  if (!raw.includes('\\')) return raw.trim();
  let out = '';
  let keep = 0; // length of `out` up to its last character that must not be trimmed
  for (let i = 0; i < raw.length; i++) {
    let ch = raw[i]!;
    let escaped = false;
    if (ch === '\\' && i + 1 < raw.length) {
      ch = raw[++i]!;
      escaped = true;
    }
    if (!escaped && /\s/.test(ch)) {
      if (out.length > 0) out += ch;
      continue;
    }
    out += ch;
    keep = out.length;
  }
  return out.slice(0, keep);
}

/** The non-empty items of a list cell; NULL when the cell is NULL or has no item. */
export function parseListCell(cell: string): string[] | null {
  if (isNullCell(cell)) return null;
  const items = splitListCell(cell).map(decodeItem).filter((s) => s !== '');
  return items.length > 0 ? items : null;
}

/**
 * A group item, `GROUP_{id}_{name}` (the id ends at the first `_` that is not escaped) or the older
 * `GROUP_{id}`; null when the item is not a group.
 */
export function parseGroupItem(raw: string): { id: string; name: string | null } | null {
  const r = raw.trimStart();
  if (!r.startsWith(GROUP_PREFIX)) return null;
  const rest = r.slice(GROUP_PREFIX.length);
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === UNDERSCORE) return { id: decodeItem(rest.slice(0, i)), name: decodeItem(rest.slice(i + 1)) || null };
  }
  return { id: decodeItem(rest), name: null };
}

/** The name in a `user_assigned` item: a member's name, or a group's in either spelling. */
function nameOfItem(raw: string): string | null {
  const g = parseGroupItem(raw);
  if (g) return g.name;
  const s = decodeItem(raw);
  if (s.startsWith(LEGACY_GROUP_NAME_PREFIX)) return s.slice(LEGACY_GROUP_NAME_PREFIX.length) || null;
  return s || null;
}

/**
 * The assignees of a task from its three assignee cells. `assigned_user_id` decides who is
 * assigned (member ids and group items); `user_assigned` supplies names only when it has as many
 * items as `assigned_user_id` (the lists are aligned); guests are their e-mails, and a guest's name
 * is its e-mail. Order: members and groups as listed, then guests.
 */
export function parseAssignees(userAssigned: string, assignedUserId: string, guestAssigned: string): AssigneeDoc[] {
  const out: AssigneeDoc[] = [];
  const ids = isNullCell(assignedUserId) ? [] : splitListCell(assignedUserId);
  const names = isNullCell(userAssigned) ? [] : splitListCell(userAssigned);
  const aligned = names.length === ids.length;
  ids.forEach((raw, i) => {
    const nameAt = () => (aligned ? nameOfItem(names[i]!) : null);
    const g = parseGroupItem(raw);
    if (g) {
      if (g.id !== '') out.push({ assignee_type: 'group', assignee_id: g.id, assignee_name: g.name ?? nameAt() });
      return;
    }
    const id = decodeItem(raw);
    if (id !== '') out.push({ assignee_type: 'member', assignee_id: id, assignee_name: nameAt() });
  });
  for (const email of parseListCell(guestAssigned) ?? []) out.push({ assignee_type: 'guest', assignee_id: email, assignee_name: email });
  return out;
}

/**
 * task_status from what the format has: completed_on set → completed; hidden → auto-skipped;
 * assigned_or_shown_on set → in-progress; otherwise not-started.
 */
export function taskStatusOf(completedAt: string | null, isVisible: boolean | null, shownAt: string | null): TaskStatus {
  if (completedAt != null) return 'completed';
  if (isVisible === false) return 'auto-skipped';
  return shownAt != null ? 'in-progress' : 'not-started';
}

const PROCESS_STATUS_ALIASES: Readonly<Record<string, ProcessStatus>> = { issue: 'problem' };
const VISIBILITY: Readonly<Record<string, boolean>> = { shown: true, hidden: false, active: true, complete: true, completed: true };

// ---------------------------------------------------------------------------------------------
// Rows.

type ColumnIndex = Record<TallyfyColumn, number>;

/** One record of the file with typed getters that fail with the line and column. */
class Row {
  constructor(readonly line: number, private readonly cells: readonly string[], private readonly idx: ColumnIndex) {}

  raw(c: TallyfyColumn): string {
    return this.cells[this.idx[c]]!;
  }

  fail(c: TallyfyColumn | null, problem: string): never {
    return fail(this.line, c, problem);
  }

  text(c: TallyfyColumn): string | null {
    const v = this.raw(c);
    return isNullCell(v) ? null : v;
  }

  id(c: TallyfyColumn, what: string): string {
    return this.text(c) ?? this.fail(c, `${what} is empty`);
  }

  timestamp(c: TallyfyColumn): string | null {
    const v = this.text(c);
    if (v == null) return null;
    return parseTimestamp(v) ?? this.fail(c, `"${v}" is not a timestamp (expected YYYY-MM-DD HH:MM:SS, optionally with T, fractional seconds and Z)`);
  }

  integer(c: TallyfyColumn): number | null {
    const v = this.text(c);
    if (v == null) return null;
    return parseInteger(v) ?? this.fail(c, `"${v}" is not an integer`);
  }

  yesNo(c: TallyfyColumn): boolean | null {
    const v = this.text(c);
    if (v == null) return null;
    return parseYesNo(v) ?? this.fail(c, `"${v}" is not Yes or No`);
  }

  oneOf<T extends string>(c: TallyfyColumn, allowed: readonly T[], aliases: Readonly<Record<string, T>> = {}): T {
    const v = this.text(c) ?? this.fail(c, `is empty (expected one of ${allowed.join(', ')})`);
    if ((allowed as readonly string[]).includes(v)) return v as T;
    return aliases[v] ?? this.fail(c, `"${v}" is not one of ${allowed.join(', ')}`);
  }
}

/** Process columns that must be the same on every row of a process (the counts are not checked). */
const CHECKED_PROCESS_COLUMNS: readonly TallyfyColumn[] = PROCESS_COLUMNS.filter(
  (c) => c !== 'process_id' && !(COUNT_COLUMNS as readonly string[]).includes(c),
);

interface TaskCommentState {
  /** The issue of the comment just before, when it is flagged resolved and waits for its resolution. */
  awaiting: IssueDoc | null;
  /** Issues of this task not flagged resolved, in order (older files flag only the resolve comment). */
  open: IssueDoc[];
}

/** A process being assembled from its rows. */
class ProcessBuilder {
  readonly tasks: TaskDoc[] = [];
  readonly fields: FormFieldDoc[] = [];
  readonly comments: CommentDoc[] = [];
  readonly issues: IssueDoc[] = [];
  lastLine: number;
  private readonly processCells: string[];
  private readonly lines = { task: new Map<string, number>(), field: new Map<string, number>(), comment: new Map<string, number>(), issue: new Map<string, number>() };
  private readonly commentState = new Map<string, TaskCommentState>();
  private readonly processIssues = new Map<string, IssueDoc>();
  private readonly processResolutions = new Map<string, { line: number; body: string | null }>();
  private earliest = Number.POSITIVE_INFINITY;
  private latest = Number.NEGATIVE_INFINITY;
  private readonly head: Omit<ProcessSnapshot, 'created_at' | 'snapshot_at' | 'tasks' | 'form_fields' | 'comments' | 'issues'>;

  constructor(readonly processId: string, readonly firstLine: number, first: Row) {
    this.lastLine = firstLine;
    this.processCells = CHECKED_PROCESS_COLUMNS.map((c) => first.text(c) ?? '');
    const blueprintId = first.text('blueprint_id');
    this.head = {
      process_id: processId,
      process_name: first.text('process_name') ?? '',
      blueprint_id: blueprintId,
      blueprint_name: first.text('blueprint_name'),
      blueprint_version: first.integer('blueprint_version'),
      process_type: blueprintId == null ? 'one_off' : 'procedure',
      process_status: first.oneOf('process_status', PROCESS_STATUSES, PROCESS_STATUS_ALIASES),
      process_owner_id: first.text('process_owner_id'),
      process_owner: first.text('process_owner'),
      started_by_id: null,
      tags: parseListCell(first.raw('process_tag')),
      started_at: null,
      due_at: null,
      completed_at: this.seen(first.timestamp('process_completed_at')),
      archived_at: null,
      last_modified: this.seen(first.timestamp('process_last_modified')),
    };
  }

  /** Notes a timestamp for the estimates of created_at and snapshot_at. */
  private seen(ts: string | null): string | null {
    if (ts != null) {
      const t = Date.parse(ts);
      this.earliest = Math.min(this.earliest, t);
      this.latest = Math.max(this.latest, t);
    }
    return ts;
  }

  private unique(kind: keyof ProcessBuilder['lines'], id: string, r: Row, c: TallyfyColumn): void {
    const before = this.lines[kind].get(id);
    if (before !== undefined) r.fail(c, `duplicate ${kind} id "${id}" in process "${this.processId}" (first on line ${before})`);
    this.lines[kind].set(id, r.line);
  }

  add(r: Row, type: RowType): void {
    this.lastLine = r.line;
    CHECKED_PROCESS_COLUMNS.forEach((c, i) => {
      const v = r.text(c) ?? '';
      if (v !== this.processCells[i]) {
        r.fail(c, `"${v}" differs from "${this.processCells[i]}" on line ${this.firstLine} for the same process "${this.processId}"; process columns must repeat on every row`);
      }
    });
    switch (type) {
      case 'process_task': return this.addTask(r);
      case 'process_task_data': return this.addField(r, r.id('process_task_id', 'the task of a process_task_data row'));
      case 'kick_off_task': return this.addField(r, null);
      case 'process_task_comment': return this.addComment(r);
    }
  }

  private addTask(r: Row): void {
    const taskId = r.id('process_task_id', 'process_task_id');
    this.unique('task', taskId, r, 'process_task_id');
    const visibility = r.text('process_task_status');
    let isVisible: boolean | null = null;
    if (visibility != null) {
      isVisible = VISIBILITY[visibility.toLowerCase()] ?? r.fail('process_task_status', `"${visibility}" is not shown or hidden`);
    }
    const shownAt = this.seen(r.timestamp('assigned_or_shown_on'));
    const completedAt = this.seen(r.timestamp('completed_on'));
    const completedBy = r.text('completed_by');
    const byNobody = completedBy == null || completedBy === NOT_COMPLETED_BY || parseInteger(completedBy) === 0;
    const byGuest = !byNobody && completedBy.includes('@');
    this.tasks.push({
      task_id: taskId,
      step_id: null,
      task_alias: r.text('process_task_alias'),
      task_name: r.text('process_task_name') ?? '',
      position: null,
      task_type: 'task',
      task_status: taskStatusOf(completedAt, isVisible, shownAt),
      is_visible: isVisible,
      milestone_id: r.text('milestone_id'),
      milestone_name: r.text('milestone_name'),
      milestone_position: r.integer('milestone_position'),
      shown_at: shownAt,
      due_at: r.timestamp('due_by'),
      completed_at: completedAt,
      completed_by_id: byNobody || byGuest ? null : completedBy,
      completed_by_guest_email: byGuest ? completedBy : null,
      is_approved: null,
      everyone_must_complete: null,
      last_modified: this.seen(r.timestamp('last_modified')),
      assignees: parseAssignees(r.raw('user_assigned'), r.raw('assigned_user_id'), r.raw('guest_assigned')),
    });
  }

  private addField(r: Row, taskId: string | null): void {
    const idColumn: TallyfyColumn = taskId == null ? 'kick_off_task_id' : 'process_task_data_id';
    const fieldId = r.text(idColumn);
    if (fieldId == null) {
      if (taskId == null) return; // the row that keeps a process with no tasks and no kick-off fields
      r.fail(idColumn, 'the form field id is empty');
    }
    this.unique('field', fieldId, r, idColumn);
    const fieldType: FieldType = r.oneOf('form_field_type', FIELD_TYPES);
    const multi = MULTI_VALUE_FIELD_TYPES.has(fieldType);
    const values = multi ? parseListCell(r.raw('answer_in_form_field')) : null;
    this.fields.push({
      field_id: fieldId,
      task_id: taskId,
      field_label: (taskId == null ? r.text('kick_off_task_name') : null) ?? r.text('question_in_form_field') ?? '',
      field_alias: null,
      field_type: fieldType,
      is_required: null,
      answer: multi ? (values && answerText(fieldType, values)) : r.text('answer_in_form_field'),
      answer_values: values,
      answered_at: null,
      last_modified: this.seen(r.timestamp('last_modified')),
    });
  }

  private addComment(r: Row): void {
    const id = r.id('process_task_comment_id', 'process_task_comment_id');
    const taskId = r.text('process_task_id');
    const reported = r.yesNo('issue_reported') ?? false;
    const resolved = r.yesNo('issue_resolved') ?? false;
    const body = r.text('comment');
    if (taskId == null) return this.addProcessIssueRow(r, id, reported, resolved, body);

    this.unique('comment', id, r, 'process_task_comment_id');
    const label = reported ? 'problem' : resolved ? 'resolve' : 'comment';
    this.comments.push({
      task_id: taskId, comment_id: id, label, body,
      author_id: null, author_guest_email: null, created_at: null,
      last_modified: this.seen(r.timestamp('last_modified')),
    });
    let state = this.commentState.get(taskId);
    if (!state) this.commentState.set(taskId, (state = { awaiting: null, open: [] }));
    if (label === 'problem') {
      this.unique('issue', id, r, 'process_task_comment_id');
      const issue = newIssue(taskId, id, body, resolved);
      this.issues.push(issue);
      state.awaiting = resolved ? issue : null;
      if (!resolved) state.open.push(issue);
      return;
    }
    if (label === 'resolve') {
      // The resolution of the issue reported just before; else (older files, which flag only the
      // resolve comment) of the oldest issue of the task still open.
      const target = state.awaiting ?? state.open.shift();
      if (target) {
        target.is_resolved = true;
        target.resolution = body;
      }
    }
    state.awaiting = null;
  }

  /**
   * A comment row without a task: a process-level issue (issue_reported Yes) or its resolution
   * (issue_resolved Yes, same id). Resolutions are applied when the process is built, so that the
   * two rows may come in either order.
   */
  private addProcessIssueRow(r: Row, id: string, reported: boolean, resolved: boolean, body: string | null): void {
    if (reported) {
      this.unique('issue', id, r, 'process_task_comment_id');
      const issue = newIssue(null, id, body, resolved);
      this.issues.push(issue);
      this.processIssues.set(id, issue);
      return;
    }
    if (!resolved) r.fail('process_task_id', 'is empty; only a process-level issue row (issue_reported Yes) or its resolution (issue_resolved Yes) has no task');
    const before = this.processResolutions.get(id);
    if (before) r.fail('process_task_comment_id', `process-level issue "${id}" has a resolution already, on line ${before.line}`);
    this.processResolutions.set(id, { line: r.line, body });
  }

  /** `snapshotAt`: the snapshotAt option; `importStart`: the fallback when the rows have no time. */
  build(snapshotAt: string | null, importStart: string): ProcessSnapshot {
    for (const [id, { line, body }] of this.processResolutions) {
      const issue = this.processIssues.get(id)
        ?? fail(line, 'process_task_comment_id', `resolves "${id}", which is not a process-level issue of process "${this.processId}"`);
      issue.is_resolved = true;
      issue.resolution = body;
    }
    const at = snapshotAt ?? (Number.isFinite(this.latest) ? new Date(this.latest).toISOString() : importStart);
    return {
      ...this.head,
      created_at: Number.isFinite(this.earliest) ? new Date(this.earliest).toISOString() : at,
      snapshot_at: at,
      tasks: this.tasks,
      form_fields: this.fields,
      comments: this.comments,
      issues: this.issues,
    };
  }
}

function fail(line: number, column: TallyfyColumn | null, problem: string): never {
  throw new TallyfyCsvError(line, column, problem);
}

function newIssue(taskId: string | null, id: string, description: string | null, resolved: boolean): IssueDoc {
  return {
    task_id: taskId, issue_id: id, description,
    reported_by_id: null, reported_at: null,
    is_resolved: resolved, resolved_by_id: null, resolved_at: null, resolution: null,
  };
}

function headerIndex(cells: readonly string[]): ColumnIndex {
  const idx: Partial<ColumnIndex> = {};
  const known = new Set<string>(TALLYFY_COLUMNS);
  cells.forEach((raw, i) => {
    const name = raw.trim();
    if (!known.has(name)) {
      throw new TallyfyCsvError(1, name || `#${i + 1}`, `unknown column (header cell ${i + 1}); this is not a Tallyfy CSV export, whose header is: ${TALLYFY_COLUMNS.join(',')}`);
    }
    const c = name as TallyfyColumn;
    if (idx[c] !== undefined) throw new TallyfyCsvError(1, c, `column appears twice in the header (cells ${idx[c]! + 1} and ${i + 1})`);
    idx[c] = i;
  });
  const missing = TALLYFY_COLUMNS.filter((c) => idx[c] === undefined);
  if (missing.length > 0) throw new TallyfyCsvError(1, missing[0]!, `the header lacks ${missing.length === 1 ? 'this column' : `${missing.length} columns: ${missing.join(', ')}`}`);
  return idx as ColumnIndex;
}

function countNewlines(cells: readonly string[]): number {
  let n = 0;
  for (const c of cells) {
    for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n++;
  }
  return n;
}

interface ParsedRecord {
  record: string[];
  info: { empty_lines: number };
}

/**
 * Reads a Tallyfy CSV export and yields one `ProcessSnapshot` per process, in the order in which
 * processes first appear. Throws a `TallyfyCsvError` at the first problem. See
 * `ReadTallyfyCsvOptions.grouping` for the memory trade-off.
 */
export async function* readTallyfyCsv(input: NodeJS.ReadableStream, opts: ReadTallyfyCsvOptions = {}): AsyncGenerator<ProcessSnapshot> {
  const snapshotAt = opts.snapshotAt ? opts.snapshotAt.toISOString() : null;
  const importStart = new Date().toISOString();
  const contiguous = opts.grouping === 'contiguous';
  const parser = parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true, record_delimiter: ['\r\n', '\n'] });
  pipeline(input, parser, () => {
    // Errors reach the loop below through the parser; an early return of the consumer ends up here too.
  });

  let idx: ColumnIndex | null = null;
  let nextLine = 1; // where the next record starts, before skipped empty lines
  let emptyLines = 0;
  let current = null as ProcessBuilder | null; // contiguous: the process being read
  const finished = new Map<string, number>(); // contiguous: id → last line of processes already yielded
  const all = new Map<string, ProcessBuilder>(); // any-order: every process

  try {
    for await (const chunk of parser as AsyncIterable<ParsedRecord>) {
      const { record, info } = chunk;
      const line = nextLine + (info.empty_lines - emptyLines);
      emptyLines = info.empty_lines;
      nextLine = line + countNewlines(record) + 1;

      if (idx == null) {
        idx = headerIndex(record);
        continue;
      }
      if (record.length !== TALLYFY_COLUMNS.length) {
        throw new TallyfyCsvError(line, null, `the row has ${record.length} cells; the header has ${TALLYFY_COLUMNS.length}`);
      }
      const r = new Row(line, record, idx);
      const type = r.oneOf('type', ROW_TYPES);
      const processId = r.id('process_id', 'process_id');

      if (contiguous) {
        if (current?.processId !== processId) {
          if (current) {
            finished.set(current.processId, current.lastLine);
            yield current.build(snapshotAt, importStart);
          }
          const before = finished.get(processId);
          if (before !== undefined) {
            r.fail('process_id', `the rows of process "${processId}" are not contiguous (its earlier rows end on line ${before}); import with grouping 'any-order'`);
          }
          current = new ProcessBuilder(processId, line, r);
        }
        current.add(r, type);
      } else {
        let p = all.get(processId);
        if (!p) all.set(processId, (p = new ProcessBuilder(processId, line, r)));
        p.add(r, type);
      }
    }
  } catch (e) {
    if (e instanceof CsvError) {
      const at = (e as CsvError & { lines?: number }).lines;
      throw new TallyfyCsvError(typeof at === 'number' && at > 0 ? at : nextLine, null, `malformed CSV: ${e.message}`);
    }
    throw e;
  }
  if (idx == null) throw new TallyfyCsvError(1, null, 'the file is empty; a Tallyfy CSV export starts with its header');
  if (current) yield current.build(snapshotAt, importStart);
  // Build every process before yielding the first, so that an invalid file yields nothing.
  const built = [...all.values()].map((p) => p.build(snapshotAt, importStart));
  all.clear();
  yield* built;
}
