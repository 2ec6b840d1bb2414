/**
 * The reference product's 49-column CSV ("Tallyfy CSV"): its columns in order, its row kinds, its
 * sentinels, and the list of document fields the format cannot carry. See CONTEXT.md beside this
 * file for the column-by-column mapping, and docs/tallyfy-csv.md for the user-facing version.
 *
 * Invariants:
 * - `TALLYFY_COLUMNS` is the exact header of the file, in order (research/tallyfy-analytics.md (b));
 * - `UNCARRIED_FIELDS` and `APPROXIMATED_FIELDS` are mirrored word for word by docs/tallyfy-csv.md,
 *   and the round-trip test asserts them against real exports and imports.
 */
import type { AssigneeDoc, CommentDoc, FieldType, FormFieldDoc, IssueDoc, ProcessSnapshot, TaskDoc } from '../../schema/index.ts';

export const TALLYFY_COLUMNS = [
  'blueprint_id', 'blueprint_name', 'blueprint_version', 'process_id', 'process_name', 'process_tag',
  'process_owner', 'process_owner_id', 'total_tasks_in_process', 'tasks_completed', 'process_status',
  'process_last_modified', 'process_completed_at', 'type', 'has_form_fields', 'kick_off_task_id',
  'kick_off_task_name', 'process_task_id', 'process_task_status', 'process_task_name', 'process_task_alias',
  'process_task_data_id', 'process_task_data_name', 'process_task_comment_id', 'process_task_comment_name',
  'milestone_id', 'milestone_name', 'milestone_position', 'user_assigned', 'assigned_user_id', 'guest_assigned',
  'total_users_assigned', 'total_guests_assigned', 'total_assignees', 'completed_by', 'assigned_or_shown_on',
  'due_by', 'completed_on', 'no_of_form_fields', 'form_field_type', 'question_in_form_field',
  'answer_in_form_field', 'issue_reported', 'no_of_issue_reported', 'issue_resolved', 'no_of_issue_resolved',
  'total_comments', 'comment', 'last_modified',
] as const;

export type TallyfyColumn = (typeof TALLYFY_COLUMNS)[number];

/** One CSV row, every cell as the text written in the file. */
export type TallyfyRow = Record<TallyfyColumn, string>;

/** Values of the `type` column: what a row is. */
export const ROW_TYPES = ['process_task', 'process_task_data', 'process_task_comment', 'kick_off_task'] as const;
export type RowType = (typeof ROW_TYPES)[number];

/** Columns about the process; they repeat, identical, on every row of the process. */
export const PROCESS_COLUMNS = [
  'blueprint_id', 'blueprint_name', 'blueprint_version', 'process_id', 'process_name', 'process_tag',
  'process_owner', 'process_owner_id', 'total_tasks_in_process', 'tasks_completed', 'process_status',
  'process_last_modified', 'process_completed_at',
] as const satisfies readonly TallyfyColumn[];

/** Counts written from the document on export and ignored on import (our model derives them). */
export const COUNT_COLUMNS = [
  'total_tasks_in_process', 'tasks_completed', 'total_users_assigned', 'total_guests_assigned', 'total_assignees',
  'no_of_form_fields', 'no_of_issue_reported', 'no_of_issue_resolved', 'total_comments',
] as const satisfies readonly TallyfyColumn[];

/** What the exporter writes for NULL: the reference product's Pandas output. */
export const NULL_CELL = 'nan';
/** Cells read as NULL on import. */
export const NULL_SENTINELS: ReadonlySet<string> = new Set(['', 'nan', 'NaN']);
/** `completed_by` when the task is not completed by a member (the reference product writes 0). */
export const NOT_COMPLETED_BY = '0';

/** Field types whose answer is a list: `answer_in_form_field` holds `answer_values` as a list cell. */
export const MULTI_VALUE_FIELD_TYPES: ReadonlySet<FieldType> = new Set<FieldType>(['multiselect', 'checkbox', 'table', 'assignees']);

/** The text form (`answer`) of a multi-value answer: a table's rows one per line, other values joined with `, `. */
export function answerText(type: FieldType, values: readonly string[]): string {
  return values.join(type === 'table' ? '\n' : ', ');
}

/** Prefix of a group assignee in `user_assigned` / `assigned_user_id`: `GROUP_{id}_{name}` (older files: `GROUP_{id}`). */
export const GROUP_PREFIX = 'GROUP_';
/** Older spelling of a group in `user_assigned`: `GROUP - {name}`. */
export const LEGACY_GROUP_NAME_PREFIX = 'GROUP - ';

/** The separator of list cells (tags, member ids, names, guest e-mails, multi-value answers). */
export const LIST_SEPARATOR = ',';
/** Inside a list cell, a backslash makes the next character literal (`\,` `\\` `\_` `\ `). */
export const LIST_ESCAPE = '\\';

// ---------------------------------------------------------------------------------------------
// What the format cannot carry.

interface DocFields {
  process: keyof ProcessSnapshot;
  task: keyof TaskDoc;
  assignee: keyof AssigneeDoc;
  form_field: keyof FormFieldDoc;
  comment: keyof CommentDoc;
  issue: keyof IssueDoc;
}
export type DocEntity = keyof DocFields;

/** A field of one of the input documents, with why the CSV cannot carry it (or carries it only approximately). */
export type FieldNote = { [E in DocEntity]: { readonly entity: E; readonly field: DocFields[E]; readonly reason: string } }[DocEntity];

/**
 * Fields with no column in the format: always NULL after an import, whatever was exported.
 * docs/tallyfy-csv.md mirrors this list word for word (the test checks it).
 */
export const UNCARRIED_FIELDS: readonly FieldNote[] = [
  { entity: 'process', field: 'started_by_id', reason: 'no column for who launched the run' },
  { entity: 'process', field: 'started_at', reason: 'no column for the launch time' },
  { entity: 'process', field: 'due_at', reason: "no column for the process deadline (only tasks' due_by)" },
  { entity: 'process', field: 'archived_at', reason: "no column for the archive time (process_status 'archived' survives)" },
  { entity: 'task', field: 'step_id', reason: 'no column for the blueprint step id (process_task_alias carries the stable alias)' },
  { entity: 'task', field: 'position', reason: 'no column for the order (the importer keeps the row order as the order of the tasks list)' },
  { entity: 'task', field: 'is_approved', reason: 'no column for the outcome of an approval' },
  { entity: 'task', field: 'everyone_must_complete', reason: 'no column for the completion rule' },
  { entity: 'form_field', field: 'field_alias', reason: 'no column for the field alias' },
  { entity: 'form_field', field: 'is_required', reason: 'no column for the required flag' },
  { entity: 'form_field', field: 'answered_at', reason: 'no column for the answer time (last_modified is the row update time)' },
  { entity: 'comment', field: 'author_id', reason: 'no column for the author of a comment' },
  { entity: 'comment', field: 'author_guest_email', reason: 'no column for the author of a comment' },
  { entity: 'comment', field: 'created_at', reason: 'no column for the time of a comment' },
  { entity: 'issue', field: 'reported_by_id', reason: 'an issue travels as its problem comment, which has no author column' },
  { entity: 'issue', field: 'reported_at', reason: 'an issue travels as its problem comment, which has no time column' },
  { entity: 'issue', field: 'resolved_by_id', reason: 'a resolution travels as its resolve comment, which has no author column' },
  { entity: 'issue', field: 'resolved_at', reason: 'a resolution travels as its resolve comment, which has no time column' },
];

/**
 * Fields the format carries only approximately: after an import they hold the value given by the
 * rule. docs/tallyfy-csv.md mirrors this list word for word (the test checks it).
 */
export const APPROXIMATED_FIELDS: readonly FieldNote[] = [
  { entity: 'process', field: 'process_type', reason: "no column: 'one_off' when blueprint_id is NULL, else 'procedure' ('form' is lost)" },
  { entity: 'process', field: 'created_at', reason: 'no column, but required: the earliest time found in the rows of the process (due_by excluded), else snapshot_at' },
  { entity: 'process', field: 'snapshot_at', reason: 'no column: the snapshotAt option, else the latest time found in the rows of the process (due_by excluded), else the time the import started' },
  { entity: 'process', field: 'tags', reason: 'an empty list is written nan and read back as NULL' },
  { entity: 'task', field: 'task_type', reason: "no column, but required: always 'task'" },
  { entity: 'task', field: 'task_status', reason: "rebuilt: 'completed' if completed_on is set, else 'auto-skipped' if hidden, else 'in-progress' if assigned_or_shown_on is set, else 'not-started' (a shown task nobody started comes back 'in-progress')" },
  { entity: 'task', field: 'completed_by_guest_email', reason: 'written in completed_by (an e-mail) only when completed_by_id is NULL' },
  { entity: 'assignee', field: 'assignee_name', reason: "a guest's name is its e-mail; a member's name is kept only while user_assigned and assigned_user_id have the same number of entries" },
  { entity: 'form_field', field: 'answer', reason: "for multiselect, checkbox and assignees fields: answer_values joined with ', '; for table fields: answer_values joined with line breaks" },
  { entity: 'form_field', field: 'answer_values', reason: 'carried for multiselect, checkbox, table and assignees fields only (NULL for other types); an answer without values comes back as a one-value list' },
  { entity: 'comment', field: 'label', reason: "issue_reported Yes is 'problem', issue_resolved Yes is 'resolve', anything else is 'comment' ('improvement' and 'advice' become 'comment')" },
  { entity: 'issue', field: 'description', reason: "a task issue's description is the body of its problem comment (the comment whose comment_id is the issue_id)" },
  { entity: 'issue', field: 'resolution', reason: "a task issue's resolution is the body of its resolve comment, matched as described under Issues" },
];

/** `entity.field`, the spelling used by the docs. */
export function notePath(n: FieldNote): string {
  return `${n.entity}.${String(n.field)}`;
}
