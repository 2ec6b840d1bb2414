/**
 * The conformance fixture: a small organization whose every value is chosen by hand, so the
 * corpus's expected results are known without running any engine.
 *
 * acme has three processes:
 * - p1 "Onboard Ada" (Onboarding v2), started 2025-01-06 09:00, completed 2025-01-10 17:00; tasks:
 *   t1 Collect documents (completed 2025-01-07 09:00, due 2025-01-07 09:00 → on time, by m1),
 *   t2 Manager approval (approval, approved, shown 2025-01-07 09:00, completed 2025-01-10 17:00,
 *   due 2025-01-08 09:00 → late, by m2); tags [hr, urgent]; kick-off field Start date.
 * - p2 "Onboard Bob" (Onboarding v2), started 2025-02-03 09:00, active; t1 completed 2025-02-03
 *   10:30 by m1, t2 in progress (shown 2025-02-03 10:30, due 2025-02-04 10:30, assigned m2 and a
 *   guest); an open issue on t2; tags [hr].
 * - p3 "Buy laptops" (Purchase v1), started 2025-02-10 12:00, archived; one task, auto-skipped;
 *   kick-off field Amount = 1250.5, multiselect Items = [laptop, dock]; no tags.
 * members: m1 Ada Admin (admin, team Ops), m2 Max Manager (standard, team Sales).
 */
import type { MemberSnapshot, ProcessSnapshot } from '../../src/schema/index.ts';

export const FIXTURE_ORG = 'acme';

export const fixtureProcesses: ProcessSnapshot[] = [
  {
    process_id: 'p1', process_name: 'Onboard Ada', blueprint_id: 'bp-onb', blueprint_name: 'Onboarding', blueprint_version: 2,
    process_type: 'procedure', process_status: 'complete', process_owner_id: 'm1', process_owner: 'Ada Admin', started_by_id: 'm1',
    tags: ['hr', 'urgent'], created_at: '2025-01-06T08:55:00Z', started_at: '2025-01-06T09:00:00Z', completed_at: '2025-01-10T17:00:00Z',
    last_modified: '2025-01-10T17:00:00Z', snapshot_at: '2025-01-10T17:00:00Z',
    tasks: [
      { task_id: 'p1-t1', step_id: 's-docs', task_alias: 'docs', task_name: 'Collect documents', position: 1, task_type: 'task', task_status: 'completed', is_visible: true,
        shown_at: '2025-01-06T09:00:00Z', due_at: '2025-01-07T09:00:00Z', completed_at: '2025-01-07T09:00:00Z', completed_by_id: 'm1',
        assignees: [{ assignee_type: 'member', assignee_id: 'm1', assignee_name: 'Ada Admin' }] },
      { task_id: 'p1-t2', step_id: 's-approve', task_alias: 'approve', task_name: 'Manager approval', position: 2, task_type: 'approval', task_status: 'completed', is_visible: true,
        shown_at: '2025-01-07T09:00:00Z', due_at: '2025-01-08T09:00:00Z', completed_at: '2025-01-10T17:00:00Z', completed_by_id: 'm2', is_approved: true,
        assignees: [{ assignee_type: 'member', assignee_id: 'm2', assignee_name: 'Max Manager' }] },
    ],
    form_fields: [{ field_id: 'f-start', field_label: 'Start date', field_type: 'date', answer: '2025-01-13' }],
    comments: [{ task_id: 'p1-t2', comment_id: 'c1', label: 'comment', body: 'Approved, welcome!', author_id: 'm2', created_at: '2025-01-10T17:00:00Z' }],
    issues: [],
  },
  {
    process_id: 'p2', process_name: 'Onboard Bob', blueprint_id: 'bp-onb', blueprint_name: 'Onboarding', blueprint_version: 2,
    process_type: 'procedure', process_status: 'problem', process_owner_id: 'm1', process_owner: 'Ada Admin', started_by_id: 'm1',
    tags: ['hr'], created_at: '2025-02-03T08:00:00Z', started_at: '2025-02-03T09:00:00Z', last_modified: '2025-02-04T12:00:00Z', snapshot_at: '2025-02-04T12:00:00Z',
    tasks: [
      { task_id: 'p2-t1', step_id: 's-docs', task_alias: 'docs', task_name: 'Collect documents', position: 1, task_type: 'task', task_status: 'completed', is_visible: true,
        shown_at: '2025-02-03T09:00:00Z', due_at: '2025-02-04T09:00:00Z', completed_at: '2025-02-03T10:30:00Z', completed_by_id: 'm1',
        assignees: [{ assignee_type: 'member', assignee_id: 'm1', assignee_name: 'Ada Admin' }] },
      { task_id: 'p2-t2', step_id: 's-approve', task_alias: 'approve', task_name: 'Manager approval', position: 2, task_type: 'approval', task_status: 'in-progress', is_visible: true,
        shown_at: '2025-02-03T10:30:00Z', due_at: '2025-02-04T10:30:00Z',
        assignees: [{ assignee_type: 'member', assignee_id: 'm2', assignee_name: 'Max Manager' }, { assignee_type: 'guest', assignee_id: 'bob@example.com' }] },
    ],
    form_fields: [{ field_id: 'f-start', field_label: 'Start date', field_type: 'date', answer: '2025-02-10' }],
    comments: [{ task_id: 'p2-t2', comment_id: 'c2', label: 'problem', body: 'Missing contract', author_id: 'm1', created_at: '2025-02-04T12:00:00Z' }],
    issues: [{ task_id: 'p2-t2', issue_id: 'c2', description: 'Missing contract', reported_by_id: 'm1', reported_at: '2025-02-04T12:00:00Z', is_resolved: false }],
  },
  {
    process_id: 'p3', process_name: 'Buy laptops', blueprint_id: 'bp-buy', blueprint_name: 'Purchase', blueprint_version: 1,
    process_type: 'procedure', process_status: 'archived', process_owner_id: 'm2', process_owner: 'Max Manager', started_by_id: 'm2',
    tags: [], created_at: '2025-02-10T12:00:00Z', started_at: '2025-02-10T12:00:00Z', archived_at: '2025-03-01T00:00:00Z',
    last_modified: '2025-03-01T00:00:00Z', snapshot_at: '2025-03-01T00:00:00Z',
    tasks: [
      { task_id: 'p3-t1', step_id: 's-cfo', task_alias: 'cfo', task_name: 'CFO sign-off', position: 1, task_type: 'approval', task_status: 'auto-skipped', is_visible: false, assignees: [] },
    ],
    form_fields: [
      { field_id: 'f-amount', field_label: 'Amount', field_type: 'number', answer: '1250.5' },
      { field_id: 'f-items', field_label: 'Items', field_type: 'multiselect', answer: 'laptop, dock', answer_values: ['laptop', 'dock'] },
    ],
    comments: [],
    issues: [],
  },
];

export const fixtureMembers: MemberSnapshot[] = [
  { member_id: 'm1', email: 'ada@example.com', first_name: 'Ada', last_name: 'Admin', full_name: 'Ada Admin', team: 'Ops', role: 'admin', status: 'active', snapshot_at: '2025-01-01T00:00:00Z' },
  { member_id: 'm2', email: 'max@example.com', first_name: 'Max', last_name: 'Manager', full_name: 'Max Manager', team: 'Sales', role: 'standard', status: 'active', snapshot_at: '2025-01-01T00:00:00Z' },
];
