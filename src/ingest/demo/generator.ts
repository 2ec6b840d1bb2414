/**
 * The demo data generator: a seeded, deterministic, realistic organization — members, login
 * history and a stream of process snapshots (see CONTEXT.md beside this file).
 *
 * How a process is made:
 * 1. its launch instant comes from the organization's calendar (growth trend, weekdays, holidays,
 *    office hours), so process number i is launched no earlier than process i-1;
 * 2. its whole life is simulated from its own random stream, independently of `now`: answers,
 *    assignments, when each task is shown and completed, approvals, rejections, comments,
 *    issues, stalls, archiving;
 * 3. the life is cut at `now` (or at archiving): what has not happened yet is not in the
 *    snapshot (open tasks, unanswered fields, undecided approvals, unresolved issues).
 */
import type {
  AssigneeDoc, CommentDoc, FormFieldDoc, IssueDoc, MemberLoginEvent, MemberSnapshot, ProcessSnapshot, TaskDoc,
} from '../../schema/documents.ts';
import type { CommentLabel, FieldType, ProcessStatus, TaskStatus, TaskType } from '../../schema/enums.ts';
import type { Answer, AnswerCtx, Answers, BlueprintSpec, FieldSpec, StepSpec, Who } from './blueprints.ts';
import { BLUEPRINTS, ONE_OFFS, ONE_OFF_SHARE } from './blueprints.ts';
import type { Group, Member, People, Team } from './people.ts';
import { TEAMS, buildLogins, buildPeople, defaultMemberCount, isActiveAt, loginEvents, memberSnapshots, pickActive } from './people.ts';
import { Rng, cumulative, hash32, mix32 } from './rng.ts';
import { DAY, HOUR, MINUTE, dayOfWeek, iso, weekdayDeadline, workTime } from './time.ts';
import type { Company, Person } from './vocab.ts';
import {
  ADVICE, COMMENTS, IMPROVEMENTS, NUDGES, PERSONAL_MAIL_DOMAINS, PROBLEMS, PROCESS_PROBLEMS, REJECTIONS,
  randomCompany, randomPerson,
} from './vocab.ts';

export interface DemoOptions {
  /** Organization id; mixed into the seed and (as a slug) into every id. */
  org: string;
  seed?: number;
  /** Number of processes (default 2000). */
  processes?: number;
  /** Length of the period, in months, ending at `now` (default 18). */
  months?: number;
  /** End of the period (default 2026-11-01T00:00:00Z, so output does not depend on the clock). */
  now?: Date;
  /** Number of members (default scales with processes: 25..400). */
  members?: number;
}

export interface DemoOrg {
  members: MemberSnapshot[];
  logins: MemberLoginEvent[];
  processCount: number;
  /** Streams the process snapshots in launch order; every call yields the same documents. */
  processes(): Generator<ProcessSnapshot>;
}

export const DEFAULT_NOW = new Date('2026-11-01T00:00:00Z');
export const DEFAULT_PROCESSES = 2000;
export const DEFAULT_MONTHS = 18;

// --- realism knobs ----------------------------------------------------------------------------

/** Share of procedure runs that get stuck on one task for good (they may be archived later). */
const STALL_SHARE = 0.035;
/** Share of stuck runs whose stuck task carries an issue that is never resolved. */
const STALL_ISSUE_SHARE = 0.45;
/** Issues reported per shown task (×3 on bottleneck steps, ×2 on guest steps). */
const ISSUE_RATE = 0.014;
/** Ordinary comments per shown task (more on bottlenecks, stuck tasks and rejections). */
const COMMENT_RATE = 0.1;
/** Share of runs with a process-level issue. */
const PROCESS_ISSUE_SHARE = 0.006;
/** Share of completed runs archived afterwards, and of stuck runs archived eventually. */
const ARCHIVE_COMPLETED_SHARE = 0.035;
const ARCHIVE_STALLED_SHARE = 0.55;
/** Share of runs whose kick-off form is submitted days after the run was created. */
const LATE_KICKOFF_SHARE = 0.03;
/** Share of optional fields left blank. */
const OPTIONAL_BLANK = 0.25;

// --- ids ---------------------------------------------------------------------------------------

/** Id prefix of an organization: its name when already a lowercase slug, else a cleaned name plus a hash. */
export function orgSlug(org: string): string {
  if (/^[a-z0-9]{1,24}$/.test(org)) return org;
  const clean = org.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 16) || 'org';
  return `${clean}_${hash32(org).toString(16).padStart(8, '0').slice(0, 6)}`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

// --- compiled catalogue --------------------------------------------------------------------------

interface CField {
  readonly key: string;
  readonly id: string;
  readonly label: string;
  readonly type: FieldType;
  readonly required: boolean;
  readonly multi: boolean;
  readonly gen: FieldSpec['gen'];
}

interface CStep {
  readonly spec: StepSpec;
  readonly id: string;
  readonly type: TaskType;
  readonly milestoneId: string | null;
  readonly milestoneName: string | null;
  readonly milestonePos: number | null;
  readonly fields: readonly CField[];
}

interface CVersion {
  readonly version: number;
  readonly from: number;
  readonly steps: readonly CStep[];
}

interface CBlueprint {
  readonly spec: BlueprintSpec;
  readonly id: string;
  readonly kickoff: readonly CField[];
  readonly versions: readonly CVersion[];
  readonly launcherTeams: readonly Team[];
}

const MULTI: ReadonlySet<FieldType> = new Set<FieldType>(['multiselect', 'checkbox', 'table', 'assignees']);

function compileField(slug: string, bp: string, scope: string, f: FieldSpec): CField {
  return {
    key: f.key, id: `${slug}-f-${bp}-${scope}-${f.key}`, label: f.label, type: f.type, required: f.required === true,
    multi: MULTI.has(f.type), gen: f.gen,
  };
}

function compileBlueprint(slug: string, spec: BlueprintSpec, periodStart: number, now: number): CBlueprint {
  const span = now - periodStart;
  const compileSteps = (steps: readonly StepSpec[]): CStep[] => steps.map((s) => {
    const ms = s.milestone === undefined ? undefined : spec.milestones?.[s.milestone];
    return {
      spec: s,
      id: `${slug}-s-${spec.key}-${s.key}`,
      type: s.type ?? 'task',
      milestoneId: ms === undefined ? null : `${slug}-m-${spec.key}-${s.milestone! + 1}`,
      milestoneName: ms ?? null,
      milestonePos: ms === undefined ? null : s.milestone! + 1,
      fields: (s.fields ?? []).map((f) => compileField(slug, spec.key, s.key, f)),
    };
  });
  const versions: CVersion[] = [{ version: 1, from: -Infinity, steps: compileSteps(spec.steps) }];
  if (spec.v2) {
    const out: StepSpec[] = [];
    for (const s of spec.steps) {
      out.push(spec.v2.replace?.[s.key] ?? s);
      const added = spec.v2.addAfter?.[s.key];
      if (added) out.push(added);
    }
    versions.push({ version: 2, from: periodStart + spec.v2.at * span, steps: compileSteps(out) });
  }
  return {
    spec,
    id: `${slug}-bp-${spec.key}`,
    kickoff: spec.kickoff.map((f) => compileField(slug, spec.key, 'kickoff', f)),
    versions,
    launcherTeams: spec.launchers === 'all' ? TEAMS.filter((t) => t !== 'Executive') : spec.launchers,
  };
}

// --- the organization's calendar ------------------------------------------------------------------

/** Launches per hour of the (home-office) day. */
const HOUR_WEIGHTS = [0.04, 0.03, 0.03, 0.03, 0.04, 0.06, 0.12, 0.4, 1, 1.6, 1.8, 1.7, 1.2, 1.5, 1.7, 1.6, 1.3, 0.8, 0.4, 0.25, 0.15, 0.1, 0.07, 0.05];
const HOUR_CUM = cumulative(HOUR_WEIGHTS);
const WEEKDAY_WEIGHTS = [0.08, 1.1, 1.15, 1.1, 1.05, 0.85, 0.12]; // Sunday..Saturday

interface Calendar {
  /** Local (home-office) day numbers. */
  readonly days: Int32Array;
  readonly cum: Float64Array;
  /** Per day: cumulative blueprint weights (one-offs excluded). */
  readonly bpCum: readonly Float64Array[];
  readonly offsetMs: number;
}

function buildCalendar(orgSeed: number, blueprints: readonly CBlueprint[], periodStart: number, now: number, offsetMin: number): Calendar {
  const rng = new Rng(mix32(orgSeed, 0xca1e));
  const offsetMs = offsetMin * MINUTE;
  const first = Math.floor((periodStart + offsetMs) / DAY);
  const last = Math.floor((now + offsetMs - 1) / DAY);
  const growth = rng.range(0.9, 2.2); // the last month sees 1.9×–3.2× the launches of the first
  const n = Math.max(1, last - first + 1);
  const days = new Int32Array(n);
  const weights: number[] = [];
  const bpCum: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const day = first + i;
    days[i] = day;
    const date = new Date(day * DAY);
    const month = date.getUTCMonth() + 1;
    const dom = date.getUTCDate();
    const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), month, 0)).getUTCDate();
    const frac = i / n;
    let w = (1 + growth * frac) * WEEKDAY_WEIGHTS[dayOfWeek(day)]! * rng.lognormal(1, 0.18);
    if ((month === 12 && dom >= 23) || (month === 1 && dom <= 2)) w *= 0.3;
    else if (month === 8) w *= 0.85;
    // Partial first/last day.
    const dayStart = day * DAY - offsetMs;
    const covered = Math.min(dayStart + DAY, now) - Math.max(dayStart, periodStart);
    w *= Math.max(0, Math.min(1, covered / DAY));
    weights.push(w);
    const cal = { month, day: dom, daysInMonth };
    bpCum.push(cumulative(blueprints.map((b) => {
      const intro = b.spec.introducedAt ?? 0;
      if (frac < intro) return 0;
      return b.spec.weight * (b.spec.season ? b.spec.season(cal) : 1);
    })));
  }
  return { days, cum: cumulative(weights), bpCum, offsetMs };
}

// --- per-process simulation -----------------------------------------------------------------------

class Ctx implements AnswerCtx {
  at = 0;
  answers: Answers = {};
  ownerName = '';
  private p: Person | null = null;
  private c: Company | null = null;
  constructor(readonly rng: Rng, readonly orgDomain: string, private readonly people: People) {}
  person(): Person {
    this.p ??= randomPerson(this.rng, this.rng.pick(PERSONAL_MAIL_DOMAINS));
    return this.p;
  }
  company(): Company {
    this.c ??= randomCompany(this.rng);
    return this.c;
  }
  memberNames(team: Team | null, n: number): string[] {
    const pool = team ? this.people.teams[team].all : null;
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const m = pool && pool.length > 0 ? this.people.members[pool[this.rng.int(pool.length)]!]! : this.people.members[this.rng.int(this.people.members.length)]!;
      if (!out.includes(m.full)) out.push(m.full);
    }
    return out;
  }
}

/** One task's simulated life (times in epoch ms; Infinity = never). */
interface Sim {
  name: string;
  step: CStep | null;
  type: TaskType;
  assignees: AssigneeDoc[];
  /** Who would complete it (member), or null for guests / automatic completion. */
  actor: Member | null;
  guest: string | null;
  offsetMin: number;
  shown: number;
  done: number;
  due: number;
  skipAt: number;
  revealAt: number;
  approved: boolean | null;
  completer: Member | null;
  completerGuest: string | null;
  everyone: boolean;
  lastEvent: number;
  answers: { f: CField; value: Answer | null; at: number }[];
}

interface SimComment {
  task: number;
  at: number;
  label: CommentLabel;
  body: string;
  author: Member | null;
  guest: string | null;
  id: string;
}

interface SimIssue {
  task: number | null;
  reportedAt: number;
  resolvedAt: number;
  description: string;
  resolution: string;
  reporter: Member;
  resolver: Member | null;
  comment: SimComment | null;
  resolveComment: SimComment | null;
}

class OrgGenerator {
  private readonly blueprints: CBlueprint[];
  private readonly calendar: Calendar;
  private readonly span: number;

  constructor(
    private readonly slug: string,
    private readonly orgSeed: number,
    private readonly people: People,
    private readonly count: number,
    private readonly periodStart: number,
    private readonly now: number,
  ) {
    this.blueprints = BLUEPRINTS.map((b) => compileBlueprint(slug, b, periodStart, now));
    this.calendar = buildCalendar(orgSeed, this.blueprints, periodStart, now, people.homeOffsetMin);
    this.span = now - periodStart;
  }

  /** Launch instant of process i (non-decreasing in i) and its calendar day index. */
  private launch(i: number, rng: Rng): { at: number; dayIndex: number } {
    const cal = this.calendar;
    const total = cal.cum[cal.cum.length - 1]!;
    const x = ((i + rng.next()) / this.count) * total;
    let lo = 0;
    let hi = cal.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cal.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? 0 : cal.cum[lo - 1]!;
    const within = Math.min(0.999999, Math.max(0, (x - before) / (cal.cum[lo]! - before || 1)));
    // Hour of day from the office-hours profile, by inverse CDF.
    const hx = within * HOUR_CUM[23]!;
    let h = 0;
    while (h < 23 && HOUR_CUM[h]! <= hx) h++;
    const hBefore = h === 0 ? 0 : HOUR_CUM[h - 1]!;
    const tod = (h + (hx - hBefore) / HOUR_WEIGHTS[h]!) * HOUR;
    let at = cal.days[lo]! * DAY + tod - cal.offsetMs;
    at = Math.min(Math.max(at, this.periodStart), this.now - MINUTE);
    return { at: Math.floor(at / 1000) * 1000, dayIndex: lo };
  }

  private pool(team: Team, senior: boolean): readonly number[] {
    const p = this.people.teams[team];
    return senior ? (p.seniors.length > 0 ? p.seniors : p.launchers) : p.all;
  }

  private anchor(team: Team): number {
    return this.people.teams[team].anchor;
  }

  /** Resolves a step's assignees at launch time. */
  private assign(who: Who, owner: Member, answers: Answers, at: number, rng: Rng, ctx: Ctx, sim: Sim): void {
    const memberDoc = (m: Member): AssigneeDoc => ({ assignee_type: 'member', assignee_id: m.id, assignee_name: m.full });
    switch (who.kind) {
      case 'owner':
        sim.assignees.push(memberDoc(owner));
        sim.actor = owner;
        sim.offsetMin = owner.zone.offsetMin;
        return;
      case 'group': {
        const g: Group = this.people.groupByKey[who.group];
        sim.assignees.push({ assignee_type: 'group', assignee_id: g.id, assignee_name: g.name });
        const m = pickActive(this.people, g.members, at, rng, this.anchor(groupHomeTeam(g)));
        sim.actor = m;
        sim.offsetMin = m.zone.offsetMin;
        return;
      }
      case 'guest': {
        const email = who.who === 'company' ? ctx.company().contact.email : ctx.person().email;
        sim.assignees.push({ assignee_type: 'guest', assignee_id: email, assignee_name: email });
        if (who.withOwner) sim.assignees.push(memberDoc(owner));
        sim.guest = email;
        sim.actor = who.withOwner ? owner : null;
        sim.offsetMin = owner.zone.offsetMin;
        return;
      }
      case 'team': {
        let team: Team;
        if (who.team === '$owner') team = owner.team;
        else if (who.team === '$dept') {
          const d = answers.department;
          team = typeof d === 'string' && (TEAMS as readonly string[]).includes(d) ? (d as Team) : owner.team;
        } else if (who.team === '$any') team = rng.pick(TEAMS);
        else team = who.team;
        const senior = who.senior === true;
        const n = who.count ?? 1;
        const pool = this.pool(team, senior);
        const chosen: Member[] = [];
        for (let k = 0; k < n + 2 && chosen.length < n; k++) {
          let m = pickActive(this.people, pool, at, rng, this.anchor(team));
          // A manager approves their reports' requests, not their own.
          if (senior && m === owner) m = pickActive(this.people, this.pool('Executive', true), at, rng, this.anchor('Executive'));
          if (!chosen.includes(m)) chosen.push(m);
        }
        for (const m of chosen) sim.assignees.push(memberDoc(m));
        sim.actor = chosen[rng.int(chosen.length)]!;
        sim.offsetMin = sim.actor.zone.offsetMin;
        return;
      }
    }
  }

  /** Builds process number i (0-based). */
  make(i: number): ProcessSnapshot {
    const rng = new Rng(mix32(this.orgSeed, i + 1));
    const num = String(i + 1).padStart(7, '0');
    const pid = `${this.slug}-p-${num}`;
    const { at: createdAt, dayIndex } = this.launch(i, rng);
    const frac = (createdAt - this.periodStart) / this.span;
    const people = this.people;
    const ctx = new Ctx(rng, people.domain, people);

    // Blueprint (or one-off), version, launcher and owner.
    const oneOff = rng.chance(ONE_OFF_SHARE);
    const bp = oneOff ? null : this.blueprints[rng.weighted(this.calendar.bpCum[dayIndex]!)]!;
    let version: CVersion | null = null;
    if (bp) for (const v of bp.versions) if (v.from <= createdAt) version = v;
    const launcherTeam: Team = bp ? rng.pick(bp.launcherTeams) : rng.pick(TEAMS);
    const launcher = pickActive(people, people.teams[launcherTeam].launchers, createdAt, rng, this.anchor(launcherTeam));
    const owner = rng.chance(0.85) ? launcher : pickActive(people, this.pool(launcher.team, true), createdAt, rng, this.anchor(launcher.team));
    ctx.ownerName = owner.full;
    const isPublic = bp?.spec.public === true;

    let startedAt = createdAt + Math.round(rng.lognormal(3 * MINUTE, 1.0));
    if (bp && bp.kickoff.length > 0 && rng.chance(LATE_KICKOFF_SHARE)) startedAt = workTime(createdAt + rng.lognormal(2 * DAY, 1.0), owner.zone.offsetMin, rng);
    startedAt = Math.floor(startedAt / 1000) * 1000;
    const maturity = 1.15 - 0.3 * frac; // teams get faster over the period

    // Kick-off answers (given at launch).
    ctx.at = startedAt;
    const kickoff: { f: CField; value: Answer | null }[] = [];
    if (bp) {
      for (const f of bp.kickoff) {
        let value: Answer | null = f.gen(ctx);
        if (!f.required && rng.chance(OPTIONAL_BLANK)) value = null;
        if (value !== null && typeof value !== 'string' && value.length === 0) value = null;
        if (value !== null) ctx.answers[f.key] = value;
        kickoff.push({ f, value });
      }
    }
    const answers = ctx.answers;

    // Tasks, assigned at launch.
    const sims: Sim[] = [];
    let oneOffTitle = '';
    if (version) {
      for (const s of version.steps) {
        const sim = newSim(s.spec.name, s, s.type, owner.zone.offsetMin);
        sim.everyone = s.spec.everyone === true;
        this.assign(s.spec.who, owner, answers, startedAt, rng, ctx, sim);
        sims.push(sim);
      }
    } else {
      const tpl = ONE_OFFS[rng.int(ONE_OFFS.length)]!;
      oneOffTitle = tpl.name.includes('{company}') ? tpl.name.replace('{company}', ctx.company().name) : tpl.name;
      for (const name of tpl.tasks) {
        const sim = newSim(name, null, 'task', owner.zone.offsetMin);
        const m = rng.chance(0.5) ? owner : pickActive(people, people.teams[owner.team].all, startedAt, rng, this.anchor(owner.team));
        sim.assignees.push({ assignee_type: 'member', assignee_id: m.id, assignee_name: m.full });
        sim.actor = m;
        sim.offsetMin = m.zone.offsetMin;
        sims.push(sim);
      }
    }

    // Which task (if any) this run gets stuck on.
    let stallAt = -1;
    if (rng.chance(STALL_SHARE)) {
      const eligible: number[] = [];
      for (let k = 0; k < sims.length; k++) {
        const s = sims[k]!;
        const spec = s.step?.spec;
        if ((s.type === 'task' || s.type === 'approval') && !spec?.onReject && (!spec?.when || spec.when(answers))) eligible.push(k);
      }
      if (eligible.length > 0) stallAt = eligible[rng.int(eligible.length)]!;
    }

    // Simulate: groups of parallel steps run one after the other.
    const comments: SimComment[] = [];
    const issues: SimIssue[] = [];
    let groupStart = startedAt;
    let groupEnd = startedAt;
    let rejectedAt = Infinity;
    for (let k = 0; k < sims.length; k++) {
      const t = sims[k]!;
      const spec = t.step?.spec ?? null;
      if (k > 0 && !spec?.parallel) groupStart = groupEnd;
      if (spec?.when && !spec.when(answers)) {
        t.skipAt = startedAt;
        continue;
      }
      if (spec?.onReject === 'only') {
        if (rejectedAt === Infinity) {
          t.revealAt = Infinity;
          continue;
        }
        t.revealAt = rejectedAt;
      } else if (rejectedAt !== Infinity) {
        t.skipAt = rejectedAt;
        continue;
      }
      if (groupStart === Infinity) continue; // behind a task that never completes: never shown
      const shown = groupStart;
      t.shown = shown;
      const sla = spec ? spec.sla : rng.chance(0.7) ? 120 : undefined;
      const due = sla === undefined ? Infinity : Math.floor(weekdayDeadline(shown + sla * HOUR, owner.zone.offsetMin) / 1000) * 1000;
      t.due = due;
      // Duration: lognormal × the doer's pace × maturity; everyone-must-complete waits for the slowest.
      const [median, sigma] = spec ? spec.dur : [30, 1.0];
      const pace = t.actor ? t.actor.pace : rng.lognormal(1.3, 0.4);
      let d = rng.lognormal(median * HOUR, sigma);
      if (t.everyone) for (let e = 1; e < t.assignees.length; e++) d = Math.max(d, rng.lognormal(median * HOUR, sigma));
      let done = workTime(shown + Math.max(MINUTE, d * pace * maturity), t.offsetMin, rng);
      let auto = false;
      if ((t.type === 'expiring' || t.type === 'expiring_email') && due !== Infinity && done > due) {
        done = due; // expires (or auto-sends) at its deadline
        auto = true;
      }
      if (k === stallAt) done = Infinity;
      // Issues: reported while the task is open; an open issue blocks completion.
      const issueRate = ISSUE_RATE * (spec?.bottleneck ? 3 : 1) * (t.guest ? 2 : 1);
      const stallIssue = k === stallAt && rng.chance(STALL_ISSUE_SHARE);
      if (!auto && (stallIssue || rng.chance(issueRate))) {
        const open = done === Infinity ? rng.lognormal(2 * DAY, 0.8) : Math.min(done - shown, 5 * DAY);
        const reporter = t.actor ?? owner;
        const reportedAt = workTime(shown + rng.next() * open, reporter.zone.offsetMin, rng);
        const pair = rng.pick(PROBLEMS);
        const resolver = rng.chance(0.6) ? owner : reporter;
        const resolvedAt = stallIssue ? Infinity : workTime(reportedAt + rng.lognormal(20 * HOUR, 1.0), resolver.zone.offsetMin, rng);
        const issue: SimIssue = {
          task: k, reportedAt: Math.floor(reportedAt / 1000) * 1000, resolvedAt: resolvedAt === Infinity ? Infinity : Math.floor(resolvedAt / 1000) * 1000,
          description: pair[0], resolution: pair[1], reporter, resolver: resolvedAt === Infinity ? null : resolver, comment: null, resolveComment: null,
        };
        issue.comment = addComment(comments, k, issue.reportedAt, 'problem', pair[0], reporter, null);
        if (resolvedAt !== Infinity) {
          issue.resolveComment = addComment(comments, k, issue.resolvedAt, 'resolve', pair[1], resolver, null);
          if (done !== Infinity) done = Math.max(done, workTime(issue.resolvedAt + rng.lognormal(3 * HOUR, 1.0), t.offsetMin, rng));
        } else done = Infinity;
        issues.push(issue);
      }
      done = done === Infinity ? Infinity : Math.floor(done / 1000) * 1000;
      t.done = done;
      if (done !== Infinity) {
        if (auto) {
          // completed by the system: no completer
        } else if (t.guest && !(t.actor && rng.chance(0.1))) t.completerGuest = t.guest;
        else t.completer = t.actor ?? owner;
        if (t.completer && !isActiveAt(t.completer, done)) {
          // The doer left before finishing: someone else takes the task over.
          const g = t.step?.spec.who.kind === 'group' ? people.groupByKey[t.step.spec.who.group] : null;
          const team = t.completer.team;
          const sub = pickActive(people, g ? g.members : people.teams[team].all, done, rng, this.anchor(g ? groupHomeTeam(g) : team));
          if (!g && !t.assignees.some((a) => a.assignee_id === sub.id)) t.assignees.push({ assignee_type: 'member', assignee_id: sub.id, assignee_name: sub.full });
          t.completer = sub;
        }
        if (t.type === 'approval') {
          t.approved = rng.chance(spec?.approve ?? 0.9);
          if (!t.approved) {
            rejectedAt = done;
            if (rng.chance(0.8)) addComment(comments, k, done, 'comment', rng.pick(REJECTIONS), t.completerGuest ? null : (t.completer ?? owner), t.completerGuest);
          }
        }
        groupEnd = Math.max(groupEnd, done);
      } else {
        groupEnd = Infinity;
      }
      // Ordinary comments while the task is open.
      const lambda = COMMENT_RATE * (spec?.bottleneck ? 2.5 : 1) * (done === Infinity ? 3 : 1);
      const nComments = rng.poisson(lambda);
      for (let c = 0; c < nComments; c++) {
        const window = done === Infinity ? rng.lognormal(7 * DAY, 0.8) : done - shown;
        const guestAuthor = t.guest !== null && rng.chance(0.4);
        const author = guestAuthor ? null : rng.chance(0.65) && t.actor ? t.actor : owner;
        let at = workTime(shown + rng.next() * window, author ? author.zone.offsetMin : t.offsetMin, rng);
        if (at > done) at = done;
        const u = rng.next();
        const label: CommentLabel = u < 0.74 ? 'comment' : u < 0.87 ? 'advice' : 'improvement';
        const body = label === 'advice' ? rng.pick(ADVICE) : label === 'improvement' ? rng.pick(IMPROVEMENTS)
          : done === Infinity || (due !== Infinity && at > due) ? rng.pick(NUDGES) : rng.pick(COMMENTS);
        addComment(comments, k, at, label, body, author, guestAuthor ? t.guest : null);
      }
      // Form answers: given on completion (a few while the task is open).
      if (t.step) {
        for (const f of t.step.fields) {
          const early = rng.chance(0.2);
          const openSpan = done === Infinity ? rng.lognormal(DAY, 1) : done - shown;
          let at = early ? shown + rng.next() * openSpan : done === Infinity ? Infinity : done - rng.next() * Math.min(10 * MINUTE, done - shown);
          at = at === Infinity ? Infinity : Math.floor(at / 1000) * 1000;
          ctx.at = at === Infinity ? shown + DAY : at;
          let value: Answer | null = f.gen(ctx);
          if (!f.required && rng.chance(OPTIONAL_BLANK)) value = null;
          if (value !== null && typeof value !== 'string' && value.length === 0) value = null;
          if (value !== null && at !== Infinity) answers[f.key] = value;
          t.answers.push({ f, value, at });
        }
      }
    }
    // The run is over when every task that is not hidden is completed.
    let endAt = startedAt;
    for (const t of sims) {
      if (t.skipAt !== Infinity || t.revealAt === Infinity) continue;
      endAt = Math.max(endAt, t.done);
    }

    // Process-level issue.
    if (rng.chance(PROCESS_ISSUE_SHARE)) {
      const pair = rng.pick(PROCESS_PROBLEMS);
      let reportedAt: number;
      let resolvedAt: number;
      if (endAt === Infinity) {
        const stuck = stallAt >= 0 ? sims[stallAt]!.shown : startedAt;
        reportedAt = workTime(stuck + rng.lognormal(3 * DAY, 0.8), owner.zone.offsetMin, rng);
        resolvedAt = rng.chance(0.4) ? Infinity : reportedAt + rng.lognormal(4 * DAY, 0.8);
      } else {
        reportedAt = startedAt + rng.range(0, 0.8) * (endAt - startedAt);
        resolvedAt = reportedAt + rng.range(0.1, 1) * (endAt - reportedAt);
      }
      const resolver = resolvedAt === Infinity ? null : owner;
      issues.push({
        task: null, reportedAt: Math.floor(reportedAt / 1000) * 1000, resolvedAt: resolvedAt === Infinity ? Infinity : Math.floor(resolvedAt / 1000) * 1000,
        description: pair[0], resolution: pair[1], reporter: owner, resolver, comment: null, resolveComment: null,
      });
    }

    // Archiving: stuck runs are often archived eventually, a few completed ones too.
    let lastActivity = startedAt;
    for (const t of sims) {
      if (t.shown !== Infinity) lastActivity = Math.max(lastActivity, t.shown);
      if (t.done !== Infinity) lastActivity = Math.max(lastActivity, t.done);
    }
    for (const c of comments) lastActivity = Math.max(lastActivity, c.at);
    let archivedAt = Infinity;
    if (endAt === Infinity) {
      if (rng.chance(ARCHIVE_STALLED_SHARE)) archivedAt = workTime(lastActivity + rng.lognormal(40 * DAY, 0.7), owner.zone.offsetMin, rng);
    } else if (rng.chance(ARCHIVE_COMPLETED_SHARE)) {
      archivedAt = workTime(endAt + rng.lognormal(25 * DAY, 0.8), owner.zone.offsetMin, rng);
    }
    if (archivedAt !== Infinity) archivedAt = Math.floor(archivedAt / 1000) * 1000;

    // --- cut at the horizon and build the snapshot ---------------------------------------------
    const now = this.now;
    const archived = archivedAt <= now;
    const H = archived ? archivedAt : now;
    const started = startedAt <= H;
    const cut = new Cut(H, createdAt);
    if (started) cut.seen(startedAt);

    // Comments (sorted, numbered), issues.
    comments.sort((a, b) => a.at - b.at || a.task - b.task);
    const commentDocs: CommentDoc[] = [];
    let cn = 0;
    for (const c of comments) {
      if (!started || !cut.seen(c.at)) continue;
      c.id = `${this.slug}-c-${num}-${pad2(++cn)}`;
      const t = sims[c.task]!;
      if (c.at > t.lastEvent) t.lastEvent = c.at;
      const ts = iso(c.at);
      commentDocs.push({
        task_id: taskId(this.slug, num, c.task), comment_id: c.id, label: c.label, body: c.body,
        author_id: c.author ? c.author.id : null, author_guest_email: c.guest, created_at: ts, last_modified: ts,
      });
    }
    const issueDocs: IssueDoc[] = [];
    let openIssue = false;
    let pn = 0;
    for (const is of issues) {
      if (!started || !cut.seen(is.reportedAt)) continue;
      const resolved = is.resolvedAt <= H;
      if (resolved) cut.seen(is.resolvedAt);
      else openIssue = true;
      issueDocs.push({
        task_id: is.task === null ? null : taskId(this.slug, num, is.task),
        issue_id: is.comment ? is.comment.id : `${this.slug}-i-${num}-${pad2(++pn)}`,
        description: is.description,
        reported_by_id: is.reporter.id,
        reported_at: iso(is.reportedAt),
        is_resolved: resolved,
        resolved_by_id: resolved && is.resolver ? is.resolver.id : null,
        resolved_at: resolved ? iso(is.resolvedAt) : null,
        resolution: resolved ? is.resolution : null,
      });
    }

    // Tasks and their form fields.
    const taskDocs: TaskDoc[] = [];
    const fieldDocs: FormFieldDoc[] = [];
    const createdIso = iso(createdAt);
    const startedIso = started ? iso(startedAt) : null;
    if (bp) {
      for (const { f, value } of kickoff) {
        const answered = started && value !== null;
        fieldDocs.push(fieldDoc(f, null, answered ? value : null, answered ? startedIso : null, answered ? startedIso! : createdIso));
      }
    }
    for (let k = 0; k < sims.length; k++) {
      const t = sims[k]!;
      const tid = taskId(this.slug, num, k);
      let status: TaskStatus;
      const hidden = started && (t.skipAt <= H || t.revealAt > H);
      if (!started) status = 'not-started';
      else if (hidden) status = 'auto-skipped';
      else if (t.shown > H) status = 'not-started';
      else if (t.done <= H) status = 'completed';
      else status = 'in-progress';
      const shownAt = status === 'completed' || status === 'in-progress' ? t.shown : null;
      const completed = status === 'completed';
      let last = started ? startedAt : createdAt;
      if (hidden && t.skipAt <= H && t.skipAt > last) last = t.skipAt;
      if (shownAt !== null) {
        cut.seen(shownAt);
        if (shownAt > last) last = shownAt;
      }
      if (completed) {
        cut.seen(t.done);
        if (t.done > last) last = t.done;
      }
      for (const a of t.answers) {
        const answered = shownAt !== null && a.value !== null && a.at <= H && (completed || a.at < t.done);
        if (answered) {
          cut.seen(a.at);
          if (a.at > last) last = a.at;
        }
        fieldDocs.push(fieldDoc(a.f, tid, answered ? a.value : null, answered ? iso(a.at) : null, answered ? iso(a.at) : createdIso));
      }
      if (t.lastEvent > last) last = t.lastEvent;
      const s = t.step;
      taskDocs.push({
        task_id: tid,
        step_id: s ? s.id : null,
        task_alias: s ? s.spec.key : null,
        task_name: t.name,
        position: k + 1,
        task_type: t.type,
        task_status: status,
        is_visible: status !== 'auto-skipped',
        milestone_id: s ? s.milestoneId : null,
        milestone_name: s ? s.milestoneName : null,
        milestone_position: s ? s.milestonePos : null,
        shown_at: shownAt === null ? null : iso(shownAt),
        due_at: shownAt !== null && t.due !== Infinity ? iso(t.due) : null,
        completed_at: completed ? iso(t.done) : null,
        completed_by_id: completed && t.completer ? t.completer.id : null,
        completed_by_guest_email: completed ? t.completerGuest : null,
        is_approved: completed && t.type === 'approval' ? t.approved : null,
        everyone_must_complete: t.everyone,
        last_modified: iso(last),
        assignees: t.assignees,
      });
    }

    const complete = started && endAt <= H;
    if (archived) cut.seen(archivedAt);
    const status: ProcessStatus = archived ? 'archived' : complete ? 'complete' : openIssue ? 'problem' : 'active';
    const snapshotIso = iso(cut.snapshotAt);
    let title: string;
    if (bp) title = bp.spec.title(answers, { ownerName: owner.full, at: createdAt });
    else title = oneOffTitle;
    const dueDays = bp ? bp.spec.dueDays : rng.chance(0.5) ? 14 : null;
    return {
      process_id: pid,
      process_name: title,
      blueprint_id: bp ? bp.id : null,
      blueprint_name: bp ? bp.spec.name : null,
      blueprint_version: version ? version.version : null,
      process_type: bp ? bp.spec.type : 'one_off',
      process_status: status,
      process_owner_id: owner.id,
      process_owner: owner.full,
      started_by_id: isPublic ? null : launcher.id,
      tags: bp ? bp.spec.tags(answers).filter((x) => x !== '') : [],
      created_at: createdIso,
      started_at: startedIso,
      due_at: started && dueDays !== null ? iso(startedAt + dueDays * DAY) : null,
      completed_at: complete ? iso(endAt) : null,
      archived_at: archived ? iso(archivedAt) : null,
      last_modified: snapshotIso,
      snapshot_at: snapshotIso,
      tasks: taskDocs,
      form_fields: fieldDocs,
      comments: commentDocs,
      issues: issueDocs,
    };
  }
}

function newSim(name: string, step: CStep | null, type: TaskType, offsetMin: number): Sim {
  return {
    name, step, type, assignees: [], actor: null, guest: null, offsetMin,
    shown: Infinity, done: Infinity, due: Infinity, skipAt: Infinity, revealAt: 0, approved: null,
    completer: null, completerGuest: null, everyone: false, lastEvent: -Infinity, answers: [],
  };
}

function addComment(list: SimComment[], task: number, at: number, label: CommentLabel, body: string, author: Member | null, guest: string | null): SimComment {
  const c: SimComment = { task, at: Math.floor(at / 1000) * 1000, label, body, author, guest, id: '' };
  list.push(c);
  return c;
}

/** The horizon of a snapshot: what happened by `H` is in it; `snapshotAt` tracks the last such event. */
class Cut {
  snapshotAt: number;
  constructor(readonly H: number, createdAt: number) {
    this.snapshotAt = createdAt;
  }
  seen(t: number): boolean {
    if (t > this.H) return false;
    if (t > this.snapshotAt) this.snapshotAt = t;
    return true;
  }
}

function groupHomeTeam(g: Group): Team {
  switch (g.key) {
    case 'finance': case 'ap': return 'Finance';
    case 'it_helpdesk': return 'IT';
    case 'legal': return 'Legal';
    case 'people_ops': case 'recruiting': return 'People';
    case 'procurement': return 'Procurement';
    case 'security': return 'Security';
    case 'implementation': return 'Customer Success';
    case 'design': return 'Marketing';
    case 'leadership': return 'Executive';
    case 'facilities': return 'Operations';
    case 'sales_ops': return 'Sales';
  }
}

function taskId(slug: string, num: string, k: number): string {
  return `${slug}-t-${num}-${pad2(k + 1)}`;
}

function fieldDoc(f: CField, taskId: string | null, value: Answer | null, answeredAt: string | null, lastModified: string): FormFieldDoc {
  let answer: string | null = null;
  let values: string[] | null = null;
  if (value !== null) {
    if (typeof value === 'string') answer = value;
    else {
      values = [...value];
      answer = f.type === 'table' ? values.join('\n') : values.join(', ');
    }
    if (f.multi && values === null) values = [answer!];
  }
  return {
    field_id: f.id,
    task_id: taskId,
    field_label: f.label,
    field_alias: f.key,
    field_type: f.type,
    is_required: f.required,
    answer,
    answer_values: values,
    answered_at: answeredAt,
    last_modified: lastModified,
  };
}

/** UTC month arithmetic: the same day-of-month and time, `months` earlier (clamped to month end). */
function monthsBefore(t: number, months: number): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - months;
  const target = new Date(Date.UTC(y, m, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  const dim = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), dim));
  return target.getTime();
}

export function generateDemo(opts: DemoOptions): DemoOrg {
  const org = opts.org;
  if (typeof org !== 'string' || org.length === 0) throw new RangeError('demo: org must be a non-empty string');
  const count = opts.processes ?? DEFAULT_PROCESSES;
  if (!Number.isInteger(count) || count < 0) throw new RangeError('demo: processes must be a non-negative integer');
  const months = opts.months ?? DEFAULT_MONTHS;
  if (!Number.isInteger(months) || months < 1 || months > 240) throw new RangeError('demo: months must be an integer from 1 to 240');
  const nowMs = (opts.now ?? DEFAULT_NOW).getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('demo: now is not a valid date');
  const memberCount = opts.members ?? defaultMemberCount(count);
  if (!Number.isInteger(memberCount) || memberCount < 1) throw new RangeError('demo: members must be a positive integer');

  const now = Math.floor(nowMs / 1000) * 1000;
  const periodStart = monthsBefore(now, months);
  const slug = orgSlug(org);
  const orgSeed = mix32(hash32(org), (opts.seed ?? 1) >>> 0);
  const people = buildPeople(orgSeed, slug, memberCount, periodStart, now);
  const logins = buildLogins(orgSeed, people, now);
  const gen = new OrgGenerator(slug, orgSeed, people, count, periodStart, now);
  return {
    members: memberSnapshots(people, logins),
    logins: loginEvents(people, logins),
    processCount: count,
    *processes(): Generator<ProcessSnapshot> {
      for (let i = 0; i < count; i++) yield gen.make(i);
    },
  };
}
