/**
 * Word pools for the demo generator: people, companies, comment and issue texts.
 * Every e-mail and web address uses the reserved `.example` top-level domain (RFC 2606).
 */
import type { Rng } from './rng.ts';

export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Ava', 'Elijah', 'Sophia', 'Lucas',
  'Isabella', 'Mateo', 'Mia', 'Levi', 'Charlotte', 'Ethan', 'Harper', 'James', 'Evelyn', 'Benjamin',
  'Priya', 'Arjun', 'Ananya', 'Rohan', 'Aisha', 'Omar', 'Fatima', 'Yusuf', 'Mei', 'Wei',
  'Hana', 'Kenji', 'Sakura', 'Min-jun', 'Ji-woo', 'Lucía', 'Diego', 'Valentina', 'Santiago', 'Camila',
  'Chloé', 'Louis', 'Léa', 'Hugo', 'Sofía', 'Jonas', 'Lena', 'Finn', 'Freya', 'Oscar',
  'Grace', 'Samuel', 'Zoe', 'Daniel', 'Nora', 'David', 'Ruby', 'Joseph', 'Maya', 'Thomas',
  'Kwame', 'Amara', 'Chidi', 'Zanele', 'Tariq', 'Leila', 'Ivan', 'Katya', 'Mateus', 'Beatriz',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee',
  'Patel', 'Sharma', 'Gupta', 'Khan', 'Ali', 'Chen', 'Wang', 'Li', 'Zhang', 'Nguyen',
  'Tanaka', 'Suzuki', 'Kim', 'Park', 'Choi', 'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber',
  'Dubois', 'Laurent', 'Bernard', 'Rossi', 'Russo', 'Ferrari', 'Silva', 'Santos', 'Oliveira', 'Costa',
  "O'Brien", 'Murphy', 'Kelly', 'Walsh', 'Novak', 'Kowalski', 'Jansen', 'de Vries', 'Okafor', 'Mensah',
  'Adeyemi', 'Mokoena', 'Haddad', 'Nasser', 'Petrov', 'Ivanova', 'Andersen', 'Nielsen', 'Eriksson', 'Lindqvist',
] as const;

const COMPANY_HEADS = [
  'Northwind', 'Contoso', 'Fabrikam', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Tyrell', 'Cyberdyne',
  'Wonka', 'Aperture', 'Oscorp', 'Bluth', 'Dunder', 'Monarch', 'Stark', 'Wayne', 'Gringotts', 'Zenith',
  'Bluebird', 'Redwood', 'Silverline', 'Brightpath', 'Ironclad', 'Lakeside', 'Summit', 'Harbor', 'Keystone',
  'Evergreen', 'Sterling', 'Pinnacle', 'Quantum', 'Nimbus', 'Atlas', 'Orion', 'Cobalt', 'Meridian', 'Polaris',
] as const;
const COMPANY_TAILS = [
  'Traders', 'Labs', 'Logistics', 'Systems', 'Partners', 'Supplies', 'Holdings', 'Analytics', 'Foods',
  'Media', 'Health', 'Energy', 'Software', 'Consulting', 'Manufacturing', 'Retail', 'Capital', 'Networks',
] as const;

export interface Person {
  first: string;
  last: string;
  full: string;
  email: string;
}

export interface Company {
  name: string;
  domain: string;
  website: string;
  contact: Person;
}

/** Lowercase ASCII letters and digits only (for e-mail local parts and domains). */
export function asciiSlug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

export function randomPerson(rng: Rng, domain: string): Person {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const n = rng.chance(0.4) ? String(rng.between(1, 99)) : '';
  return { first, last, full: `${first} ${last}`, email: `${asciiSlug(first)}.${asciiSlug(last)}${n}@${domain}` };
}

export function randomCompany(rng: Rng): Company {
  const name = `${rng.pick(COMPANY_HEADS)} ${rng.pick(COMPANY_TAILS)}`;
  const domain = `${asciiSlug(name)}.example`;
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const contact: Person = { first, last, full: `${first} ${last}`, email: `${asciiSlug(first)}.${asciiSlug(last)}@${domain}` };
  return { name, domain, website: `https://www.${domain}`, contact };
}

/** Private mailboxes of new hires and candidates. */
export const PERSONAL_MAIL_DOMAINS = ['mail.example', 'inbox.example', 'post.example'] as const;

export const COMMENTS = [
  'Done, see the attached notes.',
  'Thanks, moving this forward.',
  'Following up on this today.',
  'Scheduled for tomorrow morning.',
  'Can someone double-check the numbers before I submit?',
  'Updated the details as discussed in the call.',
  'Waiting on a reply from the other side.',
  'Looks good to me.',
  'Added the missing attachment.',
  'Ping me if anything else is needed.',
  'I will be out Friday, covering this now.',
  'Copied the summary into the shared drive.',
  'Any update on this one?',
  'Reassigning internally, will report back.',
] as const;

export const ADVICE = [
  'Tip: the shared template in the drive saves a lot of time here.',
  'Next time loop in Finance before this step, it avoids back-and-forth.',
  'Check the previous run for this customer, the details are mostly the same.',
  'Use the approved vendor list first; it skips the security questionnaire.',
  'Batch these on Tuesdays, the approvers are all in the office.',
  'Remember to attach the signed copy, auditors ask for it.',
] as const;

export const IMPROVEMENTS = [
  'This step could be automated with the ERP integration.',
  'Suggest adding a checklist to this step, people keep missing items.',
  'The deadline on this step is too tight for how long it really takes.',
  'We should split this step in two: review and sign-off.',
  'Could the kick-off form ask for this up front?',
  'Auto-assign this to the group instead of one person, it gets stuck during vacations.',
  'The instructions link to an outdated policy page.',
] as const;

/** Problem reports and the comment that resolves each. */
export const PROBLEMS: readonly (readonly [problem: string, resolution: string])[] = [
  ['Missing document: the attachment was not uploaded.', 'Document received and attached.'],
  ['The amount does not match the quote.', 'Quote corrected, amounts now match.'],
  ['Wrong cost center on the request.', 'Cost center fixed, good to go.'],
  ['Waiting on the counterparty, no reply for several days.', 'They replied, unblocked.'],
  ['Access could not be granted: the account is locked.', 'Account unlocked by IT.'],
  ['Approver is on leave.', 'Delegated to the deputy approver.'],
  ['Bank details failed validation.', 'Vendor re-sent verified bank details.'],
  ['Duplicate of another request.', 'Confirmed not a duplicate, proceeding.'],
  ['Budget exceeded for this quarter.', 'Budget transfer approved by Finance.'],
  ['Signature page is missing.', 'Signed page received.'],
  ['Data file has formatting errors.', 'Cleaned file re-uploaded.'],
  ['Security questionnaire incomplete.', 'Remaining answers provided.'],
] as const;

export const PROCESS_PROBLEMS: readonly (readonly [problem: string, resolution: string])[] = [
  ['Project on hold: waiting for budget approval next quarter.', 'Budget confirmed, resuming.'],
  ['The other side has gone silent.', 'Contact re-established, resuming.'],
  ['Requirements changed; scope needs to be re-confirmed.', 'Scope re-confirmed with the requester.'],
  ['Owner left the team, needs a new owner.', 'New owner assigned.'],
] as const;

/** What an approver writes when rejecting. */
export const REJECTIONS = [
  'Rejected: not in this quarter\'s budget.',
  'Rejected: please get a second quote.',
  'Rejected: missing justification.',
  'Rejected: duplicate of an earlier request.',
  'Not approved, let us discuss in our 1:1.',
  'Rejected: this needs a different approver.',
] as const;

/** Nudges on tasks that are taking long. */
export const NUDGES = [
  'Any update on this?',
  'Gentle reminder: this is now overdue.',
  'Bumping this, the rest of the process is waiting.',
  'Who can pick this up while the assignee is out?',
] as const;
