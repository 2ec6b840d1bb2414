/** Enumerations of the workflow vocabulary (SCHEMA.md). */

export const PROCESS_TYPES = ['procedure', 'form', 'one_off'] as const;
export const PROCESS_STATUSES = ['active', 'problem', 'complete', 'archived'] as const;
export const TASK_TYPES = ['task', 'approval', 'expiring', 'email', 'expiring_email'] as const;
export const TASK_STATUSES = ['not-started', 'in-progress', 'completed', 'auto-skipped'] as const;
export const FIELD_TYPES = [
  'text', 'textarea', 'radio', 'dropdown', 'multiselect', 'number', 'email', 'url',
  'date', 'time', 'datetime', 'checkbox', 'file', 'table', 'assignees',
] as const;
export const COMMENT_LABELS = ['comment', 'problem', 'resolve', 'improvement', 'advice'] as const;
export const ISSUE_SCOPES = ['task', 'process'] as const;
export const ASSIGNEE_TYPES = ['member', 'guest', 'group'] as const;
export const MEMBER_ROLES = ['admin', 'standard', 'light'] as const;
export const MEMBER_STATUSES = ['active', 'invited', 'disabled'] as const;

export type ProcessType = (typeof PROCESS_TYPES)[number];
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];
export type TaskType = (typeof TASK_TYPES)[number];
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type FieldType = (typeof FIELD_TYPES)[number];
export type CommentLabel = (typeof COMMENT_LABELS)[number];
export type AssigneeType = (typeof ASSIGNEE_TYPES)[number];
export type MemberRole = (typeof MEMBER_ROLES)[number];
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
