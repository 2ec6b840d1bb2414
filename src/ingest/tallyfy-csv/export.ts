/**
 * Exporter: process snapshots → the reference product's 49-column CSV.
 *
 * `processRows` is the pure codec (one document → its rows, cells as text); `writeTallyfyCsv` is the
 * thin I/O around it (header, RFC 4180 quoting, CRLF, backpressure). The mapping is described column
 * by column in CONTEXT.md beside this file.
 *
 * Invariants:
 * - every row has the 49 columns; NULL is written `nan`, booleans `Yes`/`No`, timestamps
 *   `YYYY-MM-DD HH:MM:SS` in UTC with `.mmm` appended when the milliseconds are not zero;
 * - the process columns are identical on every row of a process;
 * - a process always has at least one row (a `kick_off_task` row with an empty kick_off_task_id
 *   when it has neither tasks, kick-off fields nor process-level issues).
 */
import { once } from 'node:events';
import type { AssigneeDoc, CommentDoc, FormFieldDoc, IssueDoc, ProcessSnapshot, TaskDoc } from '../../schema/index.ts';
import { RunlakeError } from '../../util/errors.ts';
import {
  GROUP_PREFIX, LIST_ESCAPE, LIST_SEPARATOR, MULTI_VALUE_FIELD_TYPES, NOT_COMPLETED_BY, NULL_CELL, NULL_SENTINELS,
  TALLYFY_COLUMNS, type RowType, type TallyfyRow,
} from './columns.ts';

// ---------------------------------------------------------------------------------------------
// Cell encoders (pure).

/** Text: NULL and '' are written `nan`. */
export function textCell(v: string | null | undefined): string {
  return v == null || v === '' ? NULL_CELL : v;
}

export function boolCell(v: boolean | null | undefined): string {
  return v == null ? NULL_CELL : v ? 'Yes' : 'No';
}

function intCell(v: number | null | undefined, where: () => string): string {
  if (v == null) return NULL_CELL;
  if (!Number.isSafeInteger(v)) throw exportError(where(), `${v} is not an integer`);
  return String(v);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `YYYY-MM-DD HH:MM:SS` in UTC (the reference product's spelling), plus `.mmm` when the
 * milliseconds are not zero so that the round trip is exact to the millisecond.
 */
export function timestampCell(v: string | null | undefined, where: () => string = () => 'timestamp'): string {
  if (v == null) return NULL_CELL;
  const d = new Date(v);
  const t = d.getTime();
  if (!Number.isFinite(t)) throw exportError(where(), `"${v}" is not a timestamp`);
  const s = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  return ms === 0 ? s : `${s}.${pad(ms, 3)}`;
}

const ESCAPE_IN_ITEM = /[\\,]/g;
const ESCAPE_IN_GROUP_ID = /[\\,_]/g;

/**
 * One list item: backslash before `\` and `,` (and `_` in a group id), and before leading or
 * trailing white space, which the importer would otherwise trim.
 */
function escapeItem(s: string, specials: RegExp = ESCAPE_IN_ITEM): string {
  let e = s.replace(specials, (c) => LIST_ESCAPE + c);
  const lead = /^\s/.exec(e);
  if (lead) e = LIST_ESCAPE + e;
  if (/\s$/.test(e) && !(e.length === 2 && lead)) e = e.slice(0, -1) + LIST_ESCAPE + e.slice(-1);
  return e;
}

/** Escaped items joined with `,`; an empty list is `nan`; a cell that would read as a sentinel is escaped. */
function joinItems(items: readonly string[]): string {
  const cell = items.join(LIST_SEPARATOR);
  if (cell === '') return NULL_CELL;
  // `nan`/`NaN` as the only item: escape its first character so the cell is not the sentinel.
  return NULL_SENTINELS.has(cell) ? LIST_ESCAPE + cell : cell;
}

/**
 * A list cell (tags, guest e-mails, multi-value answers). NULL and [] are both written `nan`; empty
 * items are left out (the importer drops them too).
 */
export function listCell(values: readonly string[] | null | undefined): string {
  return joinItems((values ?? []).filter((v) => v !== '').map((v) => escapeItem(v)));
}

/** A member id: escaped, and a leading `GROUP_` is escaped so it does not read as a group. */
function memberIdItem(id: string): string {
  const e = escapeItem(id);
  return e.startsWith(GROUP_PREFIX) ? LIST_ESCAPE + e : e;
}

/** `GROUP_{id}_{name}`; `GROUP_{id}` when the group has no name. */
function groupItem(a: AssigneeDoc): string {
  const id = escapeItem(a.assignee_id, ESCAPE_IN_GROUP_ID);
  return a.assignee_name == null || a.assignee_name === '' ? GROUP_PREFIX + id : `${GROUP_PREFIX}${id}_${escapeItem(a.assignee_name)}`;
}

/** The assignee columns of a task row. Members and groups share two aligned lists; guests have their own. */
export function assigneeCells(assignees: readonly AssigneeDoc[]): Pick<TallyfyRow,
  'user_assigned' | 'assigned_user_id' | 'guest_assigned' | 'total_users_assigned' | 'total_guests_assigned' | 'total_assignees'> {
  const names: string[] = [];
  const ids: string[] = [];
  const guests: string[] = [];
  let members = 0;
  for (const a of assignees) {
    if (a.assignee_type === 'guest') {
      guests.push(escapeItem(a.assignee_id));
    } else if (a.assignee_type === 'group') {
      const g = groupItem(a);
      ids.push(g);
      names.push(g);
    } else {
      members++;
      ids.push(memberIdItem(a.assignee_id));
      // An empty item keeps the two lists aligned when a member has no name.
      names.push(a.assignee_name == null ? '' : escapeItem(a.assignee_name));
    }
  }
  return {
    user_assigned: names.every((n) => n === '') ? NULL_CELL : joinItems(names),
    assigned_user_id: joinItems(ids),
    guest_assigned: joinItems(guests),
    total_users_assigned: String(members),
    total_guests_assigned: String(guests.length),
    total_assignees: String(assignees.length),
  };
}

/** `answer_in_form_field`: the answer; for multi-value types, `answer_values` as a list cell. */
export function answerCell(f: FormFieldDoc): string {
  if (!MULTI_VALUE_FIELD_TYPES.has(f.field_type)) return textCell(f.answer);
  if (f.answer_values != null && f.answer_values.length > 0) return listCell(f.answer_values);
  return f.answer == null || f.answer === '' ? NULL_CELL : listCell([f.answer]);
}

function exportError(where: string, message: string): RunlakeError {
  return new RunlakeError('invalid_document', `Tallyfy CSV export: ${where}: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Rows of one process.

const NAN_ROW: TallyfyRow = Object.fromEntries(TALLYFY_COLUMNS.map((c) => [c, NULL_CELL])) as TallyfyRow;

function groupBy<T>(list: readonly T[], key: (x: T) => string | null | undefined): Map<string | null, T[]> {
  const m = new Map<string | null, T[]>();
  for (const x of list) {
    const k = key(x) ?? null;
    const l = m.get(k);
    if (l) l.push(x);
    else m.set(k, [x]);
  }
  return m;
}

const sameInstant = (a: string | null | undefined, b: string | null | undefined) =>
  a != null && b != null && Date.parse(a) === Date.parse(b);

/**
 * Links each resolved task issue to the resolve comment that carries its resolution: a resolve
 * comment on the same task whose body is the resolution (preferring the one written by the
 * resolver at the resolution time). Returns problem comment id → resolve comment.
 */
function linkResolutions(taskComments: readonly CommentDoc[], issuesById: ReadonlyMap<string, IssueDoc>): Map<string, CommentDoc> {
  const links = new Map<string, CommentDoc>();
  const resolves = taskComments.filter((c) => c.label === 'resolve');
  if (resolves.length === 0) return links;
  const used = new Set<CommentDoc>();
  for (const problem of taskComments) {
    if (problem.label !== 'problem') continue;
    const issue = issuesById.get(problem.comment_id);
    if (!issue || !issue.is_resolved || issue.resolution == null || issue.task_id !== problem.task_id) continue;
    const candidates = resolves.filter((r) => !used.has(r) && r.body === issue.resolution);
    const best = candidates.find((r) => sameInstant(r.created_at, issue.resolved_at) && r.author_id === issue.resolved_by_id)
      ?? candidates.find((r) => sameInstant(r.created_at, issue.resolved_at))
      ?? candidates[0];
    if (best) {
      used.add(best);
      links.set(problem.comment_id, best);
    }
  }
  return links;
}

/**
 * The rows of one process, in this order: kick-off fields; then each task (in the order of the
 * document) followed by its form fields and its comments; then rows of fields and comments whose
 * task is not in the document; then process-level issues. A resolve comment that carries an
 * issue's resolution is written right after that issue's problem comment.
 */
export function* processRows(doc: ProcessSnapshot): Generator<TallyfyRow> {
  const where = (what: string) => () => `process "${doc.process_id}": ${what}`;
  const tasks = doc.tasks ?? [];
  const fields = doc.form_fields ?? [];
  const comments = doc.comments ?? [];
  const issues = doc.issues ?? [];
  const fieldsByTask = groupBy(fields, (f) => f.task_id);
  const commentsByTask = groupBy(comments, (c) => c.task_id);
  const issuesByTask = groupBy(issues, (i) => i.task_id);
  const issuesById = new Map(issues.map((i) => [i.issue_id, i]));
  const kickoff = fieldsByTask.get(null) ?? [];

  const base: TallyfyRow = {
    ...NAN_ROW,
    blueprint_id: textCell(doc.blueprint_id),
    blueprint_name: textCell(doc.blueprint_name),
    blueprint_version: intCell(doc.blueprint_version, where('blueprint_version')),
    process_id: textCell(doc.process_id),
    process_name: textCell(doc.process_name),
    process_tag: listCell(doc.tags),
    process_owner: textCell(doc.process_owner),
    process_owner_id: textCell(doc.process_owner_id),
    total_tasks_in_process: String(tasks.length),
    tasks_completed: String(tasks.filter((t) => t.task_status === 'completed').length),
    process_status: doc.process_status,
    process_last_modified: timestampCell(doc.last_modified, where('last_modified')),
    process_completed_at: timestampCell(doc.completed_at, where('completed_at')),
  };
  const row = (type: RowType, hasFormFields: boolean, cells: Partial<TallyfyRow>): TallyfyRow =>
    ({ ...base, type, has_form_fields: boolCell(hasFormFields), ...cells });

  const fieldRow = (f: FormFieldDoc, taskName: string | null): TallyfyRow => {
    const common = {
      form_field_type: f.field_type,
      question_in_form_field: textCell(f.field_label),
      answer_in_form_field: answerCell(f),
      last_modified: timestampCell(f.last_modified, where(`form field "${f.field_id}": last_modified`)),
    };
    if (f.task_id == null) {
      return row('kick_off_task', true, { ...common, kick_off_task_id: textCell(f.field_id), kick_off_task_name: textCell(f.field_label) });
    }
    return row('process_task_data', true, {
      ...common,
      process_task_id: textCell(f.task_id),
      process_task_data_id: textCell(f.field_id),
      process_task_data_name: textCell(taskName),
    });
  };

  const commentRow = (c: CommentDoc, taskName: string | null, hasFields: boolean): TallyfyRow => {
    const issue = issuesById.get(c.comment_id);
    return row('process_task_comment', hasFields, {
      process_task_id: textCell(c.task_id),
      process_task_comment_id: textCell(c.comment_id),
      process_task_comment_name: textCell(taskName),
      comment: textCell(c.body),
      issue_reported: boolCell(c.label === 'problem'),
      // On a problem comment, issue_resolved says whether its issue is resolved.
      issue_resolved: boolCell(c.label === 'resolve' || (c.label === 'problem' && issue?.is_resolved === true && issue.task_id === c.task_id)),
      last_modified: timestampCell(c.last_modified, where(`comment "${c.comment_id}": last_modified`)),
    });
  };

  function* commentRows(taskId: string, taskName: string | null, hasFields: boolean): Generator<TallyfyRow> {
    const list = commentsByTask.get(taskId) ?? [];
    const links = linkResolutions(list, issuesById);
    const linked = new Set(links.values());
    for (const c of list) {
      if (linked.has(c)) continue;
      yield commentRow(c, taskName, hasFields);
      const r = links.get(c.comment_id);
      if (r) yield commentRow(r, taskName, hasFields);
    }
  }

  let n = 0;
  for (const f of kickoff) {
    n++;
    yield fieldRow(f, null);
  }
  const taskIds = new Set<string>();
  for (const t of tasks) {
    taskIds.add(t.task_id);
    const taskFields = fieldsByTask.get(t.task_id) ?? [];
    n++;
    yield taskRow(t, taskFields.length, commentsByTask.get(t.task_id) ?? [], issuesByTask.get(t.task_id) ?? []);
    for (const f of taskFields) {
      n++;
      yield fieldRow(f, t.task_name);
    }
    for (const r of commentRows(t.task_id, t.task_name, taskFields.length > 0)) {
      n++;
      yield r;
    }
  }
  // Fields and comments of tasks the document does not list (an inconsistent document): kept.
  for (const [taskId, list] of fieldsByTask) {
    if (taskId == null || taskIds.has(taskId)) continue;
    for (const f of list) {
      n++;
      yield fieldRow(f, null);
    }
  }
  for (const taskId of commentsByTask.keys()) {
    if (taskId == null || taskIds.has(taskId)) continue;
    for (const r of commentRows(taskId, null, fieldsByTask.has(taskId))) {
      n++;
      yield r;
    }
  }
  // Process-level issues: a comment row without a task; its resolution, if any, on a second row
  // with the same id.
  for (const i of issuesByTask.get(null) ?? []) {
    const cells = { process_task_comment_id: textCell(i.issue_id), issue_reported: 'Yes' };
    n++;
    yield row('process_task_comment', kickoff.length > 0, { ...cells, comment: textCell(i.description), issue_resolved: boolCell(i.is_resolved) });
    if (i.is_resolved && i.resolution != null) {
      n++;
      yield row('process_task_comment', kickoff.length > 0, { ...cells, comment: textCell(i.resolution), issue_reported: 'No', issue_resolved: 'Yes' });
    }
  }
  // A process with no other row still needs one, so that it exists after an import.
  if (n === 0) yield row('kick_off_task', false, {});

  function taskRow(t: TaskDoc, fieldCount: number, taskComments: readonly CommentDoc[], taskIssues: readonly IssueDoc[]): TallyfyRow {
    const at = (f: string) => where(`task "${t.task_id}": ${f}`);
    const resolved = taskIssues.filter((i) => i.is_resolved).length;
    const completedBy = t.completed_by_id ?? t.completed_by_guest_email;
    return row('process_task', fieldCount > 0, {
      process_task_id: textCell(t.task_id),
      process_task_status: t.is_visible == null ? NULL_CELL : t.is_visible ? 'shown' : 'hidden',
      process_task_name: textCell(t.task_name),
      process_task_alias: textCell(t.task_alias),
      milestone_id: textCell(t.milestone_id),
      milestone_name: textCell(t.milestone_name),
      milestone_position: intCell(t.milestone_position, at('milestone_position')),
      ...assigneeCells(t.assignees ?? []),
      completed_by: completedBy == null || completedBy === '' ? NOT_COMPLETED_BY : completedBy,
      assigned_or_shown_on: timestampCell(t.shown_at, at('shown_at')),
      due_by: timestampCell(t.due_at, at('due_at')),
      completed_on: timestampCell(t.completed_at, at('completed_at')),
      no_of_form_fields: String(fieldCount),
      issue_reported: boolCell(taskIssues.length > 0),
      no_of_issue_reported: String(taskIssues.length),
      issue_resolved: boolCell(taskIssues.length > 0 && resolved === taskIssues.length),
      no_of_issue_resolved: String(resolved),
      total_comments: String(taskComments.filter((c) => c.label !== 'problem' && c.label !== 'resolve').length),
      last_modified: timestampCell(t.last_modified, at('last_modified')),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Writing a file.

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a cell with a quote, comma, CR or LF is quoted, its quotes doubled. */
export function csvCell(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(row: TallyfyRow): string {
  let line = '';
  for (let i = 0; i < TALLYFY_COLUMNS.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(row[TALLYFY_COLUMNS[i]!]);
  }
  return line + '\r\n';
}

export const TALLYFY_HEADER = TALLYFY_COLUMNS.join(',') + '\r\n';

/** Rows are written in chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes the header and the rows of every document to `out` (RFC 4180, CRLF line ends, UTF-8, no
 * BOM), waiting for 'drain' whenever `out` asks to, so memory stays bounded by about one chunk
 * plus the stream's buffer, whatever the number of documents. Does not end `out`.
 */
export async function writeTallyfyCsv(
  docs: AsyncIterable<ProcessSnapshot> | Iterable<ProcessSnapshot>,
  out: NodeJS.WritableStream,
): Promise<{ processes: number; rows: number }> {
  let processes = 0;
  let rows = 0;
  let chunk = TALLYFY_HEADER;
  const flush = async () => {
    const c = chunk;
    chunk = '';
    if (!out.write(c)) await once(out, 'drain');
  };
  for await (const doc of docs) {
    processes++;
    for (const r of processRows(doc)) {
      rows++;
      chunk += csvLine(r);
      if (chunk.length >= CHUNK_CHARS) await flush();
    }
  }
  if (chunk.length > 0) await flush();
  return { processes, rows };
}
