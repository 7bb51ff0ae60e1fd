import type { Role } from '../../db/schema.ts';

/** Everything a route can require. Each route declares exactly one (or is explicitly public). */
export const permissions = [
  'reference.read', // divisions, authorities, groups, product catalogue
  'enterprise.read',
  'enterprise.write',
  'enterprise.security.write',
  'designation.read',
  'designation.write',
  'product.write',
  'user.manage',
  'account.approve', // decide the operator's proposals of privileged accounts for one's own authority (or oversight's)
  'audit.read',
  'oversight.read', // oversight alerts, security events and thresholds (Art. 15): the oversight role
  'oversight.write', // run the alert rules, acknowledge alerts, set thresholds: the oversight role
  'token.own',
  'indicator.read',
  'indicator.draft',
  'indicator.cosign',
  'indicator.approve',
  'allocation.read',
  'allocation.write',
  'ledger.read',
  'ledger.write',
  'notice.read',
  'notice.forward',
  'flow.read', // flow records, batches, traces, declarations, EPCIS query
  'flow.write', // record flows (API, file, EPCIS capture) and seal declarations: enterprises only
  'anomaly.read',
  'anomaly.write', // move an anomaly's status: officials in scope
  'checks.run', // run the month's checks
  'certificate.issue', // issue a batch's provenance certificate (a write: not for oversight)
  'report.read', // implementation reports, compilations, the status board, reconciliation (Art. 9)
  'report.submit', // submit the enterprise's own implementation report
  'report.review', // return, compile, forward, remind: industry & IT and natural resources departments
  'reporting.configure', // the deadline calendar: MIIT
  'supervision.read', // inspections, evidence, violations, decisions in scope; an enterprise its own (Arts. 12–16)
  'supervision.write', // plan and record inspections, violations, decisions: industry & IT and natural resources
] as const;
export type Permission = (typeof permissions)[number];

export type Department = 'industry_it' | 'natural_resources' | 'development_reform';

/** Who is asking, as established by a session or an API token. */
export interface Actor {
  readonly userId: string;
  readonly login: string;
  readonly displayName: string;
  readonly role: Role;
  readonly authorityId: string | null;
  readonly department: Department | null;
  /** The division of a department official's authority (null for ministries). */
  readonly divisionCode: string | null;
  readonly enterpriseId: string | null;
  readonly via: 'session' | 'token';
}

/** What part of the country an actor's reads and writes are limited to. */
export type Scope =
  | { readonly kind: 'national' }
  | { readonly kind: 'division'; readonly divisionCode: string; readonly prefix: string }
  | { readonly kind: 'enterprise'; readonly enterpriseId: string }
  | { readonly kind: 'none' };

/** The code prefix shared by a division and everything under it: PP0000 → PP, PPCC00 → PPCC. */
export function divisionPrefix(code: string): string {
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

export function isWithinDivision(divisionCode: string, candidateCode: string): boolean {
  return candidateCode.startsWith(divisionPrefix(divisionCode));
}

export function scopeOf(actor: Actor): Scope {
  switch (actor.role) {
    case 'ministry_official':
    case 'oversight':
      return { kind: 'national' };
    case 'department_official':
      return actor.divisionCode
        ? { kind: 'division', divisionCode: actor.divisionCode, prefix: divisionPrefix(actor.divisionCode) }
        : { kind: 'none' };
    case 'enterprise_user':
      return actor.enterpriseId ? { kind: 'enterprise', enterpriseId: actor.enterpriseId } : { kind: 'none' };
    case 'operator':
      return { kind: 'none' };
  }
}

const readerBasics: readonly Permission[] = ['reference.read', 'token.own'];

/**
 * Role → permissions. Department decides writes: MIIT (and local industry & IT departments within their
 * division) keep the enterprise register; only MIIT designates (Art. 7); MNR, NDRC and natural resources
 * departments read. Oversight reads everything and the audit log, and writes only its own alerts (Art. 15).
 */
export function permissionsOf(actor: Pick<Actor, 'role' | 'department' | 'divisionCode'>): ReadonlySet<Permission> {
  const granted = new Set<Permission>(readerBasics);
  const add = (...more: Permission[]): void => more.forEach((permission) => granted.add(permission));
  switch (actor.role) {
    case 'ministry_official':
      add('enterprise.read', 'designation.read', 'indicator.read', 'allocation.read', 'ledger.read', 'notice.read');
      add('flow.read', 'anomaly.read', 'anomaly.write', 'certificate.issue', 'account.approve');
      add('report.read');
      if (actor.department === 'industry_it') add('checks.run', 'reporting.configure');
      if (actor.department !== 'development_reform') add('report.review');
      if (actor.department === 'industry_it') {
        add('enterprise.write', 'enterprise.security.write', 'designation.write', 'product.write');
        add('indicator.draft', 'indicator.approve', 'allocation.write', 'ledger.write');
      }
      // Art. 5: MNR and NDRC formulate the indicators with MIIT; Art. 6: MNR allocates with MIIT.
      if (actor.department !== 'industry_it') add('indicator.cosign');
      if (actor.department === 'natural_resources') add('allocation.write');
      // Arts. 12–13: the industry & IT and natural resources departments supervise; NDRC reads.
      add('supervision.read');
      if (actor.department !== 'development_reform') add('supervision.write');
      break;
    case 'department_official':
      add(
        'enterprise.read',
        'designation.read',
        'indicator.read',
        'allocation.read',
        'ledger.read',
        'notice.read',
        'notice.forward',
        'flow.read',
        'anomaly.read',
        'anomaly.write',
        'certificate.issue',
        'report.read',
        'account.approve',
      );
      if (actor.department !== 'development_reform') add('report.review');
      if (actor.department === 'industry_it') add('enterprise.write', 'enterprise.security.write');
      add('supervision.read');
      if (actor.department !== 'development_reform') add('supervision.write');
      break;
    case 'enterprise_user':
      add(
        'enterprise.read',
        'designation.read',
        'enterprise.security.write',
        'allocation.read',
        'ledger.read',
        'notice.read',
        'flow.read',
        'flow.write',
        'anomaly.read',
        'certificate.issue',
        'report.read',
        'report.submit',
        'supervision.read',
      );
      break;
    case 'oversight':
      add('enterprise.read', 'designation.read', 'audit.read', 'indicator.read', 'allocation.read', 'ledger.read');
      // Art. 15: the alert rules only read business data; what oversight writes is its own alerts and thresholds.
      add('oversight.read', 'oversight.write');
      // Two people for privileged accounts: oversight approves new oversight accounts (docs/security.md).
      add('account.approve');
      add('flow.read', 'anomaly.read', 'report.read', 'supervision.read');
      break;
    case 'operator':
      add('user.manage', 'product.write');
      break;
  }
  return granted;
}

export function can(actor: Actor, permission: Permission): boolean {
  return permissionsOf(actor).has(permission);
}
