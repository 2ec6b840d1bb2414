/**
 * The catalogue of demo blueprints: 12 procedures (4–13 steps each, milestones, approvals,
 * expiring and e-mail steps, rules that hide steps, group and guest assignments, kick-off forms
 * and task forms) and 2 form blueprints, plus the one-off processes some members run.
 *
 * Durations are elapsed hours from "shown" to "completed" (lognormal: median, sigma), before the
 * assignee's pace and working hours are applied; `sla` is the task deadline in hours after it is
 * shown. Steps flagged `bottleneck` are the deliberately slow ones (legal review, manager
 * approval, data migration, candidate screening…): long medians and SLAs that are often missed.
 */
import type { FieldType, TaskType } from '../../schema/enums.ts';
import type { GroupKey, Team } from './people.ts';
import type { Rng } from './rng.ts';
import { DAY, HOUR, iso, isoDate } from './time.ts';
import type { Company, Person } from './vocab.ts';
import { FIRST_NAMES } from './vocab.ts';

export type Answer = string | readonly string[];
export type Answers = Record<string, Answer | undefined>;

/** What an answer generator can see. */
export interface AnswerCtx {
  readonly rng: Rng;
  /** When the answer is given (epoch ms). */
  readonly at: number;
  /** Answers given so far in this process (kick-off first, then tasks in order). */
  readonly answers: Answers;
  readonly ownerName: string;
  readonly orgDomain: string;
  /** The person the process is about (new hire, candidate, requester); the same for the whole run. */
  person(): Person;
  /** The outside company the process is about (vendor, customer, counterparty); the same for the whole run. */
  company(): Company;
  /** Full names of n members of a team (any team when null). */
  memberNames(team: Team | null, n: number): string[];
}

export interface FieldSpec {
  readonly key: string;
  readonly label: string;
  readonly type: FieldType;
  readonly required?: boolean;
  readonly gen: (c: AnswerCtx) => Answer;
}

/** Who a step is assigned to. `$owner`: the owner's team; `$dept`: the team named by the `department` answer; `$any`: any team. */
export type Who =
  | { readonly kind: 'owner' }
  | { readonly kind: 'team'; readonly team: Team | '$owner' | '$dept' | '$any'; readonly senior?: boolean; readonly count?: number }
  | { readonly kind: 'group'; readonly group: GroupKey }
  | { readonly kind: 'guest'; readonly who: 'company' | 'person'; readonly withOwner?: boolean };

export interface StepSpec {
  readonly key: string;
  readonly name: string;
  readonly type?: TaskType;
  /** Index into the blueprint's milestones. */
  readonly milestone?: number;
  readonly who: Who;
  /** Elapsed hours shown → completed: lognormal median and sigma. */
  readonly dur: readonly [median: number, sigma: number];
  /** Deadline, hours after the task is shown; none when absent. */
  readonly sla?: number;
  /** Shown together with the previous step instead of after it. */
  readonly parallel?: boolean;
  /** Rule on the kick-off answers: the step is hidden (auto-skipped) when false. */
  readonly when?: (a: Answers) => boolean;
  /** `only`: hidden unless an earlier approval was rejected. Other steps after a rejection are auto-skipped. */
  readonly onReject?: 'only';
  /** Approval steps: probability of approving. */
  readonly approve?: number;
  readonly everyone?: boolean;
  readonly bottleneck?: boolean;
  readonly fields?: readonly FieldSpec[];
}

export interface BlueprintSpec {
  readonly key: string;
  readonly name: string;
  readonly type: 'procedure' | 'form';
  /** Relative launch frequency. */
  readonly weight: number;
  readonly launchers: readonly Team[] | 'all';
  /** Launched from a public form: no member started it. */
  readonly public?: boolean;
  /** Fraction of the period before which the blueprint did not exist. */
  readonly introducedAt?: number;
  /** Launch-frequency multiplier by UTC date (month-end peaks, quarter closes). */
  readonly season?: (d: CalendarDay) => number;
  readonly milestones?: readonly string[];
  readonly kickoff: readonly FieldSpec[];
  readonly steps: readonly StepSpec[];
  /** Version 2, from this fraction of the period on: steps replaced (same position) or added after a step. */
  readonly v2?: { readonly at: number; readonly replace?: Readonly<Record<string, StepSpec>>; readonly addAfter?: Readonly<Record<string, StepSpec>> };
  /** Process deadline, days after launch. */
  readonly dueDays: number;
  readonly title: (a: Answers, c: { ownerName: string; at: number }) => string;
  readonly tags: (a: Answers) => string[];
}

export interface CalendarDay {
  readonly month: number; // 1..12
  readonly day: number; // 1..31
  readonly daysInMonth: number;
}

// --- answer helpers ---------------------------------------------------------------------------

/** The text of an answer ('' when missing). */
export function str(a: Answer | undefined): string {
  if (a === undefined) return '';
  return typeof a === 'string' ? a : a.join(', ');
}
export function num(a: Answer | undefined): number {
  return typeof a === 'string' ? Number(a) : NaN;
}

type Gen = (c: AnswerCtx) => Answer;
const one = (items: readonly string[], weights?: readonly number[]): Gen => (c) => (weights ? c.rng.choose(items, weights) : c.rng.pick(items));
const some = (items: readonly string[], min: number, max: number): Gen => (c) => c.rng.sample(items, c.rng.between(min, max));
const money = (median: number, sigma: number, unit = 0.01): Gen => (c) => {
  const v = Math.max(unit, Math.round(c.rng.lognormal(median, sigma) / unit) * unit);
  return unit >= 1 ? String(Math.round(v)) : v.toFixed(2);
};
const int = (lo: number, hi: number): Gen => (c) => String(c.rng.between(lo, hi));
const dateIn = (lo: number, hi: number): Gen => (c) => isoDate(c.at + c.rng.range(lo, hi) * DAY);
const dateTimeIn = (loHours: number, hiHours: number): Gen => (c) => iso(Math.round((c.at + c.rng.range(loHours, hiHours) * HOUR) / 900_000) * 900_000);
const digits = (rng: Rng, n: number): string => String(rng.int(10 ** n)).padStart(n, '0');
const fileOf = (...names: string[]): Gen => (c) => c.rng.pick(names).replace('#', digits(c.rng, 4));
const copy = (key: string, fallback: Gen): Gen => (c) => c.answers[key] ?? fallback(c);

const F = (key: string, label: string, type: FieldType, gen: Gen, required = false): FieldSpec => ({ key, label, type, gen, required });

const owner = { kind: 'owner' } as const;
const team = (t: Team | '$owner' | '$dept' | '$any', extra: { senior?: boolean; count?: number } = {}): Who => ({ kind: 'team', team: t, ...extra });
const senior = (t: Team | '$owner' | '$dept' | '$any'): Who => ({ kind: 'team', team: t, senior: true });
const group = (g: GroupKey): Who => ({ kind: 'group', group: g });
const guest = (who: 'company' | 'person', withOwner = false): Who => ({ kind: 'guest', who, withOwner });

const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD'];
const CURRENCY_W = [6, 2, 2, 1, 1];
const DEPARTMENTS: readonly Team[] = ['Engineering', 'Sales', 'Customer Success', 'Marketing', 'Finance', 'Operations', 'People', 'IT', 'Legal'];
const DEPT_W = [8, 6, 5, 4, 2, 3, 1, 2, 1];
const ROLE_TITLES = [
  'Software Engineer', 'Senior Software Engineer', 'Account Executive', 'Customer Success Manager', 'Product Marketing Manager',
  'Financial Analyst', 'Operations Specialist', 'Recruiter', 'Support Engineer', 'Data Analyst', 'Designer', 'Legal Counsel',
];
const GL_CODES = ['6100 Travel', '6150 Meals', '6200 Software', '6300 Training', '6400 Equipment', '6500 Marketing', '6600 Professional fees'];
const BANKS = ['First National Bank', 'Harbor Savings', 'Summit Credit Union', 'Metro Commerce Bank', 'Atlantic Trust'];
const SERVICES = ['API', 'Web app', 'Billing', 'Search', 'Notifications', 'Database', 'Auth', 'Mobile app'];
const SYSTEMS = ['Salesforce', 'NetSuite', 'GitHub', 'AWS console', 'Jira', 'HubSpot', 'Workday', 'Tableau'];

const lowerSlug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

// --- the catalogue -----------------------------------------------------------------------------

const employeeOnboarding: BlueprintSpec = {
  key: 'employee-onboarding',
  name: 'Employee Onboarding',
  type: 'procedure',
  weight: 7,
  launchers: ['People'],
  milestones: ['Before day one', 'First day', 'First week'],
  dueDays: 30,
  kickoff: [
    F('new_hire_name', 'New hire full name', 'text', (c) => c.person().full, true),
    F('personal_email', 'Personal e-mail', 'email', (c) => c.person().email, true),
    F('job_title', 'Job title', 'text', one(ROLE_TITLES), true),
    F('department', 'Department', 'dropdown', one(DEPARTMENTS, DEPT_W), true),
    F('start_date', 'Start date', 'date', dateIn(7, 35), true),
    F('work_location', 'Work location', 'radio', one(['Office', 'Remote', 'Hybrid'], [4, 3, 3]), true),
    F('equipment', 'Equipment needed', 'checkbox', some(['Laptop', 'External monitor', 'Headset', 'Mobile phone', 'Standing desk'], 1, 4)),
    F('hiring_manager', 'Hiring manager', 'assignees', (c) => c.memberNames(null, 1)),
  ],
  steps: [
    { key: 'welcome_email', name: 'Send welcome e-mail', type: 'email', milestone: 0, who: owner, dur: [1, 1.0], sla: 24 },
    {
      key: 'personal_details', name: 'New hire completes personal details', milestone: 0, who: guest('person'), dur: [30, 0.9], sla: 72,
      fields: [
        F('emergency_contact', 'Emergency contact name', 'text', (c) => `${c.rng.pick(FIRST_NAMES)} ${c.person().last}`, true),
        F('emergency_phone', 'Emergency contact phone', 'text', (c) => `+1 555 ${digits(c.rng, 3)} ${digits(c.rng, 4)}`, true),
        F('tshirt', 'T-shirt size', 'dropdown', one(['XS', 'S', 'M', 'L', 'XL', 'XXL'], [1, 3, 5, 5, 3, 1])),
        F('tax_form', 'Signed tax form', 'file', fileOf('tax-form-#.pdf', 'W4-#.pdf'), true),
      ],
    },
    {
      key: 'create_accounts', name: 'Create accounts', milestone: 0, who: group('it_helpdesk'), dur: [20, 0.8], sla: 48, parallel: true,
      fields: [
        F('work_email', 'Work e-mail address', 'email', (c) => `${c.person().email.split('@')[0]}@${c.orgDomain}`, true),
        F('accounts', 'Accounts created', 'multiselect', some(['Google Workspace', 'Slack', 'Jira', 'GitHub', 'Salesforce', 'HubSpot', 'Notion'], 2, 5), true),
      ],
    },
    {
      key: 'ship_laptop', name: 'Ship laptop', milestone: 0, who: team('IT'), dur: [36, 0.7], sla: 72,
      when: (a) => str(a.work_location) !== 'Office',
      fields: [
        F('ship_date', 'Ship date', 'date', dateIn(-1, 0), true),
        F('tracking_url', 'Tracking link', 'url', (c) => `https://track.parcel.example/${digits(c.rng, 10)}`),
      ],
    },
    {
      key: 'prepare_desk', name: 'Prepare desk and badge', milestone: 0, who: group('facilities'), dur: [24, 0.7], sla: 72, parallel: true,
      when: (a) => str(a.work_location) !== 'Remote',
    },
    {
      key: 'payroll_setup', name: 'Set up payroll', milestone: 0, who: group('finance'), dur: [30, 0.8], sla: 72,
      fields: [
        F('employee_number', 'Employee number', 'text', (c) => `E${digits(c.rng, 5)}`, true),
        F('pay_frequency', 'Pay frequency', 'radio', one(['Monthly', 'Semi-monthly', 'Bi-weekly'], [5, 2, 3])),
      ],
    },
    {
      key: 'orientation', name: 'First-day orientation', milestone: 1, who: owner, dur: [8, 0.6], sla: 24,
      fields: [F('orientation_items', 'Orientation covered', 'checkbox', some(['Office tour', 'Security briefing', 'Team introductions', 'Tools walkthrough'], 2, 4))],
    },
    {
      key: 'benefits', name: 'Benefits enrollment', type: 'expiring', milestone: 2, who: team('People'), dur: [60, 0.8], sla: 120,
      fields: [F('medical_plan', 'Medical plan', 'radio', one(['Basic', 'Standard', 'Premium', 'Opt out'], [3, 5, 2, 1]))],
    },
    {
      key: 'manager_checkin', name: 'Manager check-in', milestone: 2, who: senior('$dept'), dur: [48, 0.8], sla: 96,
      fields: [F('checkin_notes', 'Check-in notes', 'textarea', one(['Settling in well, no blockers.', 'Needs more time with the product; pairing set up.', 'Access to two tools still pending.', 'Great first week, already shipping.']))],
    },
    {
      key: 'compliance_training', name: 'Compliance training completed', milestone: 2, who: team('People'), dur: [72, 0.9], sla: 120,
      fields: [F('courses', 'Courses completed', 'multiselect', some(['Code of conduct', 'Data protection', 'Information security', 'Anti-harassment'], 2, 4), true)],
    },
  ],
  v2: {
    at: 0.6,
    addAfter: {
      create_accounts: { key: 'security_awareness', name: 'Security awareness training', milestone: 0, who: group('security'), dur: [40, 0.8], sla: 192 },
    },
  },
  title: (a) => `Onboarding: ${str(a.new_hire_name)} (${str(a.job_title)})`,
  tags: (a) => ['hr', 'onboarding', lowerSlug(str(a.department))],
};

const vendorOnboarding: BlueprintSpec = {
  key: 'vendor-onboarding',
  name: 'Vendor Onboarding',
  type: 'procedure',
  weight: 5,
  launchers: ['Procurement', 'Operations', 'Finance'],
  milestones: ['Intake', 'Due diligence', 'Activation'],
  dueDays: 30,
  kickoff: [
    F('vendor_name', 'Vendor name', 'text', (c) => c.company().name, true),
    F('vendor_contact', 'Vendor contact e-mail', 'email', (c) => c.company().contact.email, true),
    F('vendor_website', 'Vendor website', 'url', (c) => c.company().website),
    F('category', 'Category', 'dropdown', one(['Software', 'Hardware', 'Professional services', 'Logistics', 'Marketing', 'Facilities'], [5, 2, 3, 2, 2, 1]), true),
    F('annual_spend', 'Estimated annual spend', 'number', money(40_000, 1.0, 100), true),
    F('data_access', 'Will the vendor access our data?', 'radio', one(['Yes', 'No'], [4, 6]), true),
  ],
  steps: [
    { key: 'request_documents', name: 'Request documents from vendor', type: 'email', milestone: 0, who: owner, dur: [1, 1.0], sla: 36 },
    {
      key: 'vendor_details', name: 'Vendor submits tax and banking details', milestone: 0, who: guest('company', true), dur: [60, 1.0], sla: 144,
      fields: [
        F('tax_id', 'Tax ID', 'text', (c) => `${digits(c.rng, 2)}-${digits(c.rng, 7)}`, true),
        F('bank_name', 'Bank name', 'text', one(BANKS), true),
        F('w9', 'W-9 form', 'file', fileOf('W-9.pdf', 'w9-signed.pdf', 'W9_#.pdf'), true),
      ],
    },
    {
      key: 'security_questionnaire', name: 'Vendor completes security questionnaire', milestone: 1, who: guest('company'), dur: [96, 1.0], sla: 240,
      when: (a) => str(a.data_access) === 'Yes',
      fields: [
        F('certification', 'Security certification', 'radio', one(['SOC 2 Type II', 'SOC 2 Type I', 'ISO 27001', 'None'], [4, 2, 2, 2]), true),
        F('data_location', 'Where is our data stored?', 'dropdown', one(['United States', 'European Union', 'United Kingdom', 'Asia Pacific'])),
      ],
    },
    {
      key: 'security_review', name: 'Security review', milestone: 1, who: group('security'), dur: [72, 0.9], sla: 120, bottleneck: true,
      when: (a) => str(a.data_access) === 'Yes',
      fields: [F('risk_rating', 'Risk rating', 'radio', one(['Low', 'Medium', 'High'], [5, 4, 1]), true)],
    },
    {
      key: 'legal_review', name: 'Legal review', milestone: 1, who: group('legal'), dur: [110, 0.9], sla: 120, bottleneck: true,
      fields: [F('contract_paper', 'Contract paper', 'radio', one(['Our paper', 'Vendor paper'], [6, 4]))],
    },
    { key: 'procurement_approval', name: 'Procurement approval', type: 'approval', milestone: 2, who: senior('Procurement'), dur: [20, 0.9], sla: 96, approve: 0.9 },
    {
      key: 'erp_setup', name: 'Set up vendor in ERP', milestone: 2, who: group('ap'), dur: [24, 0.8], sla: 96,
      fields: [
        F('vendor_number', 'Vendor number', 'text', (c) => `V-${digits(c.rng, 5)}`, true),
        F('payment_terms', 'Payment terms', 'dropdown', one(['Net 15', 'Net 30', 'Net 45', 'Net 60'], [1, 6, 2, 1]), true),
      ],
    },
    { key: 'notify_vendor', name: 'Notify vendor of approval', type: 'email', milestone: 2, who: owner, dur: [2, 1.0], sla: 48 },
    { key: 'notify_rejection', name: 'Notify vendor of rejection', type: 'email', milestone: 2, who: owner, dur: [4, 1.0], sla: 96, onReject: 'only' },
  ],
  v2: {
    at: 0.45,
    replace: {
      legal_review: { key: 'legal_review_standard', name: 'Legal review (standard terms)', milestone: 1, who: group('legal'), dur: [40, 0.8], sla: 96, bottleneck: true,
        fields: [F('contract_paper', 'Contract paper', 'radio', one(['Our paper', 'Vendor paper'], [8, 2]))] },
    },
  },
  title: (a) => `Vendor onboarding - ${str(a.vendor_name)}`,
  tags: (a) => ['procurement', lowerSlug(str(a.category))],
};

const PURCHASE_ITEMS = ['Laptops for new hires', 'Conference booth', 'Design software licenses', 'Office chairs', 'Cloud credits', 'Training course', 'Server hardware', 'Marketing agency retainer', 'Team offsite venue', 'Monitors'];
const purchaseApproval: BlueprintSpec = {
  key: 'purchase-approval',
  name: 'Purchase Approval',
  type: 'procedure',
  weight: 14,
  launchers: ['Operations', 'Engineering', 'Marketing', 'Sales', 'Customer Success', 'IT', 'People', 'Finance'],
  dueDays: 21,
  season: (d) => (d.month % 3 === 0 && d.day > d.daysInMonth - 10 ? 1.5 : 1),
  kickoff: [
    F('item', 'What are you buying?', 'text', one(PURCHASE_ITEMS), true),
    F('supplier', 'Supplier', 'text', (c) => c.company().name, true),
    F('amount', 'Total amount (USD)', 'number', money(2400, 1.2), true),
    F('cost_center', 'Cost center', 'dropdown', one(['CC-100 Operations', 'CC-200 Sales', 'CC-300 Marketing', 'CC-400 Engineering', 'CC-500 G&A']), true),
    F('needed_by', 'Needed by', 'date', dateIn(5, 45)),
    F('line_items', 'Line items', 'table', (c) => {
      const n = c.rng.between(1, 4);
      const rows: string[] = [];
      for (let i = 0; i < n; i++) rows.push(`${c.rng.pick(PURCHASE_ITEMS)} | ${c.rng.between(1, 12)} | ${(c.rng.lognormal(400, 1) + 1).toFixed(2)}`);
      return rows;
    }),
    F('quote', 'Supplier quote', 'file', fileOf('quote-#.pdf', 'Quote_#.pdf')),
    F('justification', 'Business justification', 'textarea', one(['Replacing end-of-life equipment.', 'Needed for the Q-plan launch.', 'New hires starting next month.', 'Renewal of an existing contract at a better rate.', 'Required for a customer commitment.'])),
  ],
  steps: [
    { key: 'manager_approval', name: 'Manager approval', type: 'approval', who: senior('$owner'), dur: [28, 1.1], sla: 36, approve: 0.88, bottleneck: true,
      fields: [F('approval_note', 'Approval note', 'textarea', one(['Approved, within budget.', 'OK, please get a second quote next time.', 'Approved.', 'Not this quarter.']))] },
    {
      key: 'budget_check', name: 'Budget check', who: group('finance'), dur: [12, 0.9], sla: 36,
      fields: [
        F('budget_available', 'Budget available?', 'radio', one(['Yes', 'Partially', 'No'], [8, 2, 1]), true),
        F('gl_code', 'GL code', 'dropdown', one(GL_CODES), true),
      ],
    },
    { key: 'cfo_approval', name: 'CFO approval', type: 'approval', who: senior('Executive'), dur: [40, 1.0], sla: 72, approve: 0.8, bottleneck: true,
      when: (a) => num(a.amount) > 10_000 },
    {
      key: 'issue_po', name: 'Issue purchase order', who: team('Procurement'), dur: [16, 0.8], sla: 72,
      fields: [
        F('po_number', 'PO number', 'text', (c) => `PO-${digits(c.rng, 6)}`, true),
        F('expected_delivery', 'Expected delivery', 'date', dateIn(3, 30)),
      ],
    },
    { key: 'notify_requester', name: 'Notify requester', type: 'email', who: team('Procurement'), dur: [1, 1.0], sla: 48 },
    {
      key: 'confirm_receipt', name: 'Confirm receipt of goods', who: owner, dur: [100, 1.0], sla: 480,
      fields: [
        F('received_date', 'Received on', 'date', dateIn(-3, 0), true),
        F('condition', 'Condition on arrival', 'radio', one(['Complete', 'Partial', 'Damaged'], [12, 2, 1]), true),
      ],
    },
    { key: 'rejection_notice', name: 'Notify requester of rejection', type: 'email', who: team('Procurement'), dur: [3, 1.0], sla: 48, onReject: 'only' },
  ],
  title: (a) => `Purchase: ${str(a.item)} (${str(a.supplier)})`,
  tags: (a) => (num(a.amount) > 10_000 ? ['purchasing', 'high-value'] : ['purchasing']),
};

const customerOnboarding: BlueprintSpec = {
  key: 'customer-onboarding',
  name: 'Customer Onboarding',
  type: 'procedure',
  weight: 7,
  launchers: ['Customer Success', 'Sales'],
  milestones: ['Kickoff', 'Setup', 'Go-live'],
  dueDays: 45,
  kickoff: [
    F('customer_name', 'Customer name', 'text', (c) => c.company().name, true),
    F('plan', 'Plan', 'dropdown', one(['Starter', 'Growth', 'Enterprise'], [5, 4, 2]), true),
    F('contract_value', 'Annual contract value', 'number', (c) => {
      const base = str(c.answers.plan) === 'Enterprise' ? 90_000 : str(c.answers.plan) === 'Growth' ? 24_000 : 6_000;
      return String(Math.round(c.rng.lognormal(base, 0.4) / 100) * 100);
    }, true),
    F('primary_contact', 'Primary contact e-mail', 'email', (c) => c.company().contact.email, true),
    F('go_live_date', 'Target go-live date', 'date', dateIn(21, 75)),
    F('integrations', 'Integrations required', 'multiselect', some(['Salesforce', 'HubSpot', 'Slack', 'Zapier', 'SSO (SAML)', 'REST API'], 0, 3)),
  ],
  steps: [
    { key: 'welcome_email', name: 'Send welcome e-mail', type: 'expiring_email', milestone: 0, who: owner, dur: [8, 1.0], sla: 24 },
    {
      key: 'kickoff_call', name: 'Kickoff call', milestone: 0, who: owner, dur: [70, 0.8], sla: 120,
      fields: [
        F('call_at', 'Call date and time', 'datetime', dateTimeIn(-4, -1), true),
        F('attendees', 'Attendees', 'textarea', (c) => `${c.company().contact.full}, ${c.ownerName}`),
        F('goals', 'Customer goals', 'textarea', one(['Cut onboarding time in half.', 'Replace spreadsheets for approvals.', 'Audit trail for compliance.', 'Standardize client delivery across offices.'])),
      ],
    },
    {
      key: 'questionnaire', name: 'Customer completes onboarding questionnaire', milestone: 0, who: guest('company', true), dur: [96, 1.1], sla: 120,
      fields: [
        F('company_size', 'Company size', 'dropdown', one(['1-10', '11-50', '51-200', '201-1000', '1000+'], [1, 3, 4, 3, 1]), true),
        F('use_case', 'Primary use case', 'textarea', one(['Employee onboarding', 'Client onboarding', 'Approvals', 'Compliance checklists', 'Procurement']), true),
        F('preferred_time', 'Preferred training time', 'time', one(['09:00', '10:30', '13:00', '15:00', '16:30'])),
      ],
    },
    { key: 'provision', name: 'Provision workspace', milestone: 1, who: group('implementation'), dur: [24, 0.8], sla: 96,
      fields: [F('workspace_url', 'Workspace URL', 'url', (c) => `https://app.runlake.example/${c.company().domain.split('.')[0]}`, true)] },
    { key: 'integrations', name: 'Configure integrations', milestone: 1, who: team('Engineering'), dur: [80, 1.0], sla: 240, parallel: true,
      when: (a) => Array.isArray(a.integrations) && a.integrations.length > 0,
      fields: [F('integrations_done', 'Integrations live', 'checkbox', copy('integrations', some(['Salesforce', 'Slack'], 1, 2)))] },
    { key: 'data_migration', name: 'Data migration', milestone: 1, who: group('implementation'), dur: [140, 1.0], sla: 144, bottleneck: true,
      fields: [F('records_imported', 'Records imported', 'number', money(12_000, 1.2, 1), true)] },
    {
      key: 'training', name: 'Training session', milestone: 2, who: owner, dur: [60, 0.9], sla: 144,
      fields: [
        F('training_date', 'Training date', 'date', dateIn(-2, 0), true),
        F('attendee_count', 'Attendees', 'number', int(2, 40)),
      ],
    },
    { key: 'customer_signoff', name: 'Customer sign-off', type: 'approval', milestone: 2, who: guest('company'), dur: [70, 1.1], sla: 192, approve: 0.93,
      fields: [F('satisfaction', 'How satisfied are you with onboarding?', 'radio', one(['Very satisfied', 'Satisfied', 'Neutral', 'Dissatisfied'], [5, 6, 2, 1]))] },
    { key: 'handover', name: 'Hand over to account manager', milestone: 2, who: team('Sales'), dur: [24, 0.8], sla: 144 },
    { key: 'escalation_call', name: 'Escalation call with customer', milestone: 2, who: senior('Customer Success'), dur: [30, 0.8], sla: 96, onReject: 'only' },
  ],
  title: (a) => `${str(a.customer_name)} onboarding`,
  tags: (a) => ['customer', lowerSlug(str(a.plan))],
};

const invoiceApproval: BlueprintSpec = {
  key: 'invoice-approval',
  name: 'Invoice Approval',
  type: 'procedure',
  weight: 12,
  launchers: ['Finance'],
  dueDays: 21,
  season: (d) => (d.day <= 7 ? 1.6 : 0.85),
  kickoff: [
    F('vendor', 'Vendor', 'text', (c) => c.company().name, true),
    F('invoice_number', 'Invoice number', 'text', (c) => `INV-${digits(c.rng, 5)}`, true),
    F('invoice_amount', 'Invoice amount', 'number', money(3200, 1.1), true),
    F('currency', 'Currency', 'dropdown', one(CURRENCIES, CURRENCY_W), true),
    F('invoice_date', 'Invoice date', 'date', dateIn(-20, -1), true),
    F('payment_due', 'Payment due', 'date', dateIn(10, 45), true),
    F('invoice_pdf', 'Invoice', 'file', fileOf('INV-#.pdf', 'invoice_#.pdf'), true),
  ],
  steps: [
    { key: 'match_po', name: 'Match invoice to PO', who: group('ap'), dur: [10, 0.9], sla: 48,
      fields: [
        F('po_number', 'PO number', 'text', (c) => `PO-${digits(c.rng, 6)}`),
        F('match_result', 'Match result', 'radio', one(['Matched', 'Price variance', 'Quantity variance', 'No PO'], [14, 2, 1, 1]), true),
      ] },
    { key: 'budget_owner_approval', name: 'Budget owner approval', type: 'approval', who: senior('$any'), dur: [36, 1.1], sla: 72, approve: 0.93, bottleneck: true },
    { key: 'controller_approval', name: 'Controller approval', type: 'approval', who: senior('Finance'), dur: [18, 0.9], sla: 96, approve: 0.95,
      when: (a) => num(a.invoice_amount) > 5000 },
    {
      key: 'schedule_payment', name: 'Schedule payment', who: group('ap'), dur: [24, 0.9], sla: 144,
      fields: [
        F('payment_date', 'Payment date', 'date', dateIn(1, 20), true),
        F('payment_method', 'Payment method', 'radio', one(['ACH', 'Wire', 'Card', 'Check'], [8, 3, 2, 1]), true),
      ],
    },
    { key: 'remittance', name: 'Send remittance advice', type: 'expiring_email', who: team('Finance'), dur: [6, 1.0], sla: 24 },
    { key: 'dispute', name: 'Notify vendor of dispute', type: 'email', who: owner, dur: [6, 1.0], sla: 48, onReject: 'only' },
  ],
  v2: {
    at: 0.7,
    replace: {
      match_po: { key: 'three_way_match', name: 'Three-way match (PO, receipt, invoice)', who: group('ap'), dur: [7, 0.8], sla: 48,
        fields: [
          F('po_number', 'PO number', 'text', (c) => `PO-${digits(c.rng, 6)}`, true),
          F('match_result', 'Match result', 'radio', one(['Matched', 'Price variance', 'Quantity variance', 'No PO'], [16, 2, 1, 1]), true),
        ] },
    },
  },
  title: (a) => `Invoice ${str(a.invoice_number)} - ${str(a.vendor)}`,
  tags: () => ['finance', 'accounts-payable'],
};

const contentPublishing: BlueprintSpec = {
  key: 'content-publishing',
  name: 'Content Publishing',
  type: 'procedure',
  weight: 8,
  launchers: ['Marketing'],
  milestones: ['Draft', 'Review', 'Publish'],
  dueDays: 28,
  kickoff: [
    F('title', 'Working title', 'text', (c) => c.rng.pick([
      `How ${c.company().name} cut approval time in half`,
      `${c.rng.between(5, 12)} checklists every operations team needs`,
      'The hidden cost of manual handoffs',
      `What we learned from ${c.rng.between(100, 900)} customer onboardings`,
      'Workflow analytics: a practical guide',
      'Why your SLAs keep slipping',
    ]), true),
    F('content_type', 'Content type', 'dropdown', one(['Blog post', 'Case study', 'Whitepaper', 'Newsletter', 'Press release'], [8, 3, 1, 4, 1]), true),
    F('target_date', 'Target publish date', 'date', dateIn(7, 30)),
    F('channels', 'Channels', 'multiselect', some(['Website', 'LinkedIn', 'X', 'Newsletter', 'YouTube'], 1, 4), true),
    F('brief', 'Brief', 'textarea', one(['Thought leadership for ops leaders.', 'Support the spring campaign.', 'SEO play for "workflow automation".', 'Customer story for sales enablement.'])),
  ],
  steps: [
    { key: 'write_draft', name: 'Write first draft', milestone: 0, who: team('Marketing'), dur: [70, 0.8], sla: 192,
      fields: [
        F('draft_link', 'Draft link', 'url', (c) => `https://docs.${c.orgDomain}/d/${digits(c.rng, 8)}`, true),
        F('word_count', 'Word count', 'number', money(1400, 0.5, 10), true),
      ] },
    { key: 'editorial_review', name: 'Editorial review', type: 'approval', milestone: 1, who: senior('Marketing'), dur: [30, 0.9], sla: 96, approve: 0.85 },
    { key: 'seo_review', name: 'SEO review', milestone: 1, who: team('Marketing'), dur: [12, 0.8], sla: 48,
      fields: [
        F('meta_description', 'Meta description', 'textarea', one(['A practical guide to running repeatable processes.', 'Learn how teams track every step and deadline.', 'Five lessons from real process data.'])),
        F('focus_keyword', 'Focus keyword', 'text', one(['workflow automation', 'process management', 'employee onboarding checklist', 'approval workflow', 'SLA tracking'])),
      ] },
    { key: 'legal_review', name: 'Legal review', milestone: 1, who: group('legal'), dur: [90, 1.0], sla: 96, bottleneck: true,
      when: (a) => ['Case study', 'Press release', 'Whitepaper'].includes(str(a.content_type)) },
    { key: 'design_assets', name: 'Design assets', milestone: 1, who: group('design'), dur: [48, 0.9], sla: 144, parallel: true,
      fields: [F('hero_image', 'Hero image', 'file', fileOf('hero-#.png', 'cover_#.jpg'))] },
    { key: 'schedule', name: 'Schedule publication', milestone: 2, who: owner, dur: [12, 0.8], sla: 48,
      fields: [
        F('publish_at', 'Publish at', 'datetime', dateTimeIn(12, 96), true),
        F('published_url', 'Published URL', 'url', (c) => `https://www.${c.orgDomain}/blog/${digits(c.rng, 5)}`),
      ] },
    { key: 'promote', name: 'Promote on social channels', milestone: 2, who: team('Marketing'), dur: [20, 0.8], sla: 96, parallel: true },
    { key: 'performance_check', name: 'Two-week performance check', type: 'expiring', milestone: 2, who: owner, dur: [300, 0.5], sla: 336,
      fields: [F('page_views', 'Page views after two weeks', 'number', money(1800, 1.0, 1))] },
    { key: 'archive_draft', name: 'Archive draft and notify requester', milestone: 2, who: owner, dur: [10, 0.8], sla: 96, onReject: 'only' },
  ],
  title: (a) => `${str(a.content_type)}: ${str(a.title)}`,
  tags: (a) => ['marketing', lowerSlug(str(a.content_type))],
};

const itAccess: BlueprintSpec = {
  key: 'it-access-request',
  name: 'IT Access Request',
  type: 'procedure',
  weight: 12,
  launchers: 'all',
  dueDays: 5,
  kickoff: [
    F('system', 'System', 'dropdown', one(SYSTEMS, [4, 2, 4, 2, 5, 3, 2, 2]), true),
    F('access_level', 'Access level', 'radio', one(['Read-only', 'Editor', 'Admin'], [5, 4, 1]), true),
    F('justification', 'Business justification', 'textarea', one(['Needed for my new role.', 'Covering for a colleague on leave.', 'Project work starting this sprint.', 'Audit needs read access to the ledger.']), true),
    F('needed_by', 'Needed by', 'date', dateIn(1, 10)),
    F('temporary', 'Temporary access', 'checkbox', some(['Temporary access (30 days)'], 0, 1)),
  ],
  steps: [
    { key: 'manager_approval', name: 'Manager approval', type: 'approval', who: senior('$owner'), dur: [12, 1.1], sla: 36, approve: 0.94, bottleneck: true },
    { key: 'security_approval', name: 'Security approval', type: 'approval', who: group('security'), dur: [20, 0.9], sla: 48, approve: 0.8,
      when: (a) => str(a.access_level) === 'Admin' },
    { key: 'provision_access', name: 'Provision access', who: group('it_helpdesk'), dur: [5, 1.0], sla: 16,
      fields: [
        F('username', 'Account username', 'text', (c) => c.ownerName.toLowerCase().replace(/[^a-z]+/g, '.'), true),
        F('granted_at', 'Access granted at', 'datetime', dateTimeIn(-1, 0)),
      ] },
    { key: 'confirm_access', name: 'Confirm access works', who: owner, dur: [8, 1.0], sla: 96 },
    { key: 'access_review', name: 'Review temporary access', type: 'expiring', who: group('it_helpdesk'), dur: [700, 0.3], sla: 720,
      when: (a) => Array.isArray(a.temporary) && a.temporary.length > 0 },
    { key: 'decision_notice', name: 'Notify requester of decision', type: 'email', who: team('IT'), dur: [2, 1.0], sla: 48, onReject: 'only' },
  ],
  title: (a, c) => `${str(a.system)} ${str(a.access_level).toLowerCase()} access - ${c.ownerName}`,
  tags: () => ['it', 'access'],
};

const contractReview: BlueprintSpec = {
  key: 'contract-review',
  name: 'Contract Review',
  type: 'procedure',
  weight: 6,
  launchers: ['Legal', 'Sales', 'Procurement'],
  milestones: ['Intake', 'Negotiation', 'Signature'],
  dueDays: 30,
  kickoff: [
    F('counterparty', 'Counterparty', 'text', (c) => c.company().name, true),
    F('contract_type', 'Contract type', 'dropdown', one(['NDA', 'MSA', 'SOW', 'DPA', 'Reseller agreement', 'Lease'], [5, 3, 3, 2, 1, 1]), true),
    F('contract_value', 'Contract value', 'number', money(60_000, 1.2, 100)),
    F('counterparty_email', 'Counterparty contact e-mail', 'email', (c) => c.company().contact.email, true),
    F('draft', 'Draft contract', 'file', fileOf('draft-v1.docx', 'contract-#.docx', 'agreement_#.pdf'), true),
    F('requested_by', 'Needed by', 'date', dateIn(5, 30)),
  ],
  steps: [
    { key: 'triage', name: 'Triage request', milestone: 0, who: group('legal'), dur: [8, 0.9], sla: 48,
      fields: [
        F('priority', 'Priority', 'radio', one(['High', 'Normal', 'Low'], [2, 6, 2]), true),
        F('assigned_counsel', 'Assigned counsel', 'assignees', (c) => c.memberNames('Legal', 1)),
      ] },
    { key: 'legal_review', name: 'Legal review', milestone: 0, who: senior('Legal'), dur: [110, 0.9], sla: 120, bottleneck: true,
      fields: [
        F('risk_level', 'Risk level', 'dropdown', one(['Low', 'Medium', 'High'], [5, 4, 1]), true),
        F('key_issues', 'Key issues', 'textarea', one(['Unlimited liability clause.', 'Auto-renewal terms.', 'Data processing terms missing.', 'Standard terms, no issues.', 'Payment terms longer than policy.'])),
      ] },
    { key: 'commercial_review', name: 'Commercial review', milestone: 0, who: team('Finance'), dur: [36, 0.9], sla: 144, parallel: true,
      when: (a) => num(a.contract_value) > 50_000 },
    { key: 'redlines', name: 'Negotiate redlines with counterparty', milestone: 1, who: guest('company', true), dur: [150, 1.1], sla: 480,
      fields: [F('redline_rounds', 'Redline rounds', 'number', int(1, 5))] },
    { key: 'final_approval', name: 'Final legal approval', type: 'approval', milestone: 1, who: senior('Legal'), dur: [24, 0.9], sla: 96, approve: 0.92 },
    { key: 'executive_signature', name: 'Executive signature', milestone: 2, who: senior('Executive'), dur: [40, 1.0], sla: 144,
      fields: [F('signed_on', 'Signed on', 'date', dateIn(-1, 0), true)] },
    { key: 'countersignature', name: 'Counterparty countersignature', milestone: 2, who: guest('company'), dur: [60, 1.1], sla: 240 },
    { key: 'file_contract', name: 'File executed contract', milestone: 2, who: team('Legal'), dur: [12, 0.9], sla: 96,
      fields: [
        F('repository_link', 'Repository link', 'url', (c) => `https://contracts.${c.orgDomain}/c/${digits(c.rng, 6)}`, true),
        F('renewal_date', 'Renewal date', 'date', dateIn(330, 730)),
      ] },
    { key: 'send_copy', name: 'Send executed copy to stakeholders', type: 'expiring_email', milestone: 2, who: team('Legal'), dur: [30, 1.0], sla: 48 },
    { key: 'return_to_requester', name: 'Return to requester with comments', milestone: 1, who: team('Legal'), dur: [12, 0.9], sla: 96, onReject: 'only' },
  ],
  title: (a) => `${str(a.contract_type)} - ${str(a.counterparty)}`,
  tags: (a) => ['legal', lowerSlug(str(a.contract_type))],
};

const incidentPostmortem: BlueprintSpec = {
  key: 'incident-postmortem',
  name: 'Incident Postmortem',
  type: 'procedure',
  weight: 4,
  launchers: ['Engineering'],
  introducedAt: 0.25,
  dueDays: 14,
  kickoff: [
    F('incident_title', 'Incident title', 'text', (c) => c.rng.pick([
      `${c.rng.pick(SERVICES)} latency spike`, `${c.rng.pick(SERVICES)} outage`, `Elevated error rates on ${c.rng.pick(SERVICES)}`,
      `Failed deploy of ${c.rng.pick(SERVICES)}`, `Degraded ${c.rng.pick(SERVICES)} in ${c.rng.pick(['us-east', 'eu-west', 'ap-southeast'])}`,
    ]), true),
    F('severity', 'Severity', 'radio', one(['SEV1', 'SEV2', 'SEV3', 'SEV4'], [1, 3, 5, 4]), true),
    F('incident_start', 'Incident started at', 'datetime', dateTimeIn(-72, -2), true),
    F('services', 'Services affected', 'multiselect', some(SERVICES, 1, 3), true),
    F('commander', 'Incident commander', 'assignees', (c) => c.memberNames('Engineering', 1)),
  ],
  steps: [
    { key: 'timeline', name: 'Draft incident timeline', who: owner, dur: [24, 0.8], sla: 96,
      fields: [
        F('timeline', 'Timeline', 'textarea', one(['Alert fired, on-call paged, rollback at +25 min.', 'Customer reports, escalated, mitigated by failover.', 'Deploy, errors rise, feature flag off, recovered.']), true),
        F('customer_impact', 'Customer impact', 'textarea', one(['Some users saw errors.', 'Checkout unavailable for part of the incident.', 'No data loss; delayed notifications.'])),
        F('duration_minutes', 'Duration (minutes)', 'number', money(45, 0.9, 1), true),
      ] },
    { key: 'root_cause', name: 'Root cause analysis', who: senior('Engineering'), dur: [60, 0.9], sla: 144,
      fields: [
        F('root_cause', 'Root cause category', 'dropdown', one(['Deploy', 'Config change', 'Capacity', 'Third-party outage', 'Hardware failure', 'Human error'], [5, 4, 2, 2, 1, 2]), true),
        F('contributing', 'Contributing factors', 'textarea', one(['Missing alert on queue depth.', 'Runbook out of date.', 'No canary for this service.', 'Retry storm amplified the failure.'])),
      ] },
    { key: 'meeting', name: 'Postmortem meeting', who: team('Engineering', { count: 3 }), everyone: true, dur: [48, 0.7], sla: 144,
      fields: [F('meeting_date', 'Meeting date', 'date', dateIn(-1, 0))] },
    { key: 'action_items', name: 'Create action items', who: team('Engineering'), dur: [24, 0.8], sla: 96,
      fields: [
        F('action_items', 'Action items', 'textarea', one(['Add alert; update runbook; add canary.', 'Rate-limit retries; load test.', 'Automate failover; review on-call rota.']), true),
        F('jira_epic', 'Tracking epic', 'url', (c) => `https://jira.${c.orgDomain}/browse/REL-${c.rng.between(100, 999)}`),
      ] },
    { key: 'review', name: 'Review and approve postmortem', type: 'approval', who: senior('Engineering'), dur: [40, 1.0], sla: 96, approve: 0.85 },
    { key: 'customer_summary', name: 'Publish customer summary', type: 'email', who: owner, dur: [4, 1.0], sla: 48,
      when: (a) => ['SEV1', 'SEV2'].includes(str(a.severity)) },
    { key: 'verify_actions', name: 'Verify action items closed', type: 'expiring', who: team('Engineering'), dur: [400, 0.5], sla: 504 },
    { key: 'revise', name: 'Revise postmortem', who: owner, dur: [30, 0.8], sla: 96, onReject: 'only' },
  ],
  title: (a) => `Postmortem: ${str(a.incident_title)}`,
  tags: (a) => ['engineering', 'incident', str(a.severity).toLowerCase()],
};

const expenseClaim: BlueprintSpec = {
  key: 'expense-claim',
  name: 'Expense Claim',
  type: 'procedure',
  weight: 14,
  launchers: 'all',
  dueDays: 14,
  season: (d) => (d.day > d.daysInMonth - 4 ? 1.8 : 1),
  kickoff: [
    F('expense_type', 'Expense type', 'dropdown', one(['Travel', 'Meals', 'Software', 'Training', 'Equipment', 'Client entertainment'], [6, 4, 2, 1, 2, 2]), true),
    F('amount', 'Total amount', 'number', money(180, 1.0), true),
    F('currency', 'Currency', 'dropdown', one(CURRENCIES, CURRENCY_W), true),
    F('expense_date', 'Expense date', 'date', dateIn(-30, -1), true),
    F('receipts', 'Receipts', 'file', fileOf('receipt-#.jpg', 'receipts_#.pdf'), true),
    F('description', 'Description', 'textarea', one(['Client visit.', 'Team dinner after launch.', 'Conference travel.', 'Annual subscription.', 'Replacement charger.']), true),
    F('billable', 'Billable to a client?', 'radio', one(['Yes', 'No'], [2, 8])),
  ],
  steps: [
    { key: 'manager_approval', name: 'Manager approval', type: 'approval', who: senior('$owner'), dur: [32, 1.2], sla: 36, approve: 0.9, bottleneck: true },
    { key: 'finance_review', name: 'Finance review', who: group('finance'), dur: [20, 0.9], sla: 96,
      fields: [
        F('gl_code', 'GL code', 'dropdown', one(GL_CODES), true),
        F('policy', 'Policy check', 'radio', one(['Within policy', 'Exception approved'], [9, 1])),
      ] },
    { key: 'reimburse', name: 'Reimburse employee', who: group('ap'), dur: [60, 0.7], sla: 240,
      fields: [
        F('reimbursed_amount', 'Reimbursed amount', 'number', copy('amount', money(180, 1.0)), true),
        F('payment_reference', 'Payment reference', 'text', (c) => `PAY-${digits(c.rng, 7)}`),
      ] },
    { key: 'notify_employee', name: 'Notify employee', type: 'expiring_email', who: team('Finance'), dur: [4, 1.0], sla: 8 },
    { key: 'rejection_notice', name: 'Notify employee of rejection', type: 'email', who: team('Finance'), dur: [4, 1.0], sla: 48, onReject: 'only' },
  ],
  title: (a, c) => `Expense claim - ${c.ownerName} - ${str(a.expense_type)}`,
  tags: (a) => (str(a.billable) === 'Yes' ? ['finance', 'expenses', 'billable'] : ['finance', 'expenses']),
};

const quarterlyClose: BlueprintSpec = {
  key: 'quarterly-close',
  name: 'Quarterly Close',
  type: 'procedure',
  weight: 1,
  launchers: ['Finance'],
  milestones: ['Pre-close', 'Close', 'Reporting'],
  dueDays: 15,
  // Launched in the first days after a quarter ends.
  season: (d) => ((d.month - 1) % 3 === 0 && d.day <= 6 ? 30 : 0.02),
  kickoff: [
    F('entity', 'Legal entity', 'dropdown', one(['US Inc.', 'UK Ltd.', 'GmbH', 'Pty Ltd.', 'B.V.']), true),
    F('period_end', 'Period end', 'date', (c) => {
      const d = new Date(c.at);
      return isoDate(Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 0));
    }, true),
    F('close_calendar', 'Close calendar', 'url', (c) => `https://docs.${c.orgDomain}/finance/close-calendar`),
  ],
  steps: [
    { key: 'bank_rec', name: 'Reconcile bank accounts', milestone: 0, who: group('finance'), dur: [30, 0.7], sla: 96 },
    { key: 'ap_cutoff', name: 'Accounts payable cut-off', milestone: 0, who: group('ap'), dur: [24, 0.7], sla: 96, parallel: true },
    { key: 'ar_review', name: 'Accounts receivable review', milestone: 0, who: team('Finance'), dur: [30, 0.7], sla: 96, parallel: true },
    { key: 'accruals', name: 'Book accruals', milestone: 1, who: team('Finance'), dur: [24, 0.7], sla: 96,
      fields: [F('accrual_total', 'Accrual total', 'number', money(85_000, 0.6, 1), true)] },
    { key: 'revenue', name: 'Revenue recognition review', milestone: 1, who: senior('Finance'), dur: [48, 0.8], sla: 96 },
    { key: 'payroll_rec', name: 'Payroll reconciliation', milestone: 1, who: group('people_ops'), dur: [24, 0.7], sla: 96, parallel: true },
    { key: 'fixed_assets', name: 'Fixed asset depreciation', milestone: 1, who: team('Finance'), dur: [12, 0.7], sla: 48, parallel: true },
    { key: 'intercompany', name: 'Intercompany eliminations', milestone: 1, who: team('Finance'), dur: [30, 0.8], sla: 96 },
    { key: 'trial_balance', name: 'Prepare trial balance', milestone: 1, who: team('Finance'), dur: [16, 0.7], sla: 48,
      fields: [
        F('tb_variance', 'Unexplained variance', 'number', money(800, 1.2)),
        F('tb_file', 'Trial balance', 'file', fileOf('TB-#.xlsx'), true),
      ] },
    { key: 'controller_review', name: 'Controller review', type: 'approval', milestone: 2, who: senior('Finance'), dur: [30, 0.9], sla: 96, approve: 0.9 },
    { key: 'statements', name: 'Draft financial statements', milestone: 2, who: team('Finance'), dur: [40, 0.8], sla: 144,
      fields: [F('statements_link', 'Statements', 'url', (c) => `https://docs.${c.orgDomain}/finance/fs-${digits(c.rng, 4)}`)] },
    { key: 'cfo_signoff', name: 'CFO sign-off', type: 'approval', milestone: 2, who: senior('Executive'), dur: [60, 1.0], sla: 72, approve: 0.95, bottleneck: true },
    { key: 'board_pack', name: 'Distribute board pack', type: 'email', milestone: 2, who: owner, dur: [6, 1.0], sla: 48 },
    { key: 'reopen_close', name: 'Reopen close and post corrections', milestone: 2, who: team('Finance'), dur: [40, 0.8], sla: 144, onReject: 'only' },
  ],
  v2: {
    at: 0.5,
    addAfter: {
      fixed_assets: { key: 'lease_accounting', name: 'Lease accounting review', milestone: 1, who: team('Finance'), dur: [20, 0.7], sla: 96, parallel: true },
    },
  },
  title: (a, c) => {
    const d = new Date(c.at);
    const q = Math.floor(d.getUTCMonth() / 3); // the quarter that just ended
    const year = q === 0 ? d.getUTCFullYear() - 1 : d.getUTCFullYear();
    return `Q${q === 0 ? 4 : q} ${year} close - ${str(a.entity)}`;
  },
  tags: () => ['finance', 'close'],
};

const hiringPipeline: BlueprintSpec = {
  key: 'hiring-pipeline',
  name: 'Hiring Pipeline',
  type: 'procedure',
  weight: 4,
  launchers: ['People', 'Engineering', 'Sales'],
  milestones: ['Approval', 'Sourcing', 'Interviews', 'Offer'],
  dueDays: 60,
  season: (d) => (d.month <= 3 ? 1.4 : d.month === 12 ? 0.5 : 1),
  kickoff: [
    F('role_title', 'Role title', 'text', one(ROLE_TITLES), true),
    F('department', 'Department', 'dropdown', one(DEPARTMENTS, DEPT_W), true),
    F('hiring_manager', 'Hiring manager', 'assignees', (c) => c.memberNames(null, 1), true),
    F('employment_type', 'Employment type', 'radio', one(['Full-time', 'Part-time', 'Contract'], [8, 1, 1]), true),
    F('salary_max', 'Salary band maximum', 'number', money(95_000, 0.35, 1000), true),
    F('remote', 'Remote eligible?', 'radio', one(['Yes', 'No'], [6, 4])),
  ],
  steps: [
    { key: 'headcount_approval', name: 'Approve headcount', type: 'approval', milestone: 0, who: senior('Executive'), dur: [50, 1.1], sla: 96, approve: 0.85, bottleneck: true },
    { key: 'post_job', name: 'Post job opening', milestone: 1, who: group('recruiting'), dur: [20, 0.8], sla: 96,
      fields: [
        F('job_post_url', 'Job post', 'url', (c) => `https://careers.${c.orgDomain}/jobs/${digits(c.rng, 5)}`, true),
        F('boards', 'Job boards', 'multiselect', some(['LinkedIn', 'Indeed', 'Glassdoor', 'Company site', 'Referral program'], 1, 4)),
      ] },
    { key: 'screen', name: 'Screen candidates', milestone: 1, who: group('recruiting'), dur: [200, 0.8], sla: 336, bottleneck: true,
      fields: [
        F('screened', 'Candidates screened', 'number', int(5, 80), true),
        F('shortlisted', 'Shortlisted', 'number', int(2, 8)),
      ] },
    { key: 'assessment', name: 'Candidate completes assessment', milestone: 2, who: guest('person'), dur: [70, 1.0], sla: 192,
      fields: [F('assessment_link', 'Assessment submission', 'url', (c) => `https://assess.example/s/${digits(c.rng, 8)}`)] },
    { key: 'manager_interview', name: 'Hiring manager interview', milestone: 2, who: senior('$dept'), dur: [96, 0.9], sla: 240,
      fields: [F('manager_score', 'Recommendation', 'dropdown', one(['Strong yes', 'Yes', 'No', 'Strong no'], [3, 5, 2, 1]), true)] },
    { key: 'panel', name: 'Panel interview', milestone: 2, who: team('$dept', { count: 3 }), everyone: true, dur: [120, 0.8], sla: 240,
      fields: [F('panel_feedback', 'Panel feedback', 'textarea', one(['Strong technical skills, good communicator.', 'Mixed signals on ownership.', 'Great culture add.', 'Needs more depth in the core area.']))] },
    { key: 'references', name: 'Reference checks', milestone: 3, who: group('recruiting'), dur: [72, 0.9], sla: 192 },
    { key: 'offer_approval', name: 'Offer approval', type: 'approval', milestone: 3, who: senior('Executive'), dur: [30, 1.0], sla: 96, approve: 0.9 },
    { key: 'send_offer', name: 'Send offer letter', type: 'email', milestone: 3, who: group('recruiting'), dur: [6, 1.0], sla: 48,
      fields: [
        F('offer_salary', 'Offered salary', 'number', (c) => String(Math.round((num(c.answers.salary_max) || 90_000) * c.rng.range(0.85, 1) / 500) * 500), true),
        F('offer_expiry', 'Offer expires on', 'date', dateIn(5, 10)),
      ] },
    { key: 'accept_offer', name: 'Candidate accepts offer', type: 'expiring', milestone: 3, who: guest('person'), dur: [60, 1.0], sla: 120 },
    { key: 'close_requisition', name: 'Close requisition', milestone: 3, who: group('recruiting'), dur: [12, 0.9], sla: 96, onReject: 'only' },
  ],
  title: (a) => `Hiring: ${str(a.role_title)} (${str(a.department)})`,
  tags: (a) => ['hr', 'recruiting', lowerSlug(str(a.department))],
};

const websiteContact: BlueprintSpec = {
  key: 'website-contact-request',
  name: 'Website Contact Request',
  type: 'form',
  weight: 3,
  launchers: ['Sales'],
  public: true,
  dueDays: 3,
  kickoff: [
    F('contact_name', 'Your name', 'text', (c) => c.company().contact.full, true),
    F('contact_email', 'Your e-mail', 'email', (c) => c.company().contact.email, true),
    F('company', 'Company', 'text', (c) => c.company().name, true),
    F('topic', 'Topic', 'dropdown', one(['Sales inquiry', 'Support', 'Partnership', 'Press', 'Other'], [6, 3, 2, 1, 1]), true),
    F('message', 'Message', 'textarea', one(['Please send pricing for 50 users.', 'Can we book a demo next week?', 'Do you integrate with our ERP?', 'Interested in a reseller partnership.']), true),
    F('newsletter', 'Newsletter', 'checkbox', some(['Subscribe me to the newsletter'], 0, 1)),
  ],
  steps: [
    { key: 'triage', name: 'Triage request', who: group('sales_ops'), dur: [4, 1.0], sla: 16 },
    { key: 'reply', name: 'Reply to requester', type: 'email', who: owner, dur: [8, 1.0], sla: 48 },
    { key: 'log_crm', name: 'Log in CRM', who: owner, dur: [10, 1.0], sla: 96,
      fields: [F('crm_link', 'CRM record', 'url', (c) => `https://crm.${c.orgDomain}/lead/${digits(c.rng, 7)}`)] },
  ],
  title: (a) => `Contact request - ${str(a.contact_name)} (${str(a.company)})`,
  tags: (a) => ['inbound', lowerSlug(str(a.topic))],
};

const facilitiesRequest: BlueprintSpec = {
  key: 'facilities-request',
  name: 'Facilities Request',
  type: 'form',
  weight: 2,
  launchers: 'all',
  dueDays: 7,
  kickoff: [
    F('location', 'Location', 'dropdown', one(['HQ - 3rd floor', 'HQ - 4th floor', 'Warehouse', 'Branch office']), true),
    F('issue_type', 'Issue type', 'dropdown', one(['Heating / cooling', 'Lighting', 'Cleaning', 'Furniture', 'Access badge', 'Other']), true),
    F('urgency', 'Urgency', 'radio', one(['Low', 'Normal', 'High'], [3, 6, 1]), true),
    F('description', 'Describe the issue', 'textarea', one(['Too cold in the meeting room.', 'Flickering lights near the kitchen.', 'Broken chair at desk 14.', 'Badge does not open the side door.']), true),
    F('photo', 'Photo', 'file', fileOf('IMG_#.jpg')),
  ],
  steps: [
    { key: 'acknowledge', name: 'Acknowledge request', who: group('facilities'), dur: [3, 1.0], sla: 16 },
    { key: 'resolve', name: 'Resolve issue', who: group('facilities'), dur: [30, 1.0], sla: 96,
      fields: [
        F('resolution', 'What was done', 'textarea', one(['Adjusted thermostat.', 'Replaced bulbs.', 'Replaced chair.', 'Badge re-issued.']), true),
        F('cost', 'Cost', 'number', money(60, 1.2)),
      ] },
    { key: 'confirm', name: 'Confirm the issue is fixed', who: owner, dur: [20, 1.0], sla: 144 },
  ],
  title: (a) => `Facilities: ${str(a.issue_type)} - ${str(a.location)}`,
  tags: () => ['facilities'],
};

export const BLUEPRINTS: readonly BlueprintSpec[] = [
  employeeOnboarding, vendorOnboarding, purchaseApproval, customerOnboarding, invoiceApproval, contentPublishing,
  itAccess, contractReview, incidentPostmortem, expenseClaim, quarterlyClose, hiringPipeline, websiteContact, facilitiesRequest,
];

/** Share of processes that are one-off (no blueprint). */
export const ONE_OFF_SHARE = 0.025;

/** One-off processes: a name (`{company}` is replaced) and its tasks, in order. */
export const ONE_OFFS: readonly { readonly name: string; readonly tasks: readonly string[] }[] = [
  { name: 'Office move planning', tasks: ['Collect seating preferences', 'Book movers', 'Update address with suppliers'] },
  { name: 'Renew software licenses', tasks: ['List licenses due for renewal', 'Get quotes', 'Submit renewal'] },
  { name: 'Prepare board meeting', tasks: ['Draft agenda', 'Collect department updates', 'Finalize slides', 'Send pack to the board'] },
  { name: 'Customer escalation: {company}', tasks: ['Call the customer', 'Write incident summary', 'Agree remediation plan'] },
  { name: 'Team offsite', tasks: ['Pick a venue', 'Book travel', 'Plan the agenda'] },
  { name: 'Fix billing discrepancy for {company}', tasks: ['Investigate invoices', 'Issue credit note'] },
  { name: 'Audit preparation', tasks: ['Gather policies', 'Export access logs', 'Walk auditors through controls'] },
  { name: 'Follow up with {company} about renewal', tasks: ['Send renewal proposal'] },
];
