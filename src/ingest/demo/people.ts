/**
 * The people of a demo organization: members (with teams, titles, roles, statuses, time zones),
 * groups, and members' login history.
 *
 * Invariants:
 * - every team has an "anchor": a senior, non-light member, active for the whole period, so any
 *   assignment can always fall back to someone who could do it;
 * - invited members never log in, own, launch or complete anything;
 * - a member only acts between activation and (for disabled members) deactivation;
 * - at most MAX_LOGINS_PER_MEMBER login events per member.
 */
import type { MemberLoginEvent, MemberSnapshot } from '../../schema/documents.ts';
import type { MemberRole, MemberStatus } from '../../schema/enums.ts';
import { Rng, mix32 } from './rng.ts';
import { DAY, HOUR, MINUTE, iso, workTime } from './time.ts';
import { FIRST_NAMES, LAST_NAMES, asciiSlug } from './vocab.ts';

export const TEAMS = [
  'Operations', 'Finance', 'People', 'IT', 'Legal', 'Sales', 'Customer Success', 'Marketing',
  'Procurement', 'Engineering', 'Executive', 'Security',
] as const;
export type Team = (typeof TEAMS)[number];

/** Relative head count of each team. */
const TEAM_WEIGHT: Record<Team, number> = {
  Operations: 9, Finance: 8, People: 6, IT: 6, Legal: 4, Sales: 12, 'Customer Success': 10,
  Marketing: 8, Procurement: 4, Engineering: 16, Executive: 3, Security: 3,
};

/** Job titles per team; `true` marks a senior title (managers, approvers). The first senior is the anchor's. */
const TITLES: Record<Team, readonly (readonly [string, boolean])[]> = {
  Operations: [['Head of Operations', true], ['Operations Manager', true], ['Operations Specialist', false], ['Operations Associate', false], ['Office Manager', false]],
  Finance: [['Controller', true], ['Finance Manager', true], ['Senior Accountant', false], ['Accountant', false], ['AP Specialist', false], ['Financial Analyst', false]],
  People: [['Head of People', true], ['HR Manager', true], ['HR Generalist', false], ['Recruiter', false], ['People Operations Coordinator', false]],
  IT: [['IT Manager', true], ['Systems Administrator', false], ['IT Support Specialist', false], ['IT Support Specialist', false]],
  Legal: [['General Counsel', true], ['Senior Counsel', true], ['Legal Counsel', false], ['Paralegal', false]],
  Sales: [['VP Sales', true], ['Sales Manager', true], ['Account Executive', false], ['Account Executive', false], ['Sales Development Rep', false], ['Sales Operations Analyst', false]],
  'Customer Success': [['Head of Customer Success', true], ['CS Team Lead', true], ['Customer Success Manager', false], ['Implementation Specialist', false], ['Support Engineer', false]],
  Marketing: [['Head of Marketing', true], ['Content Lead', true], ['Content Writer', false], ['Product Marketing Manager', false], ['Designer', false], ['SEO Specialist', false]],
  Procurement: [['Procurement Manager', true], ['Buyer', false], ['Procurement Analyst', false]],
  Engineering: [['VP Engineering', true], ['Engineering Manager', true], ['Senior Software Engineer', false], ['Software Engineer', false], ['Software Engineer', false], ['Site Reliability Engineer', false], ['QA Engineer', false]],
  Executive: [['CEO', true], ['CFO', true], ['COO', true], ['Chief of Staff', true], ['Executive Assistant', false]],
  Security: [['CISO', true], ['Security Engineer', false], ['Security Analyst', false]],
};

export const GROUP_DEFS = [
  { key: 'finance', name: 'Finance Team', teams: ['Finance'] },
  { key: 'ap', name: 'Accounts Payable', teams: ['Finance'] },
  { key: 'it_helpdesk', name: 'IT Helpdesk', teams: ['IT'] },
  { key: 'legal', name: 'Legal', teams: ['Legal'] },
  { key: 'people_ops', name: 'People Ops', teams: ['People'] },
  { key: 'recruiting', name: 'Recruiting', teams: ['People'] },
  { key: 'procurement', name: 'Procurement', teams: ['Procurement'] },
  { key: 'security', name: 'Security Review Board', teams: ['Security', 'IT'] },
  { key: 'implementation', name: 'Implementation', teams: ['Customer Success', 'Engineering'] },
  { key: 'design', name: 'Design', teams: ['Marketing'] },
  { key: 'leadership', name: 'Leadership', teams: ['Executive'] },
  { key: 'facilities', name: 'Facilities', teams: ['Operations'] },
  { key: 'sales_ops', name: 'Sales Ops', teams: ['Sales'] },
] as const satisfies readonly { key: string; name: string; teams: readonly Team[] }[];
export type GroupKey = (typeof GROUP_DEFS)[number]['key'];

interface Zone { tz: string; offsetMin: number; country: string }
const Z = (tz: string, offsetMin: number, country: string): Zone => ({ tz, offsetMin, country });
const ZONES = {
  ny: Z('America/New_York', -300, 'United States'),
  chi: Z('America/Chicago', -360, 'United States'),
  den: Z('America/Denver', -420, 'United States'),
  la: Z('America/Los_Angeles', -480, 'United States'),
  tor: Z('America/Toronto', -300, 'Canada'),
  sao: Z('America/Sao_Paulo', -180, 'Brazil'),
  mex: Z('America/Mexico_City', -360, 'Mexico'),
  lon: Z('Europe/London', 0, 'United Kingdom'),
  dub: Z('Europe/Dublin', 0, 'Ireland'),
  ber: Z('Europe/Berlin', 60, 'Germany'),
  par: Z('Europe/Paris', 60, 'France'),
  ams: Z('Europe/Amsterdam', 60, 'Netherlands'),
  mad: Z('Europe/Madrid', 60, 'Spain'),
  waw: Z('Europe/Warsaw', 60, 'Poland'),
  lag: Z('Africa/Lagos', 60, 'Nigeria'),
  jnb: Z('Africa/Johannesburg', 120, 'South Africa'),
  kol: Z('Asia/Kolkata', 330, 'India'),
  mnl: Z('Asia/Manila', 480, 'Philippines'),
  sin: Z('Asia/Singapore', 480, 'Singapore'),
  tyo: Z('Asia/Tokyo', 540, 'Japan'),
  syd: Z('Australia/Sydney', 600, 'Australia'),
} as const;
type ZoneKey = keyof typeof ZONES;

/** Where an organization's people are: a home region and some remote staff. */
const REGION_PROFILES: readonly (readonly (readonly [ZoneKey, number])[])[] = [
  [['ny', 30], ['chi', 14], ['la', 14], ['den', 4], ['tor', 5], ['lon', 6], ['kol', 6], ['mnl', 5], ['sao', 3], ['mex', 3]],
  [['lon', 38], ['dub', 6], ['ber', 8], ['par', 6], ['ams', 6], ['mad', 4], ['waw', 6], ['ny', 6], ['kol', 8], ['lag', 3], ['jnb', 3]],
  [['syd', 40], ['sin', 12], ['tyo', 6], ['mnl', 10], ['kol', 10], ['lon', 8], ['la', 6]],
];

export interface Member {
  readonly index: number;
  readonly id: string;
  readonly first: string;
  readonly last: string;
  readonly full: string;
  readonly email: string;
  readonly team: Team;
  readonly title: string;
  readonly senior: boolean;
  readonly role: MemberRole;
  readonly status: MemberStatus;
  readonly zone: Zone;
  readonly groups: readonly number[];
  readonly createdAt: number;
  readonly activatedAt: number | null;
  readonly disabledAt: number | null;
  /** Relative speed at tasks: a multiplier of step durations (1 = typical, 2 = twice as slow). */
  readonly pace: number;
}

export interface Group {
  readonly index: number;
  readonly key: GroupKey;
  readonly id: string;
  readonly name: string;
  /** Member indexes (invited members excluded). */
  readonly members: readonly number[];
}

interface Pools {
  /** Members who can be assigned (not invited). */
  readonly all: readonly number[];
  /** Members who can launch and own processes (not light, not invited). */
  readonly launchers: readonly number[];
  /** Senior, non-light members (approvers, managers). */
  readonly seniors: readonly number[];
  readonly anchor: number;
}

export interface People {
  readonly members: readonly Member[];
  readonly groups: readonly Group[];
  readonly groupByKey: Readonly<Record<GroupKey, Group>>;
  readonly teams: Readonly<Record<Team, Pools>>;
  /** Offset (minutes east of UTC) of the organization's head office: launches follow its working day. */
  readonly homeOffsetMin: number;
  /** E-mail domain of the organization. */
  readonly domain: string;
}

export const MAX_LOGINS_PER_MEMBER = 150;

/** Default member count for a process count: ~25 for small demos, up to 400. */
export function defaultMemberCount(processes: number): number {
  return Math.max(25, Math.min(400, Math.round(1.35 * Math.sqrt(Math.max(0, processes)))));
}

export function buildPeople(orgSeed: number, slug: string, count: number, periodStart: number, now: number): People {
  const rng = new Rng(mix32(orgSeed, 0x9e0b1e));
  const domain = `${slug.replace(/[^a-z0-9]+/g, '')}.example`;
  const profile = REGION_PROFILES[rng.int(REGION_PROFILES.length)] ?? REGION_PROFILES[0]!;
  const zoneKeys = profile.map(([k]) => k);
  const zoneWeights = profile.map(([, w]) => w);
  const home = ZONES[profile[0]![0]];
  const teamWeights = TEAMS.map((t) => TEAM_WEIGHT[t]);
  const usedEmails = new Set<string>();

  const drafts: {
    first: string; last: string; team: Team; title: string; senior: boolean; role: MemberRole; status: MemberStatus;
    zone: Zone; createdAt: number; activatedAt: number | null; disabledAt: number | null; pace: number; anchor: boolean;
  }[] = [];
  const n = Math.max(count, TEAMS.length);
  for (let i = 0; i < n; i++) {
    const anchor = i < TEAMS.length;
    const team: Team = anchor ? TEAMS[i]! : rng.choose(TEAMS, teamWeights);
    const titles = TITLES[team];
    const [title, senior] = anchor ? titles[0]! : titles[rng.int(titles.length)]!;
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const founding = anchor || rng.chance(0.45);
    let status: MemberStatus = anchor ? 'active' : rng.choose(['active', 'invited', 'disabled'] as const, [87, 5, 8]);
    let createdAt: number;
    if (status === 'invited') createdAt = now - Math.min(rng.lognormal(12 * DAY, 1.1), now - periodStart);
    else if (founding) createdAt = periodStart - rng.range(20, 900) * DAY;
    else createdAt = periodStart + Math.sqrt(rng.next()) * (now - periodStart - 10 * DAY);
    createdAt = Math.floor(createdAt / 1000) * 1000;
    const zone = anchor ? home : ZONES[rng.choose(zoneKeys, zoneWeights)];
    const activatedAt = status === 'invited' ? null
      : Math.floor(Math.min(workTime(createdAt + rng.lognormal(18 * HOUR, 1.2), zone.offsetMin, rng), now - HOUR) / 1000) * 1000;
    let disabledAt: number | null = null;
    if (status === 'disabled' && activatedAt !== null) {
      const from = Math.max(activatedAt + 30 * DAY, periodStart);
      if (from < now - 2 * DAY) disabledAt = Math.floor(Math.min(workTime(rng.range(from, now - 2 * DAY), zone.offsetMin, rng), now - HOUR) / 1000) * 1000;
      else status = 'active';
    }
    let role: MemberRole;
    if (anchor) role = team === 'Operations' || team === 'Executive' || team === 'IT' ? 'admin' : 'standard';
    else role = rng.choose(['admin', 'standard', 'light'] as const, [4, 66, senior ? 0 : 30]);
    drafts.push({
      first, last, team, title, senior, role, status, zone, createdAt, activatedAt, disabledAt, anchor,
      pace: senior ? rng.lognormal(1.25, 0.45) : rng.lognormal(1, 0.35),
    });
  }

  // Groups: most members of a group's teams belong to it, plus a few people from elsewhere.
  const groupMembers: number[][] = GROUP_DEFS.map(() => []);
  const memberGroups: number[][] = drafts.map(() => []);
  drafts.forEach((d, i) => {
    GROUP_DEFS.forEach((g, gi) => {
      const home = (g.teams as readonly Team[]).includes(d.team);
      const joins = home ? (d.anchor && g.teams[0] === d.team) || rng.chance(0.75) : rng.chance(0.015);
      if (joins) {
        memberGroups[i]!.push(gi);
        if (d.status !== 'invited') groupMembers[gi]!.push(i);
      }
    });
  });

  const members: Member[] = drafts.map((d, i) => {
    const base = `${asciiSlug(d.first)}.${asciiSlug(d.last)}`;
    let email = `${base}@${domain}`;
    for (let k = 2; usedEmails.has(email); k++) email = `${base}${k}@${domain}`;
    usedEmails.add(email);
    return {
      index: i,
      id: `${slug}-u-${String(i + 1).padStart(4, '0')}`,
      first: d.first, last: d.last, full: `${d.first} ${d.last}`, email,
      team: d.team, title: d.title, senior: d.senior, role: d.role, status: d.status, zone: d.zone,
      groups: memberGroups[i]!, createdAt: d.createdAt, activatedAt: d.activatedAt, disabledAt: d.disabledAt, pace: d.pace,
    };
  });

  const groups: Group[] = GROUP_DEFS.map((g, gi) => ({
    index: gi, key: g.key, id: `grp_${slug}_${g.key}`, name: g.name, members: groupMembers[gi]!,
  }));
  const groupByKey = Object.fromEntries(groups.map((g) => [g.key, g])) as Record<GroupKey, Group>;

  const teams = {} as Record<Team, Pools>;
  TEAMS.forEach((t, ti) => {
    const all: number[] = [];
    const launchers: number[] = [];
    const seniors: number[] = [];
    for (const m of members) {
      if (m.team !== t || m.status === 'invited') continue;
      all.push(m.index);
      if (m.role !== 'light') launchers.push(m.index);
      if (m.senior && m.role !== 'light') seniors.push(m.index);
    }
    teams[t] = { all, launchers, seniors, anchor: ti };
  });

  return { members, groups, groupByKey, teams, homeOffsetMin: home.offsetMin, domain };
}

/** Whether a member can act at instant t. */
export function isActiveAt(m: Member, t: number): boolean {
  return m.activatedAt !== null && m.activatedAt <= t && (m.disabledAt === null || t < m.disabledAt);
}

/** A member of `pool` active at t, or `fallback` (an anchor, always active). */
export function pickActive(people: People, pool: readonly number[], t: number, rng: Rng, fallback: number): Member {
  const ms = people.members;
  if (pool.length > 0) {
    for (let tries = 0; tries < 6; tries++) {
      const m = ms[pool[rng.int(pool.length)]!]!;
      if (isActiveAt(m, t)) return m;
    }
  }
  return ms[fallback]!;
}

/** Login history: a few logins a week per active member, in their working hours; capped per member. */
export function buildLogins(orgSeed: number, people: People, now: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const m of people.members) {
    if (m.activatedAt === null) continue;
    const rng = new Rng(mix32(orgSeed ^ 0x10c1, m.index));
    const end = Math.min(now, m.disabledAt ?? now);
    const start = m.activatedAt;
    if (end <= start) continue;
    const weeks = (end - start) / (7 * DAY);
    const perWeek = (m.role === 'light' ? 1.2 : m.role === 'admin' ? 5 : 3.2) * rng.lognormal(1, 0.4);
    const n = Math.min(MAX_LOGINS_PER_MEMBER - 1, Math.round(weeks * perWeek));
    const times: number[] = [start + rng.range(1, 10) * MINUTE];
    for (let k = 0; k < n; k++) {
      const t = workTime(rng.range(start, end), m.zone.offsetMin, rng);
      if (t < end) times.push(t);
    }
    const seen = new Set<number>();
    const uniq: number[] = [];
    for (const t of times) {
      const s = Math.floor(t / 1000) * 1000;
      if (s <= now && !seen.has(s)) {
        seen.add(s);
        uniq.push(s);
      }
    }
    uniq.sort((a, b) => a - b);
    out.set(m.index, uniq);
  }
  return out;
}

export function memberSnapshots(people: People, logins: Map<number, number[]>): MemberSnapshot[] {
  return people.members.map((m) => {
    const ls = logins.get(m.index);
    const lastLogin = ls && ls.length > 0 ? ls[ls.length - 1]! : null;
    const lastModified = Math.max(m.createdAt, m.activatedAt ?? 0, m.disabledAt ?? 0, lastLogin ?? 0);
    return {
      member_id: m.id,
      email: m.email,
      first_name: m.first,
      last_name: m.last,
      full_name: m.full,
      job_title: m.title,
      team: m.team,
      role: m.role,
      status: m.status,
      is_suspended: m.status === 'disabled',
      timezone: m.zone.tz,
      country: m.zone.country,
      group_ids: m.groups.map((g) => people.groups[g]!.id),
      created_at: iso(m.createdAt),
      activated_at: m.activatedAt === null ? null : iso(m.activatedAt),
      last_login_at: lastLogin === null ? null : iso(lastLogin),
      last_modified: iso(lastModified),
      snapshot_at: iso(lastModified),
    };
  });
}

export function loginEvents(people: People, logins: Map<number, number[]>): MemberLoginEvent[] {
  const all: { t: number; m: number }[] = [];
  for (const [m, ts] of logins) for (const t of ts) all.push({ t, m });
  all.sort((a, b) => a.t - b.t || a.m - b.m);
  return all.map(({ t, m }) => ({ member_id: people.members[m]!.id, login_at: iso(t) }));
}
