/**
 * The Tallyfy CSV importer and exporter: a round trip of hand-built process snapshots that use
 * every feature the format has (and the fields it cannot carry, which must come back NULL: the
 * UNCARRIED_FIELDS list, mirrored by docs/tallyfy-csv.md), the legacy sentinels, malformed files
 * (errors name the line and the column), RFC 4180 output, and streaming in both directions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { parse as parseCsvSync } from 'csv-parse/sync';
import {
  processSnapshotJsonSchema,
  type AssigneeDoc, type CommentDoc, type FormFieldDoc, type IssueDoc, type ProcessSnapshot, type TaskDoc, type TaskStatus,
} from '../../src/schema/index.ts';
import { generateDemo } from '../../src/ingest/demo/generator.ts';
import {
  APPROXIMATED_FIELDS, MULTI_VALUE_FIELD_TYPES, TALLYFY_COLUMNS, UNCARRIED_FIELDS, notePath,
  type DocEntity, type FieldNote, type TallyfyColumn, type TallyfyRow,
} from '../../src/ingest/tallyfy-csv/columns.ts';
import { csvLine, listCell, processRows, timestampCell, writeTallyfyCsv, TALLYFY_HEADER } from '../../src/ingest/tallyfy-csv/export.ts';
import {
  TallyfyCsvError, parseAssignees, parseGroupItem, parseListCell, parseTimestamp, readTallyfyCsv, type ReadTallyfyCsvOptions,
} from '../../src/ingest/tallyfy-csv/import.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: realistic documents by hand.

const SNAPSHOT_AT = new Date('2025-06-01T00:00:00.000Z');

const member = (id: string, name: string | null): AssigneeDoc => ({ assignee_type: 'member', assignee_id: id, assignee_name: name });
const group = (id: string, name: string | null): AssigneeDoc => ({ assignee_type: 'group', assignee_id: id, assignee_name: name });
const guest = (email: string): AssigneeDoc => ({ assignee_type: 'guest', assignee_id: email, assignee_name: email });

const onboarding: ProcessSnapshot = {
  process_id: 'p-onboarding',
  process_name: 'Onboarding — Zoë "Z" Müller, Berlin',
  blueprint_id: 'bp-onb',
  blueprint_name: 'Employee onboarding',
  blueprint_version: 7,
  process_type: 'procedure',
  process_status: 'problem',
  process_owner_id: 'u-1',
  process_owner: "O'Brien, Seán",
  started_by_id: 'u-2',
  tags: ['HR', 'Onboarding, EMEA', 'nan', 'back\\slash', ' padded ', '日本'],
  created_at: '2025-03-01T08:59:00Z',
  started_at: '2025-03-01T09:00:00Z',
  due_at: '2025-03-31T17:00:00Z',
  completed_at: null,
  archived_at: null,
  last_modified: '2025-03-10T12:00:00.250Z',
  snapshot_at: '2025-03-10T12:00:01Z',
  tasks: [
    {
      task_id: 't-1', step_id: 's-1', task_alias: 'collect_docs', task_name: 'Collect documents, signed', position: 1,
      task_type: 'task', task_status: 'completed', is_visible: true,
      milestone_id: 'm-1', milestone_name: 'Week 1', milestone_position: 1,
      shown_at: '2025-03-01T09:00:00Z', due_at: '2025-03-03T17:00:00Z', completed_at: '2025-03-02T10:15:30.123Z',
      completed_by_id: 'u-3', completed_by_guest_email: null, is_approved: null, everyone_must_complete: false,
      last_modified: '2025-03-02T10:15:30.123Z',
      assignees: [
        member('u-3', 'Doe, Jane "JD"'),
        guest('new.hire+1@example.com'),
        group('grp_ops', 'Ops_Team, North'),
        member('u-4', null),
        member('GROUP_77', 'Not a group\\really'),
        group('g-9', null),
      ],
    },
    {
      task_id: 't-2', step_id: 's-2', task_alias: 'approve_laptop', task_name: 'Approve laptop', position: 2,
      task_type: 'approval', task_status: 'in-progress', is_visible: true,
      milestone_id: 'm-1', milestone_name: 'Week 1', milestone_position: 1,
      shown_at: '2025-03-02T10:15:31+02:00', due_at: '2025-03-04T17:00:00Z', completed_at: null,
      completed_by_id: null, completed_by_guest_email: null, is_approved: null, everyone_must_complete: true,
      last_modified: '2025-03-05T09:00:00Z',
      assignees: [group('g-1', 'IT, Hardware'), guest('vendor@supplier.example')],
    },
    {
      task_id: 't-3', step_id: 's-3', task_alias: 'visa', task_name: 'Visa paperwork', position: 3,
      task_type: 'expiring', task_status: 'auto-skipped', is_visible: false,
      milestone_id: null, milestone_name: null, milestone_position: null,
      shown_at: null, due_at: null, completed_at: null,
      completed_by_id: null, completed_by_guest_email: null, is_approved: null, everyone_must_complete: null,
      last_modified: null, assignees: [],
    },
    {
      task_id: 't-4', step_id: 's-4', task_alias: 'welcome_mail', task_name: 'Send welcome e-mail', position: 4,
      task_type: 'email', task_status: 'not-started', is_visible: true,
      milestone_id: 'm-2', milestone_name: 'Week 2', milestone_position: 2,
      shown_at: null, due_at: '2025-03-10T17:00:00Z', completed_at: null,
      completed_by_id: null, completed_by_guest_email: null, is_approved: null, everyone_must_complete: null,
      last_modified: '2025-03-01T09:00:00Z', assignees: [member('u-1', "O'Brien, Seán")],
    },
    {
      task_id: 't-5', step_id: 's-5', task_alias: 'nda', task_name: 'Sign NDA (guest)', position: 5,
      task_type: 'expiring_email', task_status: 'completed', is_visible: true,
      milestone_id: 'm-2', milestone_name: 'Week 2', milestone_position: 2,
      shown_at: '2025-03-01T09:00:00Z', due_at: '2025-03-05T17:00:00Z', completed_at: '2025-03-04T16:59:59Z',
      completed_by_id: null, completed_by_guest_email: 'new.hire+1@example.com', is_approved: null, everyone_must_complete: null,
      last_modified: '2025-03-04T16:59:59Z', assignees: [guest('new.hire+1@example.com')],
    },
    {
      task_id: 't-6', step_id: 's-6', task_alias: 'manager_ok', task_name: 'Manager sign-off', position: 6,
      task_type: 'approval', task_status: 'completed', is_visible: true,
      milestone_id: 'm-2', milestone_name: 'Week 2', milestone_position: 2,
      shown_at: '2025-03-04T17:00:00Z', due_at: '2025-03-06T17:00:00Z', completed_at: '2025-03-06T08:00:00Z',
      completed_by_id: 'u-1', completed_by_guest_email: null, is_approved: true, everyone_must_complete: null,
      last_modified: '2025-03-06T08:00:00Z', assignees: [member('u-1', "O'Brien, Seán")],
    },
    {
      // A shown task nobody started: the case the format loses (it comes back in-progress).
      task_id: 't-7', step_id: null, task_alias: null, task_name: 'Ad-hoc: order badge', position: 7,
      task_type: 'task', task_status: 'not-started', is_visible: true,
      milestone_id: null, milestone_name: null, milestone_position: null,
      shown_at: '2025-03-07T09:00:00Z', due_at: null, completed_at: null,
      completed_by_id: null, completed_by_guest_email: null, is_approved: null, everyone_must_complete: null,
      last_modified: '2025-03-07T09:00:00Z', assignees: [member('u-5', 'Ünïcödé Ñame')],
    },
  ],
  form_fields: [
    { field_id: 'f-k1', task_id: null, field_label: 'Employee name', field_alias: 'employee_name', field_type: 'text', is_required: true,
      answer: 'Zoë Müller', answer_values: null, answered_at: '2025-03-01T09:00:00Z', last_modified: '2025-03-01T09:00:00Z' },
    { field_id: 'f-k2', task_id: null, field_label: 'Equipment, if any', field_alias: 'equipment', field_type: 'multiselect', is_required: false,
      answer: 'Laptop, Phone, with case, Desk\\chair', answer_values: ['Laptop', 'Phone, with case', 'Desk\\chair'],
      answered_at: '2025-03-01T09:00:00Z', last_modified: '2025-03-01T09:00:00Z' },
    { field_id: 'f-k3', task_id: null, field_label: 'Salary band', field_alias: null, field_type: 'number', is_required: null,
      answer: '42.5', answer_values: null, answered_at: null, last_modified: '2025-03-01T09:00:00Z' },
    { field_id: 'f-k4', task_id: null, field_label: 'Start date', field_alias: null, field_type: 'date', is_required: true,
      answer: '2025-03-03', answer_values: null, answered_at: null, last_modified: null },
    { field_id: 'f-1', task_id: 't-1', field_label: 'Notes', field_alias: 'notes', field_type: 'textarea', is_required: false,
      answer: 'Línea 1\nLínea 2, "quoted"\r\n— 日本語 🚀', answer_values: null, answered_at: '2025-03-02T10:00:00Z', last_modified: '2025-03-02T10:00:00Z' },
    { field_id: 'f-2', task_id: 't-1', field_label: 'Documents received', field_alias: null, field_type: 'checkbox', is_required: true,
      answer: 'ID, Contract', answer_values: ['ID', 'Contract'], answered_at: null, last_modified: '2025-03-02T10:00:00Z' },
    { field_id: 'f-3', task_id: 't-2', field_label: 'Laptop model', field_alias: null, field_type: 'dropdown', is_required: null,
      answer: null, answer_values: null, answered_at: null, last_modified: null },
    { field_id: 'f-4', task_id: 't-6', field_label: 'Buddy', field_alias: null, field_type: 'assignees', is_required: null,
      answer: 'Doe, Jane', answer_values: null, answered_at: null, last_modified: '2025-03-06T08:00:00Z' },
    { field_id: 'f-5', task_id: 't-6', field_label: 'Start time', field_alias: null, field_type: 'datetime', is_required: null,
      answer: '2025-03-03T09:00:00Z', answer_values: null, answered_at: null, last_modified: '2025-03-06T08:00:00Z' },
  ],
  comments: [
    { task_id: 't-1', comment_id: 'c-1', label: 'comment', body: 'All good, thanks!\nSecond line', author_id: 'u-3', author_guest_email: null,
      created_at: '2025-03-01T10:00:00Z', last_modified: '2025-03-01T10:00:00Z' },
    { task_id: 't-1', comment_id: 'c-2', label: 'problem', body: 'Contract missing page 2', author_id: 'u-3', author_guest_email: null,
      created_at: '2025-03-01T11:00:00Z', last_modified: '2025-03-01T11:00:00Z' },
    { task_id: 't-1', comment_id: 'c-3', label: 'problem', body: 'ID scan blurry', author_id: null, author_guest_email: 'new.hire+1@example.com',
      created_at: '2025-03-01T11:30:00Z', last_modified: '2025-03-01T11:30:00Z' },
    { task_id: 't-1', comment_id: 'c-4', label: 'advice', body: 'Use the scanner on floor 2', author_id: 'u-1', author_guest_email: null,
      created_at: '2025-03-01T11:45:00Z', last_modified: null },
    // Resolutions in the reverse order of the reports: the exporter links each to its issue.
    { task_id: 't-1', comment_id: 'c-5', label: 'resolve', body: 'Rescanned', author_id: 'u-1', author_guest_email: null,
      created_at: '2025-03-01T12:00:00Z', last_modified: '2025-03-01T12:00:00Z' },
    { task_id: 't-1', comment_id: 'c-6', label: 'resolve', body: 'Page 2 added', author_id: 'u-1', author_guest_email: null,
      created_at: '2025-03-01T13:00:00Z', last_modified: '2025-03-01T13:00:00Z' },
    { task_id: 't-2', comment_id: 'c-7', label: 'problem', body: 'Budget not approved yet', author_id: 'u-2', author_guest_email: null,
      created_at: '2025-03-03T09:00:00Z', last_modified: '2025-03-03T09:00:00Z' },
    { task_id: 't-2', comment_id: 'c-8', label: 'improvement', body: 'Pre-approve standard laptops', author_id: 'u-2', author_guest_email: null,
      created_at: '2025-03-03T09:05:00Z', last_modified: '2025-03-03T09:05:00Z' },
  ],
  issues: [
    { task_id: 't-1', issue_id: 'c-2', description: 'Contract missing page 2', reported_by_id: 'u-3', reported_at: '2025-03-01T11:00:00Z',
      is_resolved: true, resolved_by_id: 'u-1', resolved_at: '2025-03-01T13:00:00Z', resolution: 'Page 2 added' },
    { task_id: 't-1', issue_id: 'c-3', description: 'ID scan blurry', reported_by_id: null, reported_at: '2025-03-01T11:30:00Z',
      is_resolved: true, resolved_by_id: 'u-1', resolved_at: '2025-03-01T12:00:00Z', resolution: 'Rescanned' },
    { task_id: 't-2', issue_id: 'c-7', description: 'Budget not approved yet', reported_by_id: 'u-2', reported_at: '2025-03-03T09:00:00Z',
      is_resolved: false, resolved_by_id: null, resolved_at: null, resolution: null },
    { task_id: null, issue_id: 'pi-1', description: 'Start date moved, "again"', reported_by_id: 'u-1', reported_at: '2025-03-02T08:00:00Z',
      is_resolved: true, resolved_by_id: 'u-1', resolved_at: '2025-03-02T09:00:00Z', resolution: 'New date agreed,\nconfirmed' },
    { task_id: null, issue_id: 'pi-2', description: 'Hiring manager on leave', reported_by_id: null, reported_at: null,
      is_resolved: false, resolved_by_id: null, resolved_at: null, resolution: null },
  ],
};

const archived: ProcessSnapshot = {
  process_id: 'p-archived', process_name: 'Fix printer', blueprint_id: null, blueprint_name: null, blueprint_version: null,
  process_type: 'one_off', process_status: 'archived', process_owner_id: 'u-2', process_owner: 'Ann Lee', started_by_id: 'u-2',
  tags: [], created_at: '2024-12-01T10:00:00Z', started_at: '2024-12-01T10:00:00Z', due_at: null,
  completed_at: '2024-12-02T10:00:00Z', archived_at: '2024-12-20T10:00:00Z', last_modified: '2024-12-20T10:00:00Z',
  snapshot_at: '2024-12-20T10:00:00Z',
  tasks: [{
    task_id: 't-a1', step_id: null, task_alias: null, task_name: 'Call vendor', position: 1, task_type: 'task', task_status: 'completed',
    is_visible: null, milestone_id: null, milestone_name: null, milestone_position: null,
    shown_at: '2024-12-01T10:00:00Z', due_at: null, completed_at: '2024-12-02T10:00:00Z', completed_by_id: 'u-2',
    completed_by_guest_email: null, is_approved: null, everyone_must_complete: null, last_modified: '2024-12-02T10:00:00Z',
    assignees: [member('u-2', 'Ann Lee')],
  }],
  form_fields: [], comments: [], issues: [],
};

/** No tasks, no kick-off fields: one placeholder row keeps it. A launched form ('form' comes back 'procedure'). */
const empty: ProcessSnapshot = {
  process_id: 'p-empty', process_name: 'Expense claim', blueprint_id: 'bp-exp', blueprint_name: 'Expense claim form', blueprint_version: 1,
  process_type: 'form', process_status: 'complete', process_owner_id: null, process_owner: null, started_by_id: null,
  tags: ['finance'], created_at: '2025-01-15T08:00:00Z', started_at: null, due_at: null,
  completed_at: '2025-01-15T08:30:00Z', archived_at: null, last_modified: '2025-01-15T08:30:00Z', snapshot_at: '2025-01-15T08:30:00Z',
  tasks: [], form_fields: [], comments: [], issues: [],
};

/** Nothing but a process-level issue. */
const onlyIssue: ProcessSnapshot = {
  process_id: 'p-issue', process_name: 'Quarterly audit', blueprint_id: 'bp-aud', blueprint_name: 'Audit', blueprint_version: 3,
  process_type: 'procedure', process_status: 'active', process_owner_id: 'u-9', process_owner: 'Kim', started_by_id: null,
  tags: null, created_at: '2025-02-01T00:00:00Z', started_at: '2025-02-01T00:00:00Z', due_at: null, completed_at: null,
  archived_at: null, last_modified: null, snapshot_at: '2025-02-01T00:00:00Z',
  tasks: [], form_fields: [], comments: [],
  issues: [{ task_id: null, issue_id: 'pi-9', description: null, reported_by_id: 'u-9', reported_at: null,
    is_resolved: true, resolved_by_id: null, resolved_at: null, resolution: null }],
};

/** Only kick-off fields. */
const kickoffOnly: ProcessSnapshot = {
  process_id: 'p-kickoff', process_name: 'Travel request', blueprint_id: 'bp-trv', blueprint_name: 'Travel', blueprint_version: 2,
  process_type: 'procedure', process_status: 'active', process_owner_id: 'u-1', process_owner: 'Seán', started_by_id: 'u-1',
  tags: ['travel'], created_at: '2025-04-01T00:00:00Z', started_at: null, due_at: null, completed_at: null, archived_at: null,
  last_modified: '2025-04-01T00:00:00.001Z', snapshot_at: '2025-04-01T00:00:01Z',
  tasks: [],
  form_fields: [
    { field_id: 'k-1', task_id: null, field_label: 'Destinations', field_alias: null, field_type: 'table', is_required: null,
      answer: null, answer_values: ['Paris', 'nan', 'Rome, IT'], answered_at: null, last_modified: null },
    { field_id: 'k-2', task_id: null, field_label: 'Website', field_alias: null, field_type: 'url', is_required: null,
      answer: 'https://example.com/a,b?c="d"', answer_values: null, answered_at: null, last_modified: null },
  ],
  comments: [], issues: [],
};

const FIXTURES: readonly ProcessSnapshot[] = [onboarding, archived, empty, onlyIssue, kickoffOnly];

// ---------------------------------------------------------------------------------------------
// What a round trip must give back: the documented rules, written out independently.

type Loose = Record<string, unknown>;
const iso = (v: string | null | undefined): string | null => (v == null ? null : new Date(v).toISOString());
const textOrNull = (v: string | null | undefined): string | null => (v == null || v === '' || v === 'nan' || v === 'NaN' ? null : v);
const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

function uncarried(entity: DocEntity): string[] {
  return UNCARRIED_FIELDS.filter((n) => n.entity === entity).map((n) => String(n.field));
}

/** Sets the fields the format cannot carry to NULL, from UNCARRIED_FIELDS. */
function dropUncarried<T extends object>(entity: DocEntity, o: T): T {
  const copy = { ...o } as Loose;
  for (const f of uncarried(entity)) copy[f] = null;
  return copy as T;
}

const statusRule = (t: TaskDoc): TaskStatus =>
  t.completed_at != null ? 'completed' : t.is_visible === false ? 'auto-skipped' : t.shown_at != null ? 'in-progress' : 'not-started';

function expectedAfterRoundTrip(doc: ProcessSnapshot, snapshotAt: Date): ProcessSnapshot {
  const tasks = doc.tasks ?? [];
  const fields = doc.form_fields ?? [];
  const comments = doc.comments ?? [];
  const times = [
    doc.last_modified, doc.completed_at,
    ...tasks.flatMap((t) => [t.shown_at, t.completed_at, t.last_modified]),
    ...fields.map((f) => f.last_modified), ...comments.map((c) => c.last_modified),
  ].filter((x): x is string => x != null).map((x) => Date.parse(x));
  const problemIds = new Set(comments.filter((c) => c.label === 'problem').map((c) => c.comment_id));
  const commentById = new Map(comments.map((c) => [c.comment_id, c]));
  return dropUncarried('process', {
    ...doc,
    process_name: doc.process_name,
    blueprint_id: textOrNull(doc.blueprint_id),
    blueprint_name: textOrNull(doc.blueprint_name),
    blueprint_version: doc.blueprint_version ?? null,
    process_type: doc.blueprint_id == null ? 'one_off' : 'procedure',
    process_owner_id: textOrNull(doc.process_owner_id),
    process_owner: textOrNull(doc.process_owner),
    tags: doc.tags != null && doc.tags.length > 0 ? doc.tags : null,
    created_at: times.length > 0 ? new Date(Math.min(...times)).toISOString() : snapshotAt.toISOString(),
    completed_at: iso(doc.completed_at),
    last_modified: iso(doc.last_modified),
    snapshot_at: snapshotAt.toISOString(),
    tasks: tasks.map((t) => dropUncarried('task', {
      ...t,
      task_alias: textOrNull(t.task_alias),
      task_type: 'task',
      task_status: statusRule(t),
      is_visible: t.is_visible ?? null,
      milestone_id: textOrNull(t.milestone_id), milestone_name: textOrNull(t.milestone_name), milestone_position: t.milestone_position ?? null,
      shown_at: iso(t.shown_at), due_at: iso(t.due_at), completed_at: iso(t.completed_at),
      completed_by_id: textOrNull(t.completed_by_id),
      completed_by_guest_email: t.completed_by_id == null ? textOrNull(t.completed_by_guest_email) : null,
      last_modified: iso(t.last_modified),
      assignees: [
        ...(t.assignees ?? []).filter((a) => a.assignee_type !== 'guest').map((a) => ({ ...a, assignee_name: textOrNull(a.assignee_name) })),
        ...(t.assignees ?? []).filter((a) => a.assignee_type === 'guest').map((a) => ({ ...a, assignee_name: a.assignee_id })),
      ],
    })),
    form_fields: fields.map((f) => {
      const multi = MULTI_VALUE_FIELD_TYPES.has(f.field_type);
      const values = !multi ? null
        : f.answer_values != null && f.answer_values.length > 0 ? f.answer_values
          : f.answer != null ? [f.answer] : null;
      return dropUncarried('form_field', {
        ...f,
        task_id: f.task_id ?? null,
        answer: multi ? (values?.join(f.field_type === 'table' ? '\n' : ', ') ?? null) : textOrNull(f.answer),
        answer_values: values,
        last_modified: iso(f.last_modified),
      });
    }).sort(byKey((f) => f.field_id)),
    comments: comments.map((c): CommentDoc => dropUncarried('comment', {
      ...c,
      label: c.label === 'problem' || c.label === 'resolve' ? c.label : 'comment',
      body: textOrNull(c.body),
      last_modified: iso(c.last_modified),
    })).sort(byKey((c) => c.comment_id)),
    issues: (doc.issues ?? [])
      .filter((i) => i.task_id == null || problemIds.has(i.issue_id))
      .map((i) => dropUncarried('issue', {
        ...i,
        task_id: i.task_id ?? null,
        description: i.task_id == null ? textOrNull(i.description) : textOrNull(commentById.get(i.issue_id)?.body),
        resolution: i.is_resolved ? textOrNull(i.resolution) : null,
      })).sort(byKey((i) => i.issue_id)),
  });
}

/** The imported document with its lists in a comparable order (list order is not data). */
function comparable(doc: ProcessSnapshot): ProcessSnapshot {
  return {
    ...doc,
    form_fields: [...(doc.form_fields ?? [])].sort(byKey((f: FormFieldDoc) => f.field_id)),
    comments: [...(doc.comments ?? [])].sort(byKey((c: CommentDoc) => c.comment_id)),
    issues: [...(doc.issues ?? [])].sort(byKey((i: IssueDoc) => i.issue_id)),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

class Sink extends Writable {
  chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(chunk.toString('utf8'));
    cb();
  }
  text(): string {
    return this.chunks.join('');
  }
}

async function exportToString(docs: Iterable<ProcessSnapshot> | AsyncIterable<ProcessSnapshot>): Promise<string> {
  const sink = new Sink();
  await writeTallyfyCsv(docs, sink);
  return sink.text();
}

async function importString(csv: string, opts: ReadTallyfyCsvOptions = { snapshotAt: SNAPSHOT_AT }): Promise<ProcessSnapshot[]> {
  const out: ProcessSnapshot[] = [];
  for await (const d of readTallyfyCsv(Readable.from([Buffer.from(csv, 'utf8')]), opts)) out.push(d);
  return out;
}

async function roundTrip(docs: readonly ProcessSnapshot[], opts?: ReadTallyfyCsvOptions): Promise<ProcessSnapshot[]> {
  return importString(await exportToString(docs), opts);
}

const NAN_ROW = Object.fromEntries(TALLYFY_COLUMNS.map((c) => [c, 'nan'])) as TallyfyRow;

/** A hand-written file: the header, then rows with the given cells (others `nan`). */
function csvOf(rows: readonly Partial<TallyfyRow>[], base: Partial<TallyfyRow> = {}): string {
  const processCells: Partial<TallyfyRow> = { process_id: 'p-1', process_name: 'P', process_status: 'active', ...base };
  return TALLYFY_HEADER + rows.map((r) => csvLine({ ...NAN_ROW, ...processCells, ...r })).join('');
}

async function importError(csv: string, opts?: ReadTallyfyCsvOptions): Promise<TallyfyCsvError> {
  try {
    await importString(csv, opts);
  } catch (e) {
    assert.ok(e instanceof TallyfyCsvError, `expected a TallyfyCsvError, got ${String(e)}`);
    return e;
  }
  assert.fail('the import did not fail');
}

/** The input fields of each document, from the generated JSON Schema (so a new field must be classified below). */
function schemaFields(): Record<DocEntity, string[]> {
  type Node = { properties: Record<string, { items?: Node }> };
  const processNode = processSnapshotJsonSchema() as unknown as Node;
  const items = (n: Node, k: string): Node => n.properties[k]!.items!;
  const task = items(processNode, 'tasks');
  return {
    process: Object.keys(processNode.properties),
    task: Object.keys(task.properties),
    assignee: Object.keys(items(task, 'assignees').properties),
    form_field: Object.keys(items(processNode, 'form_fields').properties),
    comment: Object.keys(items(processNode, 'comments').properties),
    issue: Object.keys(items(processNode, 'issues').properties),
  };
}

/** Fields the format carries exactly (after the general rules: UTC timestamps, '' and sentinels as NULL). */
const EXACT: Record<DocEntity, readonly string[]> = {
  process: ['process_id', 'process_name', 'blueprint_id', 'blueprint_name', 'blueprint_version', 'process_status', 'process_owner_id',
    'process_owner', 'completed_at', 'last_modified', 'tasks', 'form_fields', 'comments', 'issues'],
  task: ['task_id', 'task_alias', 'task_name', 'is_visible', 'milestone_id', 'milestone_name', 'milestone_position', 'shown_at', 'due_at',
    'completed_at', 'completed_by_id', 'last_modified', 'assignees'],
  assignee: ['assignee_type', 'assignee_id'],
  form_field: ['field_id', 'task_id', 'field_label', 'field_type', 'last_modified'],
  comment: ['task_id', 'comment_id', 'body', 'last_modified'],
  issue: ['task_id', 'issue_id', 'is_resolved'],
};

/** The rows of the `<!-- name:start -->` … `<!-- name:end -->` table in docs/tallyfy-csv.md. */
function docTable(name: string): { path: string; reason: string }[] {
  const md = readFileSync(new URL('../../docs/tallyfy-csv.md', import.meta.url), 'utf8');
  const m = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(md);
  assert.ok(m, `docs/tallyfy-csv.md has no ${name} table`);
  return m[1]!.split('\n')
    .map((l) => /^\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$/.exec(l))
    .filter((x): x is RegExpExecArray => x != null)
    .map((x) => ({ path: x[1]!, reason: x[2]!.replaceAll('\\|', '|') }));
}

const asDoc = (notes: readonly FieldNote[]) => notes.map((n) => ({ path: notePath(n), reason: n.reason }));

// ---------------------------------------------------------------------------------------------

describe('Tallyfy CSV: round trip', () => {
  it('gives back every carried field, NULL for every uncarried one, and the documented value for the approximated ones', async () => {
    const back = await roundTrip(FIXTURES);
    assert.deepEqual(back.map((d) => d.process_id), FIXTURES.map((d) => d.process_id));
    back.forEach((got, i) => {
      assert.deepEqual(comparable(got), expectedAfterRoundTrip(FIXTURES[i]!, SNAPSHOT_AT), `process ${got.process_id}`);
    });
  });

  it('the fixtures give every uncarried field a value, so the test proves it is lost', () => {
    const values: Record<DocEntity, Loose[]> = {
      process: [...FIXTURES], task: FIXTURES.flatMap((d) => d.tasks ?? []),
      assignee: FIXTURES.flatMap((d) => (d.tasks ?? []).flatMap((t) => t.assignees ?? [])),
      form_field: FIXTURES.flatMap((d) => d.form_fields ?? []), comment: FIXTURES.flatMap((d) => d.comments ?? []),
      issue: FIXTURES.flatMap((d) => d.issues ?? []),
    } as unknown as Record<DocEntity, Loose[]>;
    for (const n of UNCARRIED_FIELDS) {
      assert.ok(values[n.entity].some((o) => o[String(n.field)] != null), `no fixture sets ${notePath(n)}`);
    }
  });

  it('every document field is classified exactly once: carried, uncarried or approximated', () => {
    const fields = schemaFields();
    for (const entity of Object.keys(fields) as DocEntity[]) {
      const classified = [
        ...EXACT[entity],
        ...UNCARRIED_FIELDS.filter((n) => n.entity === entity).map((n) => String(n.field)),
        ...APPROXIMATED_FIELDS.filter((n) => n.entity === entity).map((n) => String(n.field)),
      ];
      assert.deepEqual([...classified].sort(), [...fields[entity]].sort(), entity);
    }
  });

  it('docs/tallyfy-csv.md lists the same uncarried and approximated fields, with the same reasons', () => {
    assert.deepEqual(docTable('UNCARRIED_FIELDS'), asDoc(UNCARRIED_FIELDS));
    assert.deepEqual(docTable('APPROXIMATED_FIELDS'), asDoc(APPROXIMATED_FIELDS));
  });

  it('is stable: exporting an imported document gives the same file', async () => {
    const first = await exportToString(await roundTrip(FIXTURES));
    const second = await exportToString(await importString(first));
    assert.equal(second, first);
  });

  it('reads the rows of a process wherever they are (any-order), and the same file contiguous', async () => {
    const csv = await exportToString(FIXTURES);
    const [header, ...lines] = splitRecords(csv);
    const shuffled = header! + [...lines].reverse().join('');
    const back = await importString(shuffled);
    const byId = new Map(back.map((d) => [d.process_id, d]));
    for (const doc of FIXTURES) {
      const got = byId.get(doc.process_id);
      assert.ok(got);
      // Reversing the rows reverses the tasks and the order of comments, so only compare as sets.
      const expected = expectedAfterRoundTrip(doc, SNAPSHOT_AT);
      assert.deepEqual(
        [...(got.tasks ?? [])].sort(byKey((t) => t.task_id)).map((t) => t.task_id),
        [...(expected.tasks ?? [])].sort(byKey((t) => t.task_id)).map((t) => t.task_id),
      );
      assert.deepEqual(comparable(got).form_fields, expected.form_fields);
      assert.deepEqual(comparable(got).comments, expected.comments);
    }
    const contiguous = await importString(csv, { snapshotAt: SNAPSHOT_AT, grouping: 'contiguous' });
    assert.deepEqual(contiguous, await importString(csv));
  });
});

/** Records of an export (CRLF-terminated; quoted cells may contain CRLF). */
function splitRecords(csv: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    if (csv[i] === '"') quoted = !quoted;
    else if (!quoted && csv[i] === '\n') {
      out.push(csv.slice(start, i + 1));
      start = i + 1;
    }
  }
  return out;
}

describe('Tallyfy CSV: export', () => {
  it('writes 49 columns on every row, parseable by a CSV parser, with the documented encodings', async () => {
    const csv = await exportToString(FIXTURES);
    assert.ok(csv.startsWith(TALLYFY_COLUMNS.join(',') + '\r\n'));
    const records = parseCsvSync(csv, { relax_column_count: true }) as string[][];
    assert.deepEqual(records[0], [...TALLYFY_COLUMNS]);
    for (const r of records) assert.equal(r.length, 49);
    const rows = records.slice(1).map((r) => Object.fromEntries(TALLYFY_COLUMNS.map((c, i) => [c, r[i]])) as TallyfyRow);

    const onb = rows.filter((r) => r.process_id === 'p-onboarding');
    for (const r of onb) {
      assert.equal(r.process_name, onboarding.process_name);
      assert.equal(r.total_tasks_in_process, '7');
      assert.equal(r.tasks_completed, '3');
      assert.equal(r.process_last_modified, '2025-03-10 12:00:00.250');
      assert.equal(r.process_completed_at, 'nan');
      assert.equal(r.process_tag, 'HR,Onboarding\\, EMEA,nan,back\\\\slash,\\ padded\\ ,日本');
    }
    assert.deepEqual(onb.map((r) => r.type), [
      'kick_off_task', 'kick_off_task', 'kick_off_task', 'kick_off_task',
      'process_task', 'process_task_data', 'process_task_data',
      'process_task_comment', 'process_task_comment', 'process_task_comment', 'process_task_comment', 'process_task_comment', 'process_task_comment',
      'process_task', 'process_task_data', 'process_task_comment', 'process_task_comment',
      'process_task', 'process_task', 'process_task', 'process_task', 'process_task_data', 'process_task_data', 'process_task',
      'process_task_comment', 'process_task_comment', 'process_task_comment',
    ]);
    const t1 = onb.find((r) => r.type === 'process_task' && r.process_task_id === 't-1')!;
    assert.equal(t1.user_assigned, 'Doe\\, Jane "JD",GROUP_grp\\_ops_Ops_Team\\, North,,Not a group\\\\really,GROUP_g-9');
    assert.equal(t1.assigned_user_id, 'u-3,GROUP_grp\\_ops_Ops_Team\\, North,u-4,\\GROUP_77,GROUP_g-9');
    assert.equal(t1.guest_assigned, 'new.hire+1@example.com');
    assert.deepEqual([t1.total_users_assigned, t1.total_guests_assigned, t1.total_assignees], ['3', '1', '6']);
    assert.deepEqual([t1.process_task_status, t1.completed_by, t1.completed_on, t1.assigned_or_shown_on], ['shown', 'u-3', '2025-03-02 10:15:30.123', '2025-03-01 09:00:00']);
    assert.deepEqual([t1.no_of_form_fields, t1.no_of_issue_reported, t1.no_of_issue_resolved, t1.total_comments, t1.issue_reported, t1.issue_resolved],
      ['2', '2', '2', '2', 'Yes', 'Yes']);
    const t2 = onb.find((r) => r.type === 'process_task' && r.process_task_id === 't-2')!;
    assert.deepEqual([t2.assigned_or_shown_on, t2.completed_by, t2.user_assigned, t2.assigned_user_id], ['2025-03-02 08:15:31', '0', 'GROUP_g-1_IT\\, Hardware', 'GROUP_g-1_IT\\, Hardware']);
    const t3 = onb.find((r) => r.process_task_id === 't-3')!;
    assert.deepEqual([t3.process_task_status, t3.assigned_or_shown_on, t3.user_assigned, t3.total_assignees], ['hidden', 'nan', 'nan', '0']);
    assert.equal(onb.find((r) => r.process_task_id === 't-5' && r.type === 'process_task')!.completed_by, 'new.hire+1@example.com');

    // Problem comments say whether their issue is resolved; each resolution follows its report.
    const comments = onb.filter((r) => r.type === 'process_task_comment' && r.process_task_id === 't-1');
    assert.deepEqual(comments.map((r) => [r.process_task_comment_id, r.issue_reported, r.issue_resolved]), [
      ['c-1', 'No', 'No'], ['c-2', 'Yes', 'Yes'], ['c-6', 'No', 'Yes'], ['c-3', 'Yes', 'Yes'], ['c-5', 'No', 'Yes'], ['c-4', 'No', 'No'],
    ]);
    assert.equal(comments[0]!.process_task_comment_name, 'Collect documents, signed');
    assert.equal(comments[0]!.comment, 'All good, thanks!\nSecond line');
    const processIssues = onb.filter((r) => r.type === 'process_task_comment' && r.process_task_id === 'nan');
    assert.deepEqual(processIssues.map((r) => [r.process_task_comment_id, r.issue_reported, r.issue_resolved, r.comment]), [
      ['pi-1', 'Yes', 'Yes', 'Start date moved, "again"'], ['pi-1', 'No', 'Yes', 'New date agreed,\nconfirmed'], ['pi-2', 'Yes', 'No', 'Hiring manager on leave'],
    ]);

    const k2 = onb.find((r) => r.kick_off_task_id === 'f-k2')!;
    assert.deepEqual([k2.kick_off_task_name, k2.question_in_form_field, k2.form_field_type, k2.answer_in_form_field],
      ['Equipment, if any', 'Equipment, if any', 'multiselect', 'Laptop,Phone\\, with case,Desk\\\\chair']);
    const f1 = onb.find((r) => r.process_task_data_id === 'f-1')!;
    assert.deepEqual([f1.process_task_id, f1.process_task_data_name, f1.answer_in_form_field], ['t-1', 'Collect documents, signed', 'Línea 1\nLínea 2, "quoted"\r\n— 日本語 🚀']);

    const emptyRows = rows.filter((r) => r.process_id === 'p-empty');
    assert.equal(emptyRows.length, 1);
    assert.deepEqual([...processRows(empty)], emptyRows);
    assert.deepEqual([emptyRows[0]!.type, emptyRows[0]!.kick_off_task_id, emptyRows[0]!.has_form_fields, emptyRows[0]!.total_tasks_in_process], ['kick_off_task', 'nan', 'No', '0']);
    const arch = rows.filter((r) => r.process_id === 'p-archived');
    assert.deepEqual([arch[0]!.process_status, arch[0]!.blueprint_id, arch[0]!.process_tag, arch[0]!.process_task_status], ['archived', 'nan', 'nan', 'nan']);
    const table = rows.find((r) => r.kick_off_task_id === 'k-1')!;
    assert.equal(table.answer_in_form_field, 'Paris,nan,Rome\\, IT');
  });

  it('escapes list items so that they read back exactly', () => {
    assert.equal(listCell(['nan']), '\\nan');
    assert.equal(listCell(['NaN']), '\\NaN');
    assert.equal(listCell([' ']), '\\ ');
    assert.equal(listCell(['a', '', 'b']), 'a,b');
    assert.equal(listCell([]), 'nan');
    assert.equal(listCell(null), 'nan');
    for (const items of [['nan'], [' '], ['  x  ', 'y\\', '\\', ',', 'a,b\\,c', 'tab\t'], ['GROUP_1_x']]) {
      assert.deepEqual(parseListCell(listCell(items)), items);
    }
  });

  it('writes timestamps as Y-m-d H:i:s in UTC, with milliseconds only when there are some', () => {
    assert.equal(timestampCell('2024-03-15T14:30:00Z'), '2024-03-15 14:30:00');
    assert.equal(timestampCell('2024-03-15T14:30:00.000Z'), '2024-03-15 14:30:00');
    assert.equal(timestampCell('2024-03-15T14:30:00.5+01:00'), '2024-03-15 13:30:00.500');
    assert.equal(timestampCell(null), 'nan');
    assert.throws(() => timestampCell('yesterday'), /not a timestamp/);
  });

  it('streams a large export with backpressure, without building the file in memory', async () => {
    const N = 20_000;
    let produced = 0;
    let producedAtFirstWrite = -1;
    let maxBuffered = 0;
    let bytes = 0;
    let lines = 0;
    function* docs(): Generator<ProcessSnapshot> {
      for (let i = 0; i < N; i++) {
        produced++;
        yield { ...archived, process_id: `p-${i}`, tasks: (archived.tasks ?? []).map((t) => ({ ...t, task_id: `t-${i}` })) };
      }
    }
    const slow: Writable = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        if (producedAtFirstWrite < 0) producedAtFirstWrite = produced;
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) lines++;
        setImmediate(cb);
      },
    });
    const result = await writeTallyfyCsv(docs(), slow);
    assert.deepEqual(result, { processes: N, rows: N });
    assert.equal(lines, N + 1);
    assert.ok(bytes > 2_000_000, `${bytes} bytes`);
    assert.ok(producedAtFirstWrite > 0 && producedAtFirstWrite < N / 10, `first write after ${producedAtFirstWrite} documents`);
    assert.ok(maxBuffered < 256 * 1024, `the stream buffered ${maxBuffered} bytes`);
  });
});

describe('Tallyfy CSV: import', () => {
  it('reads the legacy sentinels: nan, NaN and empty as NULL, completed_by 0, Yes/No, both timestamp spellings', async () => {
    const csv = csvOf([
      { type: 'process_task', process_task_id: 't-1', process_task_name: 'A', process_task_status: 'shown', completed_by: '0',
        assigned_or_shown_on: '2024-03-15 14:30:00', due_by: '2024-03-15T14:30:00', completed_on: 'NaN', last_modified: '',
        milestone_position: '2.0', process_task_alias: 'NaN' },
      { type: 'process_task', process_task_id: 't-2', process_task_name: 'B', process_task_status: 'hidden', completed_by: '0.0',
        assigned_or_shown_on: '2024-03-15T14:30:00.123456Z', due_by: '2024-03-15 14:30:00.5', completed_on: '2024-03-15T14:30:00+02:00' },
      { type: 'process_task', process_task_id: 't-3', process_task_name: 'C', completed_by: '42', completed_on: '2024-03-16 00:00:00Z' },
      { type: 'process_task_comment', process_task_id: 't-1', process_task_comment_id: 'c-1', comment: 'x', issue_reported: 'Yes', issue_resolved: 'no' },
      { type: 'process_task_comment', process_task_id: 't-1', process_task_comment_id: 'c-2', comment: '', issue_reported: 'No', issue_resolved: 'YES' },
      { type: 'process_task_comment', process_task_id: 't-1', process_task_comment_id: 'c-3', comment: 'plain', issue_reported: 'nan', issue_resolved: '' },
    ], { blueprint_id: '', blueprint_version: '4', process_tag: '', process_owner: 'NaN', process_last_modified: '2024-03-14 08:00:00' });
    const [doc] = await importString(csv);
    assert.ok(doc);
    assert.deepEqual([doc.blueprint_id, doc.blueprint_version, doc.tags, doc.process_owner, doc.process_type], [null, 4, null, null, 'one_off']);
    assert.equal(doc.created_at, '2024-03-14T08:00:00.000Z');
    assert.equal(doc.snapshot_at, SNAPSHOT_AT.toISOString());
    const [t1, t2, t3] = doc.tasks ?? [];
    assert.deepEqual([t1?.completed_by_id, t1?.shown_at, t1?.due_at, t1?.completed_at, t1?.last_modified, t1?.task_status, t1?.milestone_position, t1?.task_alias],
      [null, '2024-03-15T14:30:00.000Z', '2024-03-15T14:30:00.000Z', null, null, 'in-progress', 2, null]);
    assert.deepEqual([t2?.completed_by_id, t2?.shown_at, t2?.due_at, t2?.completed_at, t2?.is_visible, t2?.task_status],
      [null, '2024-03-15T14:30:00.123Z', '2024-03-15T14:30:00.500Z', '2024-03-15T12:30:00.000Z', false, 'completed']);
    assert.deepEqual([t3?.completed_by_id, t3?.is_visible, t3?.task_status], ['42', null, 'completed']);
    assert.deepEqual((doc.comments ?? []).map((c) => [c.label, c.body]), [['problem', 'x'], ['resolve', null], ['comment', 'plain']]);
    // An older file that flags only the resolve comment: the open issue before it is resolved by it.
    assert.deepEqual(doc.issues, [{
      task_id: 't-1', issue_id: 'c-1', description: 'x', reported_by_id: null, reported_at: null,
      is_resolved: true, resolved_by_id: null, resolved_at: null, resolution: null,
    }]);
  });

  it('reads group assignees in every spelling', () => {
    assert.deepEqual(parseGroupItem('GROUP_abc_Team_Name, x'), { id: 'abc', name: 'Team_Name, x' });
    assert.deepEqual(parseGroupItem('GROUP_abc'), { id: 'abc', name: null });
    assert.deepEqual(parseGroupItem('GROUP_a\\_b_N'), { id: 'a_b', name: 'N' });
    assert.equal(parseGroupItem('\\GROUP_1'), null);
    assert.deepEqual(parseAssignees('Ann Lee,GROUP_g1_Sales,Bob', '7,GROUP_g1_Sales,8', 'a@x.com, b@y.com'), [
      member('7', 'Ann Lee'), group('g1', 'Sales'), member('8', 'Bob'), guest('a@x.com'), guest('b@y.com'),
    ]);
    // The older spellings: GROUP_<id> among the ids, "GROUP - Name" among the names.
    assert.deepEqual(parseAssignees('Ann Lee, GROUP - Sales Team', '7, GROUP_g1', 'nan'), [member('7', 'Ann Lee'), group('g1', 'Sales Team')]);
    assert.deepEqual(parseAssignees('GROUP_g1_Sales', 'GROUP_g1', ''), [group('g1', 'Sales')]);
    // Names that do not line up with the ids are not guessed.
    assert.deepEqual(parseAssignees('Ann, Lee', '7', 'NaN'), [member('7', null)]);
    assert.deepEqual(parseAssignees('nan', 'nan', 'nan'), []);
  });

  it('parses timestamps strictly', () => {
    assert.equal(parseTimestamp('2024-03-15 14:30:00'), '2024-03-15T14:30:00.000Z');
    assert.equal(parseTimestamp('2024-03-15T14:30:00'), '2024-03-15T14:30:00.000Z');
    assert.equal(parseTimestamp('2024-03-15T14:30:00.1Z'), '2024-03-15T14:30:00.100Z');
    assert.equal(parseTimestamp('2024-03-15T14:30:00-05:30'), '2024-03-15T20:00:00.000Z');
    for (const bad of ['2024-02-30 00:00:00', '2024-03-15', '15/03/2024 14:30', '2024-03-15 24:00:00', '2024-03-15 14:30:00 UTC', 'nan']) {
      assert.equal(parseTimestamp(bad), undefined, bad);
    }
  });

  it('names the line and the column of a bad timestamp, counting quoted line breaks', async () => {
    const csv = csvOf([
      { type: 'process_task', process_task_id: 't-1', process_task_name: 'multi\r\nline\nname' },
      { type: 'process_task', process_task_id: 't-2', due_by: '2024-13-01 00:00:00' },
    ]);
    const e = await importError(csv);
    assert.equal(e.line, 5);
    assert.equal(e.column, 'due_by');
    assert.match(e.message, /line 5, column due_by: "2024-13-01 00:00:00" is not a timestamp/);
    assert.equal(e.code, 'invalid_document');
    // Blank lines count too.
    const e2 = await importError(TALLYFY_HEADER + '\r\n\r\n' + csvOf([{ type: 'process_task', process_task_id: 't', completed_on: 'soon' }]).slice(TALLYFY_HEADER.length));
    assert.equal(e2.line, 4);
  });

  it('rejects a wrong header', async () => {
    const missing = TALLYFY_COLUMNS.filter((c) => c !== 'due_by').join(',') + '\r\n';
    const e1 = await importError(missing);
    assert.deepEqual([e1.line, e1.column], [1, 'due_by']);
    const unknown = TALLYFY_COLUMNS.map((c) => (c === 'comment' ? 'comments' : c)).join(',') + '\r\n';
    const e2 = await importError(unknown);
    assert.deepEqual([e2.line, e2.column], [1, 'comments']);
    assert.match(e2.message, /unknown column/);
    const e3 = await importError('');
    assert.equal(e3.line, 1);
    // The columns may come in another order.
    const reordered = [...TALLYFY_COLUMNS].reverse();
    const row = csvLine({ ...NAN_ROW, process_id: 'p', process_name: 'P', process_status: 'active', type: 'process_task', process_task_id: 't' })
      .trimEnd().split(',').reverse().join(',');
    const [doc] = await importString(reordered.join(',') + '\r\n' + row + '\r\n');
    assert.equal(doc?.tasks?.[0]?.task_id, 't');
  });

  it('rejects an unknown row type, a wrong cell count, bad enumerations and missing ids, naming the line', async () => {
    const cases: { rows: Partial<TallyfyRow>[]; line: number; column: TallyfyColumn | null; message: RegExp }[] = [
      { rows: [{ type: 'process_task', process_task_id: 't' }, { type: 'process_step' }], line: 3, column: 'type', message: /"process_step" is not one of process_task/ },
      { rows: [{ type: 'process_task', process_task_id: 't', process_task_status: 'visible' }], line: 2, column: 'process_task_status', message: /not shown or hidden/ },
      { rows: [{ type: 'process_task' }], line: 2, column: 'process_task_id', message: /empty/ },
      { rows: [{ type: 'process_task_data', process_task_id: 't', process_task_data_id: 'f', form_field_type: 'signature' }], line: 2, column: 'form_field_type', message: /"signature"/ },
      { rows: [{ type: 'kick_off_task', kick_off_task_id: 'k', form_field_type: 'text', last_modified: '2024-01-01' }], line: 2, column: 'last_modified', message: /not a timestamp/ },
      { rows: [{ type: 'process_task', process_task_id: 't', milestone_position: 'two' }], line: 2, column: 'milestone_position', message: /not an integer/ },
      { rows: [{ type: 'process_task_comment', process_task_id: 't', process_task_comment_id: 'c', issue_reported: 'maybe' }], line: 2, column: 'issue_reported', message: /not Yes or No/ },
      { rows: [{ type: 'process_task_comment', process_task_comment_id: 'c' }], line: 2, column: 'process_task_id', message: /only a process-level issue row/ },
      { rows: [{ type: 'process_task', process_task_id: 't' }, { type: 'process_task', process_task_id: 't' }], line: 3, column: 'process_task_id', message: /duplicate task id "t".*line 2/ },
      { rows: [{ type: 'process_task', process_task_id: 't' }, { type: 'process_task', process_task_id: 'u', process_name: 'Other' }], line: 3, column: 'process_name', message: /differs/ },
      { rows: [{ type: 'process_task', process_task_id: 't', process_status: 'running' }], line: 2, column: 'process_status', message: /"running"/ },
    ];
    for (const c of cases) {
      const e = await importError(csvOf(c.rows));
      assert.deepEqual([e.line, e.column], [c.line, c.column], e.message);
      assert.match(e.message, c.message);
    }
    const short = TALLYFY_HEADER + 'a,b,c\r\n';
    const e = await importError(short);
    assert.deepEqual([e.line, e.column], [2, null]);
    assert.match(e.message, /3 cells; the header has 49/);
    const unclosed = csvOf([{ type: 'process_task', process_task_id: 't' }]) + 'x,"never closed\r\n';
    assert.match((await importError(unclosed)).message, /malformed CSV/);
  });

  it('in contiguous mode, streams processes as they end and refuses rows that come back', async () => {
    const csv = await exportToString(FIXTURES);
    const input = new PassThrough();
    const reader = readTallyfyCsv(input, { grouping: 'contiguous' });
    const records = splitRecords(csv);
    // Everything up to the first row of the second process (and one more byte: the CSV parser
    // holds a record until it sees what follows it): the first process is complete.
    const firstOfSecond = records.findIndex((r, i) => i > 0 && r.startsWith('nan,nan,nan,p-archived'));
    assert.ok(firstOfSecond > 1);
    const head = records.slice(0, firstOfSecond + 1).join('');
    const tail = records.slice(firstOfSecond + 1).join('');
    input.write(head + tail.slice(0, 1));
    const first = await reader.next();
    assert.equal(first.done, false);
    assert.equal(first.value?.process_id, 'p-onboarding');
    input.end(tail.slice(1));
    const rest: string[] = [];
    for await (const d of reader) rest.push(d.process_id);
    assert.deepEqual(rest, ['p-archived', 'p-empty', 'p-issue', 'p-kickoff']);

    const interleaved = csvOf([
      { type: 'process_task', process_task_id: 't-1' },
      { type: 'process_task', process_task_id: 't-2', process_id: 'p-2' },
      { type: 'process_task', process_task_id: 't-3' },
    ]);
    const e = await importError(interleaved, { grouping: 'contiguous' });
    assert.deepEqual([e.line, e.column], [4, 'process_id']);
    assert.match(e.message, /not contiguous.*line 2/);
    assert.deepEqual((await importString(interleaved)).map((d) => [d.process_id, (d.tasks ?? []).map((t) => t.task_id)]), [['p-1', ['t-1', 't-3']], ['p-2', ['t-2']]]);
  });

  it('defaults snapshot_at to the latest time in the rows of each process (else the start of the import)', async () => {
    const before = Date.now();
    const csv = await exportToString(FIXTURES);
    const docs = await importString(csv, {});
    const at = Object.fromEntries(docs.map((d) => [d.process_id, d.snapshot_at]));
    assert.equal(at['p-onboarding'], '2025-03-10T12:00:00.250Z');
    assert.equal(at['p-archived'], '2024-12-20T10:00:00.000Z');
    assert.equal(at['p-kickoff'], '2025-04-01T00:00:00.001Z');
    const t = Date.parse(at['p-issue']!);
    assert.ok(t >= before && t <= Date.now(), 'a process without any time: the start of the import');
    // So importing the same file again gives the same snapshots (the lake ignores them as not newer).
    const again = await importString(csv, {});
    assert.deepEqual(again.filter((d) => d.process_id !== 'p-issue'), docs.filter((d) => d.process_id !== 'p-issue'));
  });
});

describe('Tallyfy CSV: demo data', () => {
  it('every process of a 500-process demo organization round-trips on the carried fields', async () => {
    const docs = [...generateDemo({ org: 'tallyfycsv', processes: 500 }).processes()];
    assert.equal(docs.length, 500);
    const back = await roundTrip(docs);
    assert.equal(back.length, docs.length);
    back.forEach((got, i) => {
      assert.deepEqual(comparable(got), expectedAfterRoundTrip(docs[i]!, SNAPSHOT_AT), `process ${got.process_id}`);
    });
  });
});
