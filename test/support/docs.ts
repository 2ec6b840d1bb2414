/** Small hand-made input documents for tests. */
import type { MemberSnapshot, ProcessSnapshot } from '../../src/schema/index.ts';

export function processDoc(id: string, opts: { month?: string; snapshotAt?: string; name?: string; tasks?: number } = {}): ProcessSnapshot {
  const month = opts.month ?? '2025-01';
  const tasks = Array.from({ length: opts.tasks ?? 2 }, (_, i) => ({
    task_id: `${id}-t${i + 1}`,
    task_name: `Step ${i + 1}`,
    task_type: i === 1 ? ('approval' as const) : ('task' as const),
    task_status: i === 0 ? ('completed' as const) : ('in-progress' as const),
    position: i + 1,
    shown_at: `${month}-02T09:00:00.000Z`,
    due_at: `${month}-03T09:00:00.000Z`,
    completed_at: i === 0 ? `${month}-04T09:00:00.000Z` : null,
    assignees: [{ assignee_type: 'member' as const, assignee_id: 'm1', assignee_name: 'Ada Lovelace' }],
  }));
  return {
    process_id: id,
    process_name: opts.name ?? `Process ${id}`,
    blueprint_id: 'bp1',
    blueprint_name: 'Onboarding',
    blueprint_version: 1,
    process_type: 'procedure',
    process_status: 'active',
    tags: ['x'],
    created_at: `${month}-01T08:00:00.000Z`,
    started_at: `${month}-01T09:00:00.000Z`,
    snapshot_at: opts.snapshotAt ?? `${month}-05T00:00:00.000Z`,
    tasks,
    form_fields: [{ field_id: 'f-amount', field_label: 'Amount', field_type: 'number', answer: '42' }],
    comments: [{ task_id: `${id}-t1`, comment_id: `${id}-c1`, label: 'comment', body: 'ok' }],
    issues: [],
  };
}

export function memberDoc(id: string, snapshotAt = '2025-01-01T00:00:00.000Z'): MemberSnapshot {
  return { member_id: id, email: `${id}@example.com`, full_name: `Member ${id}`, role: 'standard', status: 'active', snapshot_at: snapshotAt };
}
