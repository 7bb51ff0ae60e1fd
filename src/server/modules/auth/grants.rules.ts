import type { PrivilegedRole, Role } from '../../db/schema.ts';

/**
 * Two people for privileged accounts (docs/security.md): granting a role with national or departmental powers,
 * or the oversight role, is a proposal by the operator that an official of the approving authority decides.
 * Enterprise users and operator accounts are the operator's alone.
 */
export const privilegedRoles: readonly PrivilegedRole[] = ['ministry_official', 'department_official', 'oversight'];

export function isPrivileged(role: Role): role is PrivilegedRole {
  return (privilegedRoles as readonly Role[]).includes(role);
}

/** What an account is: its role and what it is attached to. */
export interface Attachment {
  readonly role: Role;
  readonly authorityId: string | null;
  readonly enterpriseId: string | null;
}

/**
 * Whether an account going from `before` to `after` needs a second person: the new role is privileged and the
 * role or its authority differs. Lowering an account to an enterprise user or an operator is the operator's alone.
 */
export function changeNeedsApproval(before: Attachment, after: Attachment): boolean {
  return isPrivileged(after.role) && (before.role !== after.role || before.authorityId !== after.authorityId);
}

/** Whether the attachment changes at all. */
export function attachmentChanges(before: Attachment, after: Attachment): boolean {
  return (
    before.role !== after.role || before.authorityId !== after.authorityId || before.enterpriseId !== after.enterpriseId
  );
}

/** Who decides a proposal: the officials of one authority, or the oversight accounts. */
export type Approver =
  | { readonly role: 'ministry_official' | 'department_official'; readonly authorityId: string }
  | { readonly role: 'oversight'; readonly authorityId: null };

/** An authority that could approve, on the way up from the granted one, and whether it has a usable official. */
export interface Candidate {
  readonly authorityId: string;
  /** A ministry (no division): its officials are ministry officials. */
  readonly national: boolean;
  /** It has at least one active, approved official. */
  readonly staffed: boolean;
}

/** The ministry that heads a department's line: industry & IT → MIIT, natural resources → MNR, development & reform → NDRC. */
export const ministryOf = {
  industry_it: 'MIIT',
  natural_resources: 'MNR',
  development_reform: 'NDRC',
} as const;

/**
 * The approver of a grant, fixed when it is proposed.
 *
 * - A ministry or department role: the first staffed authority of `chain` — the granted authority itself, then
 *   the same department at each division above, then the ministry of that line. So a department is set up by
 *   its own officials, and its first official by the department above it. With nobody anywhere, the granted
 *   authority itself (the proposal waits until someone there can decide).
 * - Oversight: the oversight accounts — discipline inspection vouches for its own staff, the officials it
 *   watches do not choose who watches them. While there is no usable oversight account, a MIIT official.
 */
export function approverOf(role: PrivilegedRole, chain: readonly Candidate[], oversightStaffed: boolean): Approver {
  if (role === 'oversight') {
    return oversightStaffed
      ? { role: 'oversight', authorityId: null }
      : { role: 'ministry_official', authorityId: 'MIIT' };
  }
  const first = chain[0];
  if (!first) throw new Error('A grant of an official role needs the granted authority');
  const chosen = chain.find((candidate) => candidate.staffed) ?? first;
  return { role: chosen.national ? 'ministry_official' : 'department_official', authorityId: chosen.authorityId };
}

export interface Decider {
  readonly userId: string;
  readonly role: Role;
  readonly authorityId: string | null;
}

export interface GrantParties {
  /** The account the grant is for. */
  readonly userId: string;
  readonly proposedBy: string;
  readonly approverRole: PrivilegedRole;
  readonly approverAuthorityId: string | null;
}

/** Whether the grant is for the decider's authority to decide (otherwise it does not exist for them). */
export function isApproverOf(actor: Decider, grant: GrantParties): boolean {
  if (actor.role !== grant.approverRole) return false;
  if (grant.approverRole === 'oversight') return true;
  return actor.authorityId !== null && actor.authorityId === grant.approverAuthorityId;
}

export type DecisionRefusal = 'outside_authority' | 'own_proposal' | 'own_account';

/**
 * Why `actor` may not approve or refuse `grant`, or null when they may: it must be their authority's to decide,
 * and nobody decides their own proposal or a grant to themselves.
 */
export function decisionRefusal(actor: Decider, grant: GrantParties): DecisionRefusal | null {
  if (!isApproverOf(actor, grant)) return 'outside_authority';
  if (actor.userId === grant.proposedBy) return 'own_proposal';
  if (actor.userId === grant.userId) return 'own_account';
  return null;
}

/** Whether an account may sign in and act: active, and not waiting for (or refused) a second person. */
export function accountUsable(user: { readonly active: boolean; readonly grant_status: string }): boolean {
  return user.active && user.grant_status === 'approved';
}
