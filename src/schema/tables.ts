/**
 * The one definition of every table and column (SCHEMA.md in code).
 *
 * Invariants:
 * - every table starts with `organization_id`;
 * - every process-scoped table carries `process_id` and ends with `started_month`, its partition;
 * - column order here is the column order everywhere (Parquet, views, catalogs, docs).
 */
import type { ColumnDef, ColumnType, TableDef } from './types.ts';
import {
  ASSIGNEE_TYPES, COMMENT_LABELS, FIELD_TYPES, ISSUE_SCOPES, MEMBER_ROLES, MEMBER_STATUSES,
  PROCESS_STATUSES, PROCESS_TYPES, TASK_STATUSES, TASK_TYPES,
} from './enums.ts';

type Extra = { required?: boolean; enum?: readonly string[] };
const input = (name: string, type: ColumnType, doc: string, extra: Extra = {}): ColumnDef => ({ name, type, doc, origin: 'input', ...extra });
const derived = (name: string, type: ColumnType, doc: string, extra: Extra = {}): ColumnDef => ({ name, type, doc, origin: 'derived', ...extra });
const context = (name: string, type: ColumnType, doc: string): ColumnDef => ({ name, type, doc, origin: 'context' });

const ORG = context('organization_id', 'varchar', 'The organization this row belongs to (its database name).');
const PROCESS = context('process_id', 'varchar', 'The process run this row belongs to.');
const MONTH = context('started_month', 'varchar', "Partition: 'YYYY-MM' of the process's started_at, or of created_at when it has not started (UTC).");
const LAST_MODIFIED = input('last_modified', 'timestamp', 'When the source last changed this row.');

export const processes: TableDef = {
  name: 'processes',
  doc: 'One row per process run: the latest snapshot of it.',
  scope: 'process',
  primaryKey: ['process_id'],
  columns: [
    ORG,
    input('process_id', 'varchar', 'Process run id.', { required: true }),
    input('process_name', 'varchar', 'Name of the run.', { required: true }),
    input('blueprint_id', 'varchar', 'Blueprint (template) the run was launched from; NULL for one-off processes.'),
    input('blueprint_name', 'varchar', 'Name of the blueprint.'),
    input('blueprint_version', 'integer', 'Blueprint version at launch; grows when the blueprint changed between launches.'),
    input('process_type', 'varchar', 'procedure (a blueprint run), form (a launched form) or one_off.', { required: true, enum: PROCESS_TYPES }),
    input('process_status', 'varchar', 'active, problem (an open issue), complete or archived.', { required: true, enum: PROCESS_STATUSES }),
    input('process_owner_id', 'varchar', "Owner's member id."),
    input('process_owner', 'varchar', "Owner's full name."),
    input('started_by_id', 'varchar', 'Member who launched the run.'),
    input('tags', 'varchar[]', 'Tag titles.'),
    derived('total_tasks', 'integer', 'Number of tasks, hidden ones included.'),
    derived('tasks_completed', 'integer', "Number of tasks whose status is 'completed'."),
    derived('late_tasks', 'integer', 'Tasks with a due time that were completed after it, or are still open past it at snapshot_at.'),
    derived('has_open_issue', 'boolean', 'True when at least one issue of the process is not resolved.'),
    input('created_at', 'timestamp', 'When the run was created.', { required: true }),
    input('started_at', 'timestamp', 'When the run was started (launched).'),
    input('due_at', 'timestamp', 'Deadline of the run.'),
    input('completed_at', 'timestamp', 'When the run was completed (authoritative; not last_modified).'),
    input('archived_at', 'timestamp', 'When the run was archived.'),
    LAST_MODIFIED,
    input('snapshot_at', 'timestamp', 'When the source took this snapshot; a newer snapshot replaces an older one.', { required: true }),
    MONTH,
  ],
};

export const steps: TableDef = {
  name: 'steps',
  doc: 'One row per task of a process.',
  scope: 'process',
  primaryKey: ['task_id'],
  columns: [
    ORG,
    PROCESS,
    input('task_id', 'varchar', 'Task id (unique in the organization).', { required: true }),
    input('step_id', 'varchar', 'Blueprint step the task comes from; NULL for one-off tasks.'),
    input('task_alias', 'varchar', 'Stable step alias shared by every run of the blueprint.'),
    input('task_name', 'varchar', 'Task name.', { required: true }),
    input('position', 'integer', 'Order of the task within the process, from 1.'),
    input('task_type', 'varchar', 'task, approval, expiring, email or expiring_email.', { required: true, enum: TASK_TYPES }),
    input('task_status', 'varchar', 'not-started, in-progress, completed or auto-skipped (hidden by rules).', { required: true, enum: TASK_STATUSES }),
    input('is_visible', 'boolean', 'Shown (true) or hidden by rules (false).'),
    input('milestone_id', 'varchar', 'Milestone the task belongs to.'),
    input('milestone_name', 'varchar', 'Name of the milestone.'),
    input('milestone_position', 'integer', 'Order of the milestone.'),
    derived('assigned_member_ids', 'varchar[]', "Ids of the members assigned (assignees of type 'member')."),
    derived('assigned_group_ids', 'varchar[]', "Ids of the groups assigned (assignees of type 'group')."),
    derived('assigned_guest_emails', 'varchar[]', "E-mails of the guests assigned (assignees of type 'guest')."),
    derived('total_assignees', 'integer', 'Number of assignees of every type.'),
    input('shown_at', 'timestamp', 'When the task was assigned or shown; NULL while hidden.'),
    input('due_at', 'timestamp', 'Deadline of the task.'),
    input('completed_at', 'timestamp', 'When the task was completed.'),
    input('completed_by_id', 'varchar', 'Member who completed the task.'),
    input('completed_by_guest_email', 'varchar', 'Guest who completed the task.'),
    input('is_approved', 'boolean', 'Outcome of an approval task; NULL for other tasks or while undecided.'),
    input('everyone_must_complete', 'boolean', 'Every assignee must complete the task.'),
    derived('form_field_count', 'integer', 'Number of form fields on the task.'),
    derived('comment_count', 'integer', 'Number of comments on the task, of every label.'),
    derived('issues_reported', 'integer', 'Number of issues reported on the task.'),
    derived('issues_resolved', 'integer', 'Number of those issues that are resolved.'),
    LAST_MODIFIED,
    MONTH,
  ],
};

export const formFields: TableDef = {
  name: 'form_fields',
  doc: 'One row per form field (capture) of a process, kick-off fields included.',
  scope: 'process',
  primaryKey: ['process_id', 'field_id'],
  columns: [
    ORG,
    PROCESS,
    input('field_id', 'varchar', 'Field id, the same across runs of one blueprint.', { required: true }),
    input('task_id', 'varchar', 'Task the field is on; NULL for kick-off fields.'),
    derived('is_kickoff', 'boolean', 'True for kick-off form fields (task_id IS NULL).'),
    input('field_label', 'varchar', 'The question.', { required: true }),
    input('field_alias', 'varchar', 'Field alias.'),
    input('field_type', 'varchar', 'Kind of field.', { required: true, enum: FIELD_TYPES }),
    input('is_required', 'boolean', 'An answer is required.'),
    input('answer', 'varchar', 'Text form of the answer; NULL while unanswered.'),
    input('answer_values', 'varchar[]', 'The values of a multi-value answer (multiselect, checkbox, table, assignees).'),
    derived('answer_number', 'double', 'The answer as a number, when it is one.'),
    input('answered_at', 'timestamp', 'When the answer was given.'),
    LAST_MODIFIED,
    MONTH,
  ],
};

export const comments: TableDef = {
  name: 'comments',
  doc: 'One row per comment on a task.',
  scope: 'process',
  primaryKey: ['comment_id'],
  columns: [
    ORG,
    PROCESS,
    input('task_id', 'varchar', 'Task the comment is on.', { required: true }),
    input('comment_id', 'varchar', 'Comment id.', { required: true }),
    input('label', 'varchar', 'comment, problem (reports an issue), resolve (resolves one), improvement or advice.', { required: true, enum: COMMENT_LABELS }),
    input('body', 'varchar', 'Comment text.'),
    input('author_id', 'varchar', 'Member who wrote it.'),
    input('author_guest_email', 'varchar', 'Guest who wrote it.'),
    input('created_at', 'timestamp', 'When it was written.'),
    LAST_MODIFIED,
    MONTH,
  ],
};

export const issues: TableDef = {
  name: 'issues',
  doc: 'One row per reported problem.',
  scope: 'process',
  primaryKey: ['issue_id'],
  columns: [
    ORG,
    PROCESS,
    input('task_id', 'varchar', 'Task the issue was reported on; NULL for process-level issues.'),
    input('issue_id', 'varchar', 'Issue id.', { required: true }),
    derived('scope', 'varchar', "'task' when reported on a task, 'process' otherwise.", { enum: ISSUE_SCOPES }),
    input('description', 'varchar', 'What was reported.'),
    input('reported_by_id', 'varchar', 'Member who reported it.'),
    input('reported_at', 'timestamp', 'When it was reported.'),
    input('is_resolved', 'boolean', 'The issue is resolved.', { required: true }),
    input('resolved_by_id', 'varchar', 'Member who resolved it.'),
    input('resolved_at', 'timestamp', 'When it was resolved.'),
    input('resolution', 'varchar', 'The resolution comment.'),
    MONTH,
  ],
};

export const assignments: TableDef = {
  name: 'assignments',
  doc: 'One row per assignee of a task.',
  scope: 'process',
  primaryKey: ['task_id', 'assignee_type', 'assignee_id'],
  columns: [
    ORG,
    PROCESS,
    context('task_id', 'varchar', 'The task assigned.'),
    input('assignee_type', 'varchar', 'member, guest or group.', { required: true, enum: ASSIGNEE_TYPES }),
    input('assignee_id', 'varchar', 'Member id, group id, or guest e-mail.', { required: true }),
    input('assignee_name', 'varchar', 'Full name of the member, name of the group, or the guest e-mail.'),
    MONTH,
  ],
};

export const members: TableDef = {
  name: 'members',
  doc: 'One row per member (user) of the organization.',
  scope: 'organization',
  primaryKey: ['member_id'],
  columns: [
    ORG,
    input('member_id', 'varchar', 'Member id.', { required: true }),
    input('email', 'varchar', 'E-mail address.', { required: true }),
    input('first_name', 'varchar', 'First name.'),
    input('last_name', 'varchar', 'Last name.'),
    input('full_name', 'varchar', 'Full name.'),
    input('job_title', 'varchar', 'Job title.'),
    input('team', 'varchar', 'Team.'),
    input('role', 'varchar', 'admin, standard or light.', { required: true, enum: MEMBER_ROLES }),
    input('status', 'varchar', 'active, invited or disabled.', { required: true, enum: MEMBER_STATUSES }),
    input('is_suspended', 'boolean', 'The member is suspended.'),
    input('timezone', 'varchar', 'IANA time zone of the member.'),
    input('country', 'varchar', 'Country.'),
    input('group_ids', 'varchar[]', 'Groups the member belongs to.'),
    input('created_at', 'timestamp', 'When the member was created.'),
    input('activated_at', 'timestamp', 'When the member accepted the invitation.'),
    input('last_login_at', 'timestamp', 'Last login.'),
    LAST_MODIFIED,
  ],
};

export const memberLogins: TableDef = {
  name: 'member_logins',
  doc: 'Login history: one row per login event (append-only).',
  scope: 'organization',
  primaryKey: ['member_id', 'login_at'],
  columns: [
    ORG,
    input('member_id', 'varchar', 'Member who logged in.', { required: true }),
    input('login_at', 'timestamp', 'When.', { required: true }),
  ],
};

/** Every stored table, in catalog order. */
export const TABLES: readonly TableDef[] = [processes, steps, formFields, comments, issues, assignments, members, memberLogins];

export type TableName = 'processes' | 'steps' | 'form_fields' | 'comments' | 'issues' | 'assignments' | 'members' | 'member_logins';

export function tableByName(name: string): TableDef | undefined {
  return TABLES.find((t) => t.name === name);
}

export function inputColumns(table: TableDef): ColumnDef[] {
  return table.columns.filter((c) => c.origin === 'input');
}
