/**
 * The input documents every source produces (SCHEMA.md "What comes in"), and their JSON Schema,
 * generated from the table definitions: a document's fields are exactly the `input` columns of
 * the tables it feeds, plus its nested lists.
 *
 * Invariants:
 * - timestamps are ISO 8601 strings with an offset (or `Z`); the ingest layer normalizes them to UTC;
 * - an optional field may be omitted or null; both mean NULL;
 * - a process snapshot replaces the previous snapshot of the same process entirely.
 */
import type { ColumnDef, ColumnType, TableDef } from './types.ts';
import { assignments, comments, formFields, inputColumns, issues, memberLogins, members, processes, steps } from './tables.ts';
import type {
  AssigneeType, CommentLabel, FieldType, MemberRole, MemberStatus, ProcessStatus, ProcessType, TaskStatus, TaskType,
} from './enums.ts';

type Ts = string; // ISO 8601 timestamp
type Opt<T> = T | null | undefined;

export interface AssigneeDoc {
  assignee_type: AssigneeType;
  assignee_id: string;
  assignee_name?: Opt<string>;
}

export interface TaskDoc {
  task_id: string;
  step_id?: Opt<string>;
  task_alias?: Opt<string>;
  task_name: string;
  position?: Opt<number>;
  task_type: TaskType;
  task_status: TaskStatus;
  is_visible?: Opt<boolean>;
  milestone_id?: Opt<string>;
  milestone_name?: Opt<string>;
  milestone_position?: Opt<number>;
  shown_at?: Opt<Ts>;
  due_at?: Opt<Ts>;
  completed_at?: Opt<Ts>;
  completed_by_id?: Opt<string>;
  completed_by_guest_email?: Opt<string>;
  is_approved?: Opt<boolean>;
  everyone_must_complete?: Opt<boolean>;
  last_modified?: Opt<Ts>;
  assignees?: Opt<AssigneeDoc[]>;
}

export interface FormFieldDoc {
  field_id: string;
  task_id?: Opt<string>;
  field_label: string;
  field_alias?: Opt<string>;
  field_type: FieldType;
  is_required?: Opt<boolean>;
  answer?: Opt<string>;
  answer_values?: Opt<string[]>;
  answered_at?: Opt<Ts>;
  last_modified?: Opt<Ts>;
}

export interface CommentDoc {
  task_id: string;
  comment_id: string;
  label: CommentLabel;
  body?: Opt<string>;
  author_id?: Opt<string>;
  author_guest_email?: Opt<string>;
  created_at?: Opt<Ts>;
  last_modified?: Opt<Ts>;
}

export interface IssueDoc {
  task_id?: Opt<string>;
  issue_id: string;
  description?: Opt<string>;
  reported_by_id?: Opt<string>;
  reported_at?: Opt<Ts>;
  is_resolved: boolean;
  resolved_by_id?: Opt<string>;
  resolved_at?: Opt<Ts>;
  resolution?: Opt<string>;
}

export interface ProcessSnapshot {
  process_id: string;
  process_name: string;
  blueprint_id?: Opt<string>;
  blueprint_name?: Opt<string>;
  blueprint_version?: Opt<number>;
  process_type: ProcessType;
  process_status: ProcessStatus;
  process_owner_id?: Opt<string>;
  process_owner?: Opt<string>;
  started_by_id?: Opt<string>;
  tags?: Opt<string[]>;
  created_at: Ts;
  started_at?: Opt<Ts>;
  due_at?: Opt<Ts>;
  completed_at?: Opt<Ts>;
  archived_at?: Opt<Ts>;
  last_modified?: Opt<Ts>;
  snapshot_at: Ts;
  tasks?: Opt<TaskDoc[]>;
  form_fields?: Opt<FormFieldDoc[]>;
  comments?: Opt<CommentDoc[]>;
  issues?: Opt<IssueDoc[]>;
}

export interface MemberSnapshot {
  member_id: string;
  email: string;
  first_name?: Opt<string>;
  last_name?: Opt<string>;
  full_name?: Opt<string>;
  job_title?: Opt<string>;
  team?: Opt<string>;
  role: MemberRole;
  status: MemberStatus;
  is_suspended?: Opt<boolean>;
  timezone?: Opt<string>;
  country?: Opt<string>;
  group_ids?: Opt<string[]>;
  created_at?: Opt<Ts>;
  activated_at?: Opt<Ts>;
  last_login_at?: Opt<Ts>;
  last_modified?: Opt<Ts>;
  /** When the source took this snapshot; a newer one replaces an older one. Not a column. */
  snapshot_at: Ts;
}

export interface MemberLoginEvent {
  member_id: string;
  login_at: Ts;
}

/** The nesting of the process snapshot: which list feeds which table. */
export const PROCESS_LISTS = { tasks: steps, form_fields: formFields, comments, issues } as const;
export const TASK_LISTS = { assignees: assignments } as const;

// ---------------------------------------------------------------------------------------------
// JSON Schema (draft 2020-12), generated from the table definitions.

type JsonSchema = Record<string, unknown>;

const JSON_TYPE: Record<ColumnType, JsonSchema> = {
  varchar: { type: 'string', maxLength: 65536 },
  integer: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
  bigint: { type: 'integer' },
  double: { type: 'number' },
  boolean: { type: 'boolean' },
  timestamp: { type: 'string', format: 'date-time' },
  'varchar[]': { type: 'array', items: { type: 'string', maxLength: 65536 }, maxItems: 10000 },
};

/** A column's schema; optional columns also accept null (as a union type, which validates fast). */
function columnSchema(c: ColumnDef): JsonSchema {
  const base: JsonSchema = { ...JSON_TYPE[c.type], description: c.doc };
  if (c.enum) {
    if (c.type === 'varchar[]') base.items = { type: 'string', enum: [...c.enum] };
    else base.enum = c.required ? [...c.enum] : [...c.enum, null];
  }
  if (!c.required) base.type = [base.type as string, 'null'];
  return base;
}

function objectSchema(title: string, table: TableDef, nested: Record<string, JsonSchema> = {}, extra: ColumnDef[] = []): JsonSchema {
  const cols = [...inputColumns(table), ...extra];
  const properties: Record<string, JsonSchema> = {};
  for (const c of cols) properties[c.name] = columnSchema(c);
  for (const [k, v] of Object.entries(nested)) properties[k] = { type: ['array', 'null'], items: v, maxItems: 100000 };
  return {
    title,
    type: 'object',
    additionalProperties: false,
    required: cols.filter((c) => c.required).map((c) => c.name),
    properties,
  };
}

const memberSnapshotAt: ColumnDef = {
  name: 'snapshot_at', type: 'timestamp', origin: 'input', required: true,
  doc: 'When the source took this snapshot; a newer snapshot of the member replaces an older one.',
};

export function processSnapshotJsonSchema(): JsonSchema {
  const task = objectSchema('Task', steps, { assignees: objectSchema('Assignee', assignments) });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'runlake:process-snapshot',
    ...objectSchema('ProcessSnapshot', processes, {
      tasks: task,
      form_fields: objectSchema('FormField', formFields),
      comments: objectSchema('Comment', comments),
      issues: objectSchema('Issue', issues),
    }),
    description: 'The whole process at one moment. A newer snapshot replaces the older one entirely; an older or equal one is ignored.',
  };
}

export function memberSnapshotJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'runlake:member-snapshot',
    ...objectSchema('MemberSnapshot', members, {}, [memberSnapshotAt]),
    description: 'One member of the organization at one moment. A newer snapshot replaces the older one.',
  };
}

export function memberLoginJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'runlake:member-login',
    ...objectSchema('MemberLogin', memberLogins),
    description: 'One login event. Events are append-only; the same (member_id, login_at) twice is one event.',
  };
}
