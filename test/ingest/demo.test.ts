import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { memberLoginJsonSchema, memberSnapshotJsonSchema, processSnapshotJsonSchema } from '../../src/schema/documents.ts';
import type { MemberLoginEvent, MemberSnapshot, ProcessSnapshot } from '../../src/schema/documents.ts';
import type { FieldType } from '../../src/schema/enums.ts';
import { DEFAULT_NOW, generateDemo, orgSlug } from '../../src/ingest/demo/generator.ts';
import { MAX_LOGINS_PER_MEMBER } from '../../src/ingest/demo/people.ts';
import { Rng, hash32 } from '../../src/ingest/demo/rng.ts';
import { iso, workTime } from '../../src/ingest/demo/time.ts';
import { demoAsOf } from '../../src/cli/commands/demo.ts';
import { runCli } from '../support/server.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

const NOW = DEFAULT_NOW.toISOString().replace('.000Z', 'Z');
const N = 2000;
const acme = generateDemo({ org: 'acme', processes: N });
const acmeDocs: ProcessSnapshot[] = [...acme.processes()];

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const MULTI: ReadonlySet<FieldType> = new Set<FieldType>(['multiselect', 'checkbox', 'table', 'assignees']);

/** Every invariant of one process snapshot; returns the violations (empty when fine). */
function violations(p: ProcessSnapshot, members: ReadonlyMap<string, MemberSnapshot>, groupIds: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const bad = (msg: string): void => { out.push(`${p.process_id}: ${msg}`); };
  const ts: string[] = [];
  const stamp = (v: string | null | undefined, what: string, activity = true): void => {
    if (v === null || v === undefined) return;
    if (!TS.test(v)) bad(`${what} is not ISO-Z: ${v}`);
    if (activity) ts.push(v);
  };
  const snap = p.snapshot_at;
  stamp(p.created_at, 'created_at');
  stamp(p.started_at, 'started_at');
  stamp(p.completed_at, 'completed_at');
  stamp(p.archived_at, 'archived_at');
  stamp(p.due_at, 'due_at', false);
  stamp(p.last_modified, 'last_modified', false);
  stamp(snap, 'snapshot_at', false);
  if (snap > NOW) bad('snapshot_at after now');
  if (p.last_modified !== snap) bad('last_modified != snapshot_at');
  if (p.started_at && p.started_at < p.created_at) bad('started before created');
  const started = p.started_at !== null && p.started_at !== undefined;

  // process type / blueprint
  if ((p.process_type === 'one_off') !== (p.blueprint_id === null)) bad('one_off iff no blueprint');
  if (p.blueprint_id && !p.blueprint_id.startsWith('acme-bp-') && !p.blueprint_id.includes('-bp-')) bad('blueprint id');
  if (p.blueprint_id && !(p.blueprint_version === 1 || p.blueprint_version === 2)) bad('blueprint_version');
  // owner / starter
  const owner = members.get(p.process_owner_id ?? '');
  if (!owner || owner.role === 'light' || owner.status === 'invited') bad('owner must be a launching member');
  if (owner && owner.full_name !== p.process_owner) bad('owner name');
  if (p.started_by_id !== null && !members.has(p.started_by_id ?? '')) bad('started_by unknown');

  // status
  const tasks = p.tasks ?? [];
  const issues = p.issues ?? [];
  const openIssue = issues.some((i) => !i.is_resolved);
  if (p.process_status === 'complete' && !p.completed_at) bad('complete without completed_at');
  if (p.completed_at && p.process_status !== 'complete' && p.process_status !== 'archived') bad('completed_at on a non-complete process');
  if ((p.process_status === 'archived') !== (p.archived_at !== null)) bad('archived iff archived_at');
  if (p.process_status === 'problem' && !openIssue) bad('problem without open issue');
  if (openIssue && p.process_status !== 'problem' && p.process_status !== 'archived') bad('open issue but not problem');
  if (p.completed_at && tasks.some((t) => t.task_status !== 'completed' && t.task_status !== 'auto-skipped')) bad('completed process with open tasks');
  if (!p.completed_at && started && tasks.length > 0 && tasks.every((t) => t.task_status === 'completed' || t.task_status === 'auto-skipped')) bad('all tasks done but not completed');
  if (p.completed_at) {
    const last = tasks.reduce((m, t) => (t.completed_at && t.completed_at > m ? t.completed_at : m), p.started_at ?? '');
    if (last !== p.completed_at) bad('completed_at is not the last task completion');
  }

  // tasks
  const taskById = new Map(tasks.map((t) => [t.task_id, t]));
  if (taskById.size !== tasks.length) bad('duplicate task ids');
  tasks.forEach((t, k) => {
    const w = (m: string): void => bad(`task ${t.task_id}: ${m}`);
    if (t.position !== k + 1) w('position');
    stamp(t.shown_at, 'shown_at');
    stamp(t.completed_at, 'task completed_at');
    stamp(t.due_at, 'task due_at', false);
    stamp(t.last_modified, 'task last_modified', false);
    if (t.last_modified! > snap) w('last_modified after snapshot');
    if ((p.process_type === 'one_off') !== (t.step_id === null)) w('step_id iff blueprint');
    if (!started && t.task_status !== 'not-started') w('process not started but task is');
    switch (t.task_status) {
      case 'completed':
        if (!t.completed_at || !t.shown_at) w('completed needs shown_at and completed_at');
        if (t.shown_at! > t.completed_at!) w('shown after completed');
        if (t.completed_by_id && t.completed_by_guest_email) w('two completers');
        if (!t.completed_by_id && !t.completed_by_guest_email && t.task_type !== 'expiring' && t.task_type !== 'expiring_email') w('no completer');
        if (t.task_type === 'approval' && typeof t.is_approved !== 'boolean') w('decided approval without is_approved');
        break;
      case 'in-progress':
        if (!t.shown_at || t.completed_at) w('in-progress needs shown_at and no completed_at');
        break;
      case 'not-started':
        if (t.shown_at || t.completed_at || t.due_at) w('not-started has times');
        break;
      case 'auto-skipped':
        if (t.shown_at || t.completed_at || t.due_at) w('auto-skipped has times');
        break;
    }
    if (t.is_visible !== (t.task_status !== 'auto-skipped')) w('is_visible');
    if (t.task_status !== 'completed' && (t.completed_by_id || t.completed_by_guest_email)) w('completer on open task');
    if (t.is_approved !== null && (t.task_type !== 'approval' || t.task_status !== 'completed')) w('is_approved on a non-decided task');
    if (t.shown_at && p.started_at && t.shown_at < p.started_at) w('shown before start');
    if (t.due_at && t.shown_at && t.due_at < t.shown_at) w('due before shown');
    if (t.shown_at && t.last_modified! < t.shown_at) w('last_modified before shown');
    if (t.completed_at && t.last_modified! < t.completed_at) w('last_modified before completed');
    if ((t.milestone_id === null) !== (t.milestone_name === null) || (t.milestone_id === null) !== (t.milestone_position === null)) w('milestone fields');
    const as = t.assignees ?? [];
    if (as.length === 0) w('no assignees');
    const memberIds = new Set<string>();
    const groupAssigned: string[] = [];
    const guests = new Set<string>();
    for (const a of as) {
      if (a.assignee_type === 'member') {
        const m = members.get(a.assignee_id);
        if (!m) w(`unknown member ${a.assignee_id}`);
        else if (m.full_name !== a.assignee_name) w('assignee name');
        memberIds.add(a.assignee_id);
      } else if (a.assignee_type === 'group') {
        if (!groupIds.has(a.assignee_id) || !a.assignee_id.startsWith('grp_')) w(`unknown group ${a.assignee_id}`);
        groupAssigned.push(a.assignee_id);
      } else {
        if (!a.assignee_id.includes('@') || a.assignee_name !== a.assignee_id) w('guest id must be an e-mail');
        guests.add(a.assignee_id);
      }
    }
    if (t.completed_by_id) {
      const m = members.get(t.completed_by_id);
      if (!m || m.status === 'invited') w('completer must be an active or former member');
      const viaGroup = m?.group_ids?.some((g) => groupAssigned.includes(g)) ?? false;
      if (!memberIds.has(t.completed_by_id) && !viaGroup) w('completer is not an assignee');
      if (m?.activated_at && t.completed_at! < m.activated_at) w('completed before the completer was activated');
      // a disabled member's last change is the deactivation
      if (m?.status === 'disabled' && t.completed_at! > m.last_modified!) w('completed after the completer was disabled');
    }
    if (t.completed_by_guest_email && !guests.has(t.completed_by_guest_email)) w('guest completer not assigned');
  });

  // form fields
  const fieldIds = new Set<string>();
  for (const f of p.form_fields ?? []) {
    const w = (m: string): void => bad(`field ${f.field_id}: ${m}`);
    if (fieldIds.has(f.field_id)) w('duplicate field id');
    fieldIds.add(f.field_id);
    stamp(f.answered_at, 'answered_at');
    stamp(f.last_modified, 'field last_modified', false);
    if ((f.answer === null) !== (f.answered_at === null)) w('answer iff answered_at');
    if (f.answer === '') w('empty-string answer');
    if (f.answer_values && !MULTI.has(f.field_type)) w('answer_values on a single-value field');
    if (f.answer !== null && MULTI.has(f.field_type) && (!f.answer_values || f.answer_values.length === 0)) w('multi-value answer without values');
    if (f.answer !== null) {
      if (f.field_type === 'number' && !Number.isFinite(Number(f.answer))) w(`number answer ${f.answer}`);
      if (f.field_type === 'date' && !/^\d{4}-\d\d-\d\d$/.test(f.answer!)) w(`date answer ${f.answer}`);
      if (f.field_type === 'datetime' && !TS.test(f.answer!)) w(`datetime answer ${f.answer}`);
      if (f.field_type === 'time' && !/^\d\d:\d\d$/.test(f.answer!)) w(`time answer ${f.answer}`);
      if (f.field_type === 'email' && !/^[^@\s]+@[a-z0-9.-]+\.example$/.test(f.answer!)) w(`email answer ${f.answer}`);
      if (f.field_type === 'url' && !f.answer!.startsWith('https://')) w(`url answer ${f.answer}`);
    }
    if (f.task_id === null) {
      if (f.answered_at && f.answered_at !== p.started_at) w('kick-off answered when not launched');
    } else {
      const t = taskById.get(f.task_id!);
      if (!t) w('unknown task');
      else if (f.answered_at && (!t.shown_at || f.answered_at < t.shown_at || (t.completed_at && f.answered_at > t.completed_at))) w('answered outside the task');
    }
  }

  // comments and issues
  const commentById = new Map((p.comments ?? []).map((c) => [c.comment_id, c]));
  if (commentById.size !== (p.comments ?? []).length) bad('duplicate comment ids');
  for (const c of p.comments ?? []) {
    const w = (m: string): void => bad(`comment ${c.comment_id}: ${m}`);
    stamp(c.created_at, 'comment created_at');
    const t = taskById.get(c.task_id);
    if (!t || !t.shown_at) w('comment on a task never shown');
    else if (c.created_at! < t.shown_at || (t.completed_at && c.created_at! > t.completed_at)) w('comment outside the task');
    if (!!c.author_id === !!c.author_guest_email) w('exactly one author');
    if (c.author_id && !members.has(c.author_id)) w('unknown author');
    if (t && t.last_modified! < c.created_at!) w('task last_modified before its comment');
  }
  for (const i of issues) {
    const w = (m: string): void => bad(`issue ${i.issue_id}: ${m}`);
    stamp(i.reported_at, 'reported_at');
    stamp(i.resolved_at, 'resolved_at');
    if (i.task_id) {
      const c = commentById.get(i.issue_id);
      if (!c || c.label !== 'problem' || c.task_id !== i.task_id || c.created_at !== i.reported_at || c.body !== i.description) w('task issue needs its problem comment');
      if (i.is_resolved) {
        const r = (p.comments ?? []).find((x) => x.label === 'resolve' && x.task_id === i.task_id && x.created_at === i.resolved_at && x.body === i.resolution);
        if (!r) w('resolved task issue needs its resolve comment');
      }
    }
    if (i.is_resolved) {
      if (!i.resolved_at || !i.resolved_by_id || !i.resolution) w('resolved needs resolver, time, resolution');
      if (i.resolved_at! < i.reported_at!) w('resolved before reported');
    } else if (i.resolved_at || i.resolved_by_id || i.resolution) w('unresolved with resolution fields');
    if (!members.has(i.reported_by_id ?? '')) w('unknown reporter');
  }

  // snapshot_at is the last activity
  const maxTs = ts.reduce((m, x) => (x > m ? x : m), '');
  if (maxTs !== snap) bad(`snapshot_at ${snap} is not the last activity ${maxTs}`);
  return out;
}

function memberMaps(members: readonly MemberSnapshot[]): { byId: Map<string, MemberSnapshot>; groups: Set<string> } {
  return { byId: new Map(members.map((m) => [m.member_id, m])), groups: new Set(members.flatMap((m) => m.group_ids ?? [])) };
}

function allIds(docs: Iterable<ProcessSnapshot>, members: readonly MemberSnapshot[]): Set<string> {
  const ids = new Set<string>();
  for (const m of members) {
    ids.add(m.member_id);
    for (const g of m.group_ids ?? []) ids.add(g);
  }
  for (const p of docs) {
    ids.add(p.process_id);
    if (p.blueprint_id) ids.add(p.blueprint_id);
    for (const t of p.tasks ?? []) {
      ids.add(t.task_id);
      if (t.step_id) ids.add(t.step_id);
      if (t.milestone_id) ids.add(t.milestone_id);
    }
    for (const f of p.form_fields ?? []) ids.add(f.field_id);
    for (const c of p.comments ?? []) ids.add(c.comment_id);
    for (const i of p.issues ?? []) ids.add(i.issue_id);
  }
  return ids;
}

describe('demo generator: determinism and identity', () => {
  it('same options give byte-identical output, and processes() replays identically', () => {
    const a = generateDemo({ org: 'acme', processes: 300, seed: 7 });
    const b = generateDemo({ org: 'acme', processes: 300, seed: 7 });
    assert.equal(JSON.stringify(a.members), JSON.stringify(b.members));
    assert.equal(JSON.stringify(a.logins), JSON.stringify(b.logins));
    const pa = JSON.stringify([...a.processes()]);
    assert.equal(pa, JSON.stringify([...b.processes()]));
    assert.equal(pa, JSON.stringify([...a.processes()]));
    assert.equal(a.processCount, 300);
  });

  it('the default org is the documented one: processes default to 2000, now to 2026-11-01', () => {
    assert.equal(acme.processCount, 2000);
    assert.equal(acmeDocs.length, 2000);
    assert.ok(acmeDocs.every((p) => p.snapshot_at <= NOW));
    assert.ok(acmeDocs.some((p) => p.created_at >= '2026-10-25'));
    assert.ok(acmeDocs.every((p) => p.created_at >= '2025-05-01T00:00:00Z'));
  });

  it('a different seed or org gives different data; orgs never share ids', () => {
    const a = generateDemo({ org: 'acme', processes: 400 });
    const s = generateDemo({ org: 'acme', processes: 400, seed: 2 });
    const g = generateDemo({ org: 'globex', processes: 400 });
    const first = (o: typeof a): string => JSON.stringify(o.processes().next().value);
    assert.notEqual(first(a), first(s));
    assert.notEqual(first(a), first(g));
    assert.notEqual(JSON.stringify(a.members.map((m) => m.full_name)), JSON.stringify(g.members.map((m) => m.full_name)));
    const ia = allIds(a.processes(), a.members);
    const ig = allIds(g.processes(), g.members);
    for (const id of ia) assert.ok(!ig.has(id), `id ${id} appears in both orgs`);
    for (const id of ig) assert.ok(id.startsWith('globex-') || id.startsWith('grp_globex_'), `globex id ${id} lacks the org prefix`);
  });

  it('org names that are not slugs get a cleaned prefix with a hash', () => {
    assert.equal(orgSlug('acme'), 'acme');
    const x = orgSlug('Acme Corp!');
    assert.match(x, /^acmecorp_[0-9a-f]{6}$/);
    assert.notEqual(orgSlug('Acme Corp'), orgSlug('acme-corp'));
    const d = generateDemo({ org: 'Acme Corp!', processes: 5 });
    const p = d.processes().next().value as ProcessSnapshot;
    assert.ok(p.process_id.startsWith(`${x}-p-`));
  });

  it('rejects bad options and handles tiny orgs', () => {
    assert.throws(() => generateDemo({ org: '' }), RangeError);
    assert.throws(() => generateDemo({ org: 'a', processes: -1 }), RangeError);
    assert.throws(() => generateDemo({ org: 'a', months: 0 }), RangeError);
    assert.throws(() => generateDemo({ org: 'a', now: new Date('nope') }), RangeError);
    const empty = generateDemo({ org: 'tiny', processes: 0 });
    assert.equal([...empty.processes()].length, 0);
    assert.ok(empty.members.length >= 25);
    const one = generateDemo({ org: 'tiny', processes: 1, members: 3, months: 1, now: new Date('2024-03-01T12:00:00Z') });
    const docs = [...one.processes()];
    assert.equal(docs.length, 1);
    assert.ok(docs[0]!.created_at >= '2024-02-01T12:00:00Z' && docs[0]!.snapshot_at <= '2024-03-01T12:00:00Z');
    const { byId, groups } = memberMaps(one.members);
    const v = violations(docs[0]!, byId, groups).filter((x) => !x.includes('snapshot_at after now'));
    assert.deepEqual(v, []);
  });
});

describe('demo generator: documents are valid', () => {
  it('every document validates against the JSON Schemas', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    const vp = ajv.compile<ProcessSnapshot>(processSnapshotJsonSchema());
    const vm = ajv.compile<MemberSnapshot>(memberSnapshotJsonSchema());
    const vl = ajv.compile<MemberLoginEvent>(memberLoginJsonSchema());
    for (const p of acmeDocs) assert.ok(vp(p), `${p.process_id}: ${ajv.errorsText(vp.errors)}`);
    for (const m of acme.members) assert.ok(vm(m), `${m.member_id}: ${ajv.errorsText(vm.errors)}`);
    for (const l of acme.logins) assert.ok(vl(l), `${l.member_id}: ${ajv.errorsText(vl.errors)}`);
  });

  it('every process snapshot satisfies the invariants', () => {
    const { byId, groups } = memberMaps(acme.members);
    const all: string[] = [];
    for (const p of acmeDocs) all.push(...violations(p, byId, groups));
    assert.deepEqual(all.slice(0, 20), []);
    // ids unique across the org
    const seen = new Set<string>();
    for (const p of acmeDocs) {
      for (const id of [p.process_id, ...(p.tasks ?? []).map((t) => t.task_id), ...(p.comments ?? []).map((c) => c.comment_id)]) {
        assert.ok(!seen.has(id), `duplicate id ${id}`);
        seen.add(id);
      }
    }
  });

  it('the invariant checker catches broken documents', () => {
    const { byId, groups } = memberMaps(acme.members);
    const p = acmeDocs.find((x) => x.process_status === 'complete' && (x.tasks ?? []).length > 3)!;
    const broken = (f: (q: ProcessSnapshot) => void): string[] => {
      const q = JSON.parse(JSON.stringify(p)) as ProcessSnapshot;
      f(q);
      return violations(q, byId, groups);
    };
    assert.deepEqual(broken(() => {}), []);
    assert.notDeepEqual(broken((q) => { q.tasks![0]!.completed_at = null; }), []);
    assert.notDeepEqual(broken((q) => { q.snapshot_at = q.created_at; }), []);
    assert.notDeepEqual(broken((q) => { q.process_status = 'active'; }), []);
    assert.notDeepEqual(broken((q) => { q.tasks![1]!.position = 7; }), []);
    assert.notDeepEqual(broken((q) => { q.tasks![0]!.task_status = 'not-started'; }), []);
    assert.notDeepEqual(broken((q) => { q.created_at = q.created_at.replace('Z', '+00:00'); }), []);
  });

  it('processes stream in launch order', () => {
    for (let i = 1; i < acmeDocs.length; i++) assert.ok(acmeDocs[i - 1]!.created_at <= acmeDocs[i]!.created_at, `order at ${i}`);
  });

  it('form field ids are stable across runs of a blueprint, labels and types too', () => {
    const byField = new Map<string, string>();
    for (const p of acmeDocs) {
      for (const f of p.form_fields ?? []) {
        const sig = `${f.field_label}|${f.field_type}|${p.blueprint_id}`;
        const prev = byField.get(f.field_id);
        if (prev !== undefined) assert.equal(prev, sig, f.field_id);
        byField.set(f.field_id, sig);
      }
    }
    // step ids: the same alias and name across runs
    const bySteps = new Map<string, string>();
    for (const p of acmeDocs) for (const t of p.tasks ?? []) {
      if (!t.step_id) continue;
      const sig = `${t.task_alias}|${t.task_name}|${t.task_type}`;
      const prev = bySteps.get(t.step_id);
      if (prev !== undefined) assert.equal(prev, sig);
      bySteps.set(t.step_id, sig);
    }
  });

  it('members and logins are consistent', () => {
    const ids = new Set<string>();
    const emails = new Set<string>();
    for (const m of acme.members) {
      assert.ok(!ids.has(m.member_id) && !emails.has(m.email));
      ids.add(m.member_id);
      emails.add(m.email);
      assert.match(m.created_at!, TS);
      assert.ok(m.snapshot_at <= NOW && m.last_modified === m.snapshot_at);
      if (m.status === 'invited') assert.ok(m.activated_at === null && m.last_login_at === null, m.member_id);
      else assert.ok(m.activated_at !== null && m.activated_at! >= m.created_at!, m.member_id);
      assert.equal(m.is_suspended, m.status === 'disabled');
      for (const g of m.group_ids ?? []) assert.ok(g.startsWith('grp_acme_'));
      assert.ok(m.timezone && m.country && m.team && m.job_title);
    }
    const perMember = new Map<string, string[]>();
    let prev = '';
    for (const l of acme.logins) {
      assert.match(l.login_at, TS);
      assert.ok(l.login_at >= prev, 'logins are sorted');
      prev = l.login_at;
      assert.ok(l.login_at <= NOW);
      const list = perMember.get(l.member_id) ?? [];
      list.push(l.login_at);
      perMember.set(l.member_id, list);
    }
    for (const m of acme.members) {
      const list = perMember.get(m.member_id) ?? [];
      assert.ok(list.length <= MAX_LOGINS_PER_MEMBER);
      assert.equal(new Set(list).size, list.length, 'no duplicate login events');
      if (m.status === 'invited') assert.equal(list.length, 0);
      if (m.status === 'active') assert.ok(list.length > 0, `active member ${m.member_id} never logged in`);
      if (list.length > 0) {
        assert.equal(m.last_login_at, list[list.length - 1]);
        assert.ok(list[0]! >= m.activated_at!);
      }
    }
  });
});

describe('demo generator: realism', () => {
  const count = <T>(xs: Iterable<T>, f: (x: T) => boolean): number => {
    let n = 0;
    for (const x of xs) if (f(x)) n++;
    return n;
  };
  const tasks = acmeDocs.flatMap((p) => (p.tasks ?? []).map((t) => ({ p, t })));
  const hours = (a: string, b: string): number => (Date.parse(b) - Date.parse(a)) / 3_600_000;
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? NaN;
  };

  it('uses at least 10 blueprints, some with a second version, plus one-off and form processes', () => {
    const bps = new Set(acmeDocs.map((p) => p.blueprint_name).filter((x) => x));
    assert.ok(bps.size >= 12, `blueprints used: ${bps.size}`);
    const v2 = new Set(acmeDocs.filter((p) => p.blueprint_version === 2).map((p) => p.blueprint_id));
    assert.ok(v2.size >= 3, `blueprints with a version 2: ${v2.size}`);
    // a v2 run has a step no v1 run of the same blueprint has
    const stepsOf = (v: number): Set<string> => new Set(acmeDocs.filter((p) => p.blueprint_version === v).flatMap((p) => (p.tasks ?? []).map((t) => t.step_id!)));
    const s1 = stepsOf(1);
    assert.ok([...stepsOf(2)].some((s) => !s1.has(s)), 'version 2 changed a step');
    assert.ok(count(acmeDocs, (p) => p.process_type === 'one_off') >= 10);
    assert.ok(count(acmeDocs, (p) => p.process_type === 'form') >= 10);
    assert.ok(count(acmeDocs, (p) => p.started_by_id === null) >= 5, 'public form submissions have no starter');
    for (const p of acmeDocs) if (p.blueprint_id) assert.ok((p.tasks ?? []).length >= 3 && (p.tasks ?? []).length <= 15);
    assert.ok(count(tasks, ({ t }) => t.milestone_id !== null) > tasks.length / 4, 'milestones');
  });

  it('task types, field types and comment labels are all represented', () => {
    const types = new Set(tasks.map(({ t }) => t.task_type));
    for (const x of ['task', 'approval', 'expiring', 'email', 'expiring_email']) assert.ok(types.has(x as never), x);
    const ftypes = new Set(acmeDocs.flatMap((p) => (p.form_fields ?? []).filter((f) => f.answer !== null).map((f) => f.field_type)));
    for (const x of ['text', 'textarea', 'radio', 'dropdown', 'multiselect', 'number', 'email', 'url', 'date', 'time', 'datetime', 'checkbox', 'file', 'table', 'assignees']) {
      assert.ok(ftypes.has(x as FieldType), `field type ${x} answered`);
    }
    const labels = new Set(acmeDocs.flatMap((p) => (p.comments ?? []).map((c) => c.label)));
    for (const x of ['comment', 'problem', 'resolve', 'improvement', 'advice']) assert.ok(labels.has(x as never), x);
    assert.ok(count(tasks, ({ t }) => t.task_status === 'auto-skipped') > 100, 'rules hide steps');
    assert.ok(count(tasks, ({ t }) => t.everyone_must_complete === true) > 10);
  });

  it('some tasks are late, in a realistic range; bottleneck steps are slow', () => {
    let withDue = 0;
    let late = 0;
    for (const { t } of tasks) {
      if (!t.due_at || !t.shown_at) continue;
      withDue++;
      if (t.completed_at ? t.completed_at > t.due_at : NOW > t.due_at) late++;
    }
    const share = late / withDue;
    assert.ok(share >= 0.1 && share <= 0.25, `late share ${share.toFixed(3)}`);
    const durations = (pred: (name: string) => boolean): number[] => tasks
      .filter(({ t }) => t.completed_at && t.shown_at && pred(t.task_name) && t.task_type !== 'expiring')
      .map(({ t }) => hours(t.shown_at!, t.completed_at!));
    const all = median(durations(() => true));
    const legal = median(durations((n) => n.startsWith('Legal review')));
    const manager = median(durations((n) => n === 'Manager approval'));
    assert.ok(legal > 2.5 * all, `legal review median ${legal.toFixed(1)} h vs all ${all.toFixed(1)} h`);
    assert.ok(manager > all, `manager approval median ${manager.toFixed(1)} h vs all ${all.toFixed(1)} h`);
    const openOverdue = count(tasks, ({ t }) => t.task_status === 'in-progress' && !!t.due_at && t.due_at < NOW);
    assert.ok(openOverdue > 0, 'open overdue tasks');
  });

  it('has a realistic mix of statuses; recent runs are still active', () => {
    const st = (s: string): number => count(acmeDocs, (p) => p.process_status === s);
    assert.ok(st('complete') > N * 0.6, `complete ${st('complete')}`);
    assert.ok(st('active') > N * 0.01, `active ${st('active')}`);
    assert.ok(st('archived') > 0 && st('archived') < N * 0.15, `archived ${st('archived')}`);
    assert.ok(st('problem') > 0, 'problem');
    const recent = acmeDocs.filter((p) => p.created_at >= '2026-10-20');
    assert.ok(recent.length > 0 && count(recent, (p) => p.process_status !== 'complete') > recent.length / 3, 'recent runs are mostly open');
    assert.ok(count(tasks, ({ t }) => t.task_status === 'in-progress') > 0);
    assert.ok(count(tasks, ({ t }) => t.task_status === 'not-started') > 0);
  });

  it('approvals are mostly approved, some rejected; rejections hide later steps', () => {
    const decided = tasks.filter(({ t }) => t.task_type === 'approval' && t.is_approved !== null);
    const rejected = decided.filter(({ t }) => t.is_approved === false);
    const share = rejected.length / decided.length;
    assert.ok(share > 0.03 && share < 0.25, `rejection share ${share.toFixed(3)}`);
    const withRejection = acmeDocs.filter((p) => (p.tasks ?? []).some((t) => t.is_approved === false));
    for (const p of withRejection) {
      const ts = p.tasks ?? [];
      const k = ts.findIndex((t) => t.is_approved === false);
      const after = ts.slice(k + 1);
      assert.ok(after.every((t) => t.task_status === 'auto-skipped' || !t.shown_at || t.shown_at >= ts[k]!.completed_at!), p.process_id);
    }
    assert.ok(count(withRejection, (p) => p.process_status === 'complete') > 0, 'rejected runs end');
  });

  it('issues: task and process scope, resolved and open', () => {
    const issues = acmeDocs.flatMap((p) => (p.issues ?? []).map((i) => ({ p, i })));
    assert.ok(issues.length > 20, `issues ${issues.length}`);
    assert.ok(count(issues, ({ i }) => i.is_resolved) > issues.length / 2);
    assert.ok(count(issues, ({ i }) => !i.is_resolved) > 0);
    assert.ok(count(issues, ({ i }) => i.task_id === null) > 0, 'process-scope issues');
  });

  it('groups and guests are assigned; guests complete tasks', () => {
    assert.ok(count(tasks, ({ t }) => (t.assignees ?? []).some((a) => a.assignee_type === 'group')) > 200);
    assert.ok(count(tasks, ({ t }) => (t.assignees ?? []).some((a) => a.assignee_type === 'guest')) > 50);
    assert.ok(count(tasks, ({ t }) => !!t.completed_by_guest_email) > 30);
    assert.ok(count(acmeDocs, (p) => (p.comments ?? []).some((c) => !!c.author_guest_email)) > 0, 'guests comment');
  });

  it('members have roles, statuses, teams and time zones', () => {
    const ms = acme.members;
    const roles = new Set(ms.map((m) => m.role));
    assert.deepEqual([...roles].sort(), ['admin', 'light', 'standard']);
    assert.ok(count(ms, (m) => m.status === 'active') > ms.length * 0.7);
    assert.ok(count(ms, (m) => m.status !== 'active') > 0);
    assert.ok(new Set(ms.map((m) => m.team)).size >= 10);
    assert.ok(new Set(ms.map((m) => m.timezone)).size >= 3);
    assert.ok(acme.logins.length > ms.length * 20, `logins ${acme.logins.length}`);
    const big = generateDemo({ org: 'big', processes: 1_000_000 });
    assert.equal(big.members.length, 400);
    assert.ok(big.logins.length <= 400 * MAX_LOGINS_PER_MEMBER);
  });

  it('launches grow over time and follow the working week', () => {
    const firstQuarter = count(acmeDocs, (p) => p.created_at < '2025-08-01');
    const lastQuarter = count(acmeDocs, (p) => p.created_at >= '2026-08-01');
    assert.ok(lastQuarter > 1.4 * firstQuarter, `growth ${firstQuarter} -> ${lastQuarter}`);
    const weekend = count(acmeDocs, (p) => [0, 6].includes(new Date(p.created_at).getUTCDay()));
    assert.ok(weekend < N * 0.1, `weekend launches ${weekend}`);
    // completions cluster on weekdays too
    const done = tasks.filter(({ t }) => t.completed_at && t.completed_by_id);
    const weekendDone = count(done, ({ t }) => [0, 6].includes(new Date(t.completed_at!).getUTCDay()));
    assert.ok(weekendDone < done.length * 0.15, `weekend completions ${weekendDone}/${done.length}`);
  });
});

describe('demo generator: streaming', () => {
  it('streams 50k processes in bounded memory', () => {
    const org = generateDemo({ org: 'stream', processes: 50_000 });
    const before = process.memoryUsage().heapUsed;
    let n = 0;
    let tasks = 0;
    let peak = 0;
    let last = '';
    let drafts = 0;
    for (const p of org.processes()) {
      n++;
      if (p.started_at === null) drafts++;
      tasks += p.tasks?.length ?? 0;
      assert.ok(p.created_at >= last);
      last = p.created_at;
      if (n % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    assert.equal(n, 50_000);
    assert.ok(drafts > 0, 'some recent runs are created but not launched yet');
    assert.ok(tasks > 50_000 * 4);
    assert.ok(peak < 256 * 1024 * 1024, `heap grew by ${(peak / 1048576).toFixed(0)} MiB`);
  });
});

describe('demo generator: building blocks', () => {
  it('the PRNG is deterministic and roughly uniform', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a.next();
      assert.equal(x, b.next());
      assert.ok(x >= 0 && x < 1);
      sum += x;
    }
    assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02);
    assert.notEqual(hash32('acme'), hash32('globex'));
    const r = new Rng(1);
    const xs = Array.from({ length: 5001 }, () => r.lognormal(10, 0.5)).sort((x, y) => x - y);
    assert.ok(Math.abs(xs[2500]! - 10) < 0.6, `lognormal median ${xs[2500]}`);
  });

  it('iso() formats whole seconds in UTC and workTime() never goes backwards', () => {
    assert.equal(iso(Date.UTC(2026, 0, 2, 3, 4, 5, 999)), '2026-01-02T03:04:05Z');
    const r = new Rng(3);
    for (let i = 0; i < 2000; i++) {
      const t = Date.UTC(2026, 0, 1) + r.next() * 60 * 86_400_000;
      assert.ok(workTime(t, -300, r) >= t);
    }
  });
});

describe('runlake demo --as-of', () => {
  it('ends the data today (UTC) by default, on the given day with --as-of, and refuses a date that is not one', async () => {
    const today = new Date('2027-03-04T17:45:00+05:00');
    assert.equal(demoAsOf(undefined, today).toISOString(), '2027-03-04T00:00:00.000Z');
    assert.equal(demoAsOf('2026-11-01').toISOString(), '2026-11-01T00:00:00.000Z');
    for (const bad of ['2026-02-30', '01/11/2026', 'yesterday']) assert.throws(() => demoAsOf(bad), /--as-of must be a date written YYYY-MM-DD/, bad);
    const last = [...generateDemo({ org: 'acme', processes: 200, now: demoAsOf('2027-03-04') }).processes()].map((p) => p.started_at).sort().at(-1)!;
    assert.ok(last < '2027-03-04T00:00:00Z' && last > '2027-02-01T00:00:00Z', `the newest process starts just before the day: ${last}`);
    const r = await runCli(['demo', '--as-of', '2026-13-01', '--no-serve', '--data-dir', mkdtempSync(join(tmpdir(), 'runlake-asof-'))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--as-of must be a date written YYYY-MM-DD, got "2026-13-01"/);
  });
});
