/**
 * Hand-made documents for the analytic views' tests. Times are written in New York local time
 * with their offset (EST = −05:00 until Sunday 2025-03-09 02:00, EDT = −04:00 after), the way a
 * source may send them; validation normalizes them to UTC. Expected values are computed by hand in
 * test/catalog/analytic-views.test.ts, next to each assertion.
 *
 * Cast:
 * - members m1 Ada Lovelace (Ops, active), m2 Grace Hopper (Eng, active), m3 Alan Turing (Eng,
 *   disabled, no full_name: only first and last name);
 * - blueprint bp1 "Onboarding": s1 collect "Collect documents", s2 approve "Manager approval"
 *   (approval), s3 welcome "Send welcome pack";
 * - blueprint bp2 "Purchase request": s4 review "Review", s5 pay "Pay", s6 receipt "Archive receipt";
 * - p1–p4 completed runs of bp1; p5 a running bp1 run with an open issue (status problem);
 *   p6 an archived, never-completed bp2 run; p7 a running bp2 run.
 *
 * Two due times depend on the clock (`nowMs`): p5-t3 is due in 6 h (at risk), p7-t2 in 30 h (not).
 */
import type { AssigneeDoc, MemberSnapshot, ProcessSnapshot, TaskDoc } from '../../src/schema/index.ts';

const NAMES: Record<string, string> = { m1: 'Ada Lovelace', m2: 'Grace Hopper', m3: 'Alan Turing' };
const SNAPSHOT = '2025-03-20T00:00:00Z';

const to = (...ids: string[]): AssigneeDoc[] => ids.map((id) => ({ assignee_type: 'member', assignee_id: id, assignee_name: NAMES[id] ?? null }));

const STEPS = {
  s1: { step_id: 's1', task_alias: 'collect', task_name: 'Collect documents', task_type: 'task' },
  s2: { step_id: 's2', task_alias: 'approve', task_name: 'Manager approval', task_type: 'approval' },
  s3: { step_id: 's3', task_alias: 'welcome', task_name: 'Send welcome pack', task_type: 'task' },
  s4: { step_id: 's4', task_alias: 'review', task_name: 'Review', task_type: 'task' },
  s5: { step_id: 's5', task_alias: 'pay', task_name: 'Pay', task_type: 'task' },
  s6: { step_id: 's6', task_alias: 'receipt', task_name: 'Archive receipt', task_type: 'task' },
} as const;

function task(id: string, step: keyof typeof STEPS, position: number, t: Partial<TaskDoc>): TaskDoc {
  return { task_id: id, ...STEPS[step], position, task_status: 'completed', is_visible: true, ...t };
}

const BP1 = { blueprint_id: 'bp1', blueprint_name: 'Onboarding', blueprint_version: 1 };
const BP2 = { blueprint_id: 'bp2', blueprint_name: 'Purchase request', blueprint_version: 3 };

export function analyticsProcesses(nowMs: number): ProcessSnapshot[] {
  const in6h = new Date(nowMs + 6 * 3600_000).toISOString();
  const in30h = new Date(nowMs + 30 * 3600_000).toISOString();
  return [
    {
      process_id: 'p1', process_name: 'Onboarding Alice', ...BP1, process_type: 'procedure', process_status: 'complete',
      process_owner_id: 'm2', process_owner: 'Grace Hopper', started_by_id: 'm2',
      created_at: '2025-03-03T08:00:00-05:00', started_at: '2025-03-03T09:00:00-05:00', completed_at: '2025-03-10T11:00:00-04:00',
      snapshot_at: SNAPSHOT,
      tasks: [
        task('p1-t1', 's1', 1, {
          shown_at: '2025-03-03T09:00:00-05:00', due_at: '2025-03-04T17:00:00-05:00', completed_at: '2025-03-04T17:00:00-05:00',
          completed_by_id: 'm1', assignees: to('m1'),
        }),
        task('p1-t2', 's2', 2, {
          shown_at: '2025-03-07T15:00:00-05:00', due_at: '2025-03-07T17:00:00-05:00', completed_at: '2025-03-10T11:00:00-04:00',
          completed_by_id: 'm2', is_approved: true, assignees: to('m2'),
        }),
        task('p1-t3', 's3', 3, { task_status: 'auto-skipped', is_visible: false, assignees: to('m1') }),
      ],
    },
    {
      process_id: 'p2', process_name: 'Onboarding Bob', ...BP1, process_type: 'procedure', process_status: 'complete',
      process_owner_id: 'm2', process_owner: 'Grace Hopper',
      created_at: '2025-03-04T10:00:00-05:00', started_at: '2025-03-04T10:00:00-05:00', due_at: '2025-03-05T09:00:00-05:00',
      completed_at: '2025-03-05T10:00:00-05:00', snapshot_at: SNAPSHOT,
      tasks: [
        task('p2-t1', 's1', 1, {
          shown_at: '2025-03-04T10:00:00-05:00', due_at: '2025-03-04T11:00:00-05:00', completed_at: '2025-03-04T12:00:00-05:00',
          completed_by_id: 'm1', assignees: to('m1'),
        }),
        task('p2-t2', 's2', 2, {
          shown_at: '2025-03-04T12:00:00-05:00', due_at: '2025-03-06T17:00:00-05:00', completed_at: '2025-03-05T10:00:00-05:00',
          completed_by_id: 'm2', is_approved: false, assignees: to('m2'),
        }),
        task('p2-t3', 's3', 3, {
          shown_at: '2025-03-05T10:00:00-05:00', completed_at: '2025-03-05T11:00:00-05:00', completed_by_id: 'm1', assignees: to('m1'),
        }),
      ],
    },
    {
      process_id: 'p3', process_name: 'Onboarding Carol', ...BP1, process_type: 'procedure', process_status: 'complete',
      process_owner_id: 'm1', process_owner: 'Ada Lovelace',
      created_at: '2025-03-05T09:00:00-05:00', started_at: '2025-03-05T09:00:00-05:00', due_at: '2025-03-10T00:00:00Z',
      completed_at: '2025-03-08T09:00:00-05:00', snapshot_at: SNAPSHOT,
      tasks: [
        task('p3-t1', 's1', 1, {
          shown_at: '2025-03-05T09:00:00-05:00', due_at: '2025-03-06T09:00:00-05:00', completed_at: '2025-03-05T12:00:00-05:00',
          completed_by_id: 'm1', assignees: to('m1'),
        }),
        task('p3-t2', 's2', 2, {
          shown_at: '2025-03-05T12:00:00-05:00', completed_at: '2025-03-08T09:00:00-05:00', completed_by_id: 'm2', is_approved: true,
          assignees: to('m2'),
        }),
      ],
    },
    {
      process_id: 'p4', process_name: 'Onboarding Dan', ...BP1, process_type: 'procedure', process_status: 'complete',
      process_owner_id: 'm1', process_owner: 'Ada Lovelace',
      created_at: '2025-03-06T09:00:00-05:00', started_at: '2025-03-06T09:00:00-05:00', completed_at: '2025-03-16T09:00:00-04:00',
      snapshot_at: SNAPSHOT,
      tasks: [
        task('p4-t1', 's1', 1, {
          shown_at: '2025-03-06T09:00:00-05:00', due_at: '2025-03-07T09:00:00-05:00', completed_at: '2025-03-06T19:00:00-05:00',
          completed_by_id: 'm1', assignees: to('m1', 'm2'),
        }),
      ],
    },
    {
      process_id: 'p5', process_name: 'Onboarding Erin', ...BP1, process_type: 'procedure', process_status: 'problem',
      process_owner_id: 'm1', process_owner: 'Ada Lovelace', started_by_id: 'm1',
      created_at: '2025-03-07T09:00:00-05:00', started_at: '2025-03-07T09:00:00-05:00', snapshot_at: SNAPSHOT,
      tasks: [
        task('p5-t1', 's1', 1, {
          shown_at: '2025-03-07T09:00:00-05:00', due_at: '2025-03-07T17:00:00-05:00', completed_at: '2025-03-07T13:00:00-05:00',
          completed_by_id: 'm2', assignees: to('m2'),
        }),
        task('p5-t2', 's2', 2, {
          task_status: 'in-progress', shown_at: '2025-03-07T13:00:00-05:00', due_at: '2025-03-10T17:00:00-04:00', assignees: to('m1'),
        }),
        task('p5-t3', 's3', 3, { task_status: 'not-started', due_at: in6h, assignees: to('m1') }),
      ],
      issues: [
        { issue_id: 'i1', task_id: 'p5-t2', description: 'Manager away', reported_by_id: 'm1', reported_at: '2025-03-11T10:00:00-04:00', is_resolved: false },
        { issue_id: 'i2', description: 'Wrong start date', reported_by_id: 'm2', reported_at: '2025-03-08T10:00:00-05:00', is_resolved: true,
          resolved_by_id: 'm1', resolved_at: '2025-03-08T11:00:00-05:00', resolution: 'Fixed' },
      ],
    },
    {
      process_id: 'p6', process_name: 'Laptops', ...BP2, process_type: 'procedure', process_status: 'archived',
      process_owner_id: 'm2', process_owner: 'Grace Hopper',
      created_at: '2025-03-09T23:00:00-04:00', started_at: '2025-03-09T23:00:00-04:00', archived_at: '2025-03-12T03:00:00Z',
      snapshot_at: SNAPSHOT,
      tasks: [
        task('p6-t1', 's4', 1, {
          shown_at: '2025-03-09T23:30:00-04:00', completed_at: '2025-03-10T09:30:00-04:00', completed_by_id: 'm3', assignees: to('m3'),
        }),
        task('p6-t2', 's5', 2, {
          task_status: 'in-progress', shown_at: '2025-03-10T09:30:00-04:00', due_at: '2025-03-11T17:00:00-04:00', assignees: to('m1'),
        }),
      ],
      form_fields: [
        { field_id: 'f-amount', field_label: 'Amount', field_type: 'number', answer: '1250', answered_at: '2025-03-09T23:00:00-04:00' },
        { field_id: 'f-cats', field_label: 'Categories', field_type: 'multiselect', answer: 'Laptop, Monitor', answer_values: ['Laptop', 'Monitor'],
          answered_at: '2025-03-09T23:00:00-04:00' },
        { field_id: 'f-notes', field_label: 'Notes', field_type: 'textarea' },
        { field_id: 'f-vendor', task_id: 'p6-t1', field_label: 'Approved vendor?', field_type: 'radio', answer: 'Yes', is_required: true,
          answered_at: '2025-03-10T09:30:00-04:00' },
      ],
    },
    {
      process_id: 'p7', process_name: 'Monitors', ...BP2, process_type: 'procedure', process_status: 'active',
      process_owner_id: 'm2', process_owner: 'Grace Hopper',
      created_at: '2025-03-11T10:00:00-04:00', started_at: '2025-03-11T10:00:00-04:00', snapshot_at: SNAPSHOT,
      tasks: [
        task('p7-t1', 's4', 1, { task_status: 'in-progress', shown_at: '2025-03-11T10:00:00-04:00', due_at: '2099-01-01T00:00:00Z', assignees: to('m2') }),
        task('p7-t2', 's5', 1, { task_status: 'in-progress', shown_at: '2025-03-11T10:00:00-04:00', due_at: in30h, assignees: to('m2') }),
        task('p7-t3', 's6', 2, { task_status: 'not-started', assignees: [] }),
      ],
      form_fields: [
        { field_id: 'f-amount', field_label: 'Amount', field_type: 'number', answer: '300', answered_at: '2025-03-11T10:00:00-04:00' },
        { field_id: 'f-cats', field_label: 'Categories', field_type: 'multiselect', answer: 'Monitor', answer_values: ['Monitor'],
          answered_at: '2025-03-11T10:00:00-04:00' },
        { field_id: 'f-notes', field_label: 'Notes', field_type: 'textarea', answer: 'Rush', answered_at: '2025-03-11T10:00:00-04:00' },
      ],
    },
  ];
}

export function analyticsMembers(): MemberSnapshot[] {
  const at = '2025-03-01T00:00:00Z';
  return [
    { member_id: 'm1', email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace', team: 'Ops',
      role: 'admin', status: 'active', timezone: 'America/New_York', group_ids: ['g1'], snapshot_at: at },
    { member_id: 'm2', email: 'grace@example.com', first_name: 'Grace', last_name: 'Hopper', full_name: 'Grace Hopper', team: 'Eng',
      role: 'standard', status: 'active', snapshot_at: at },
    { member_id: 'm3', email: 'alan@example.com', first_name: 'Alan', last_name: 'Turing', team: 'Eng', role: 'light', status: 'disabled',
      snapshot_at: at },
  ];
}
