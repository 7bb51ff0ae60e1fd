import type { Executor } from '../../db/executor.ts';
import type { PrivilegedRole, Role } from '../../db/schema.ts';
import { DomainError, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from './auth.rules.ts';
import * as authRepo from './auth.repository.ts';
import * as repo from './grants.repository.ts';
import { recentTokens } from './recent-tokens.ts';
import { approverOf, decisionRefusal, isApproverOf, ministryOf, type Candidate } from './grants.rules.ts';

export function grantView(row: repo.GrantRow) {
  return {
    ...row,
    proposed_at: row.proposed_at.toISOString(),
    decided_at: row.decided_at?.toISOString() ?? null,
    decided_by_login: row.decided_by_login ?? null,
    authority_name: row.authority_name ?? null,
    approver_authority_name: row.approver_authority_name ?? null,
  };
}
export type GrantView = ReturnType<typeof grantView>;

export interface Proposal {
  readonly userId: string;
  readonly kind: 'create' | 'change' | 'second_factor_reset';
  readonly role: PrivilegedRole;
  readonly authorityId: string | null;
  /** For a change: what the account is until it is approved. */
  readonly previous: { role: Role; authorityId: string | null; enterpriseId: string | null } | null;
}

/** The candidates that could approve a grant to an official role, nearest first, the line's ministry last. */
async function candidates(db: Executor, authorityId: string, subjectId: string): Promise<Candidate[]> {
  const { department, line } = await repo.authorityLine(db, authorityId);
  const ministry = ministryOf[department];
  const ids = line.some((item) => item.id === ministry) ? line : [...line, { id: ministry, national: true }];
  const result: Candidate[] = [];
  for (const item of ids) {
    const role = item.national ? 'ministry_official' : 'department_official';
    result.push({
      authorityId: item.id,
      national: item.national,
      staffed: await repo.isStaffed(db, role, item.id, subjectId),
    });
  }
  return result;
}

/**
 * Records a proposal to grant a privileged role, with who is to decide it, and audits it (`grant.propose`).
 * Run inside the transaction that creates or changes the account.
 */
export async function proposeGrant(tx: Executor, context: AuditContext, proposal: Proposal): Promise<GrantView> {
  const approver =
    proposal.role === 'oversight'
      ? approverOf('oversight', [], await repo.isStaffed(tx, 'oversight', null, proposal.userId))
      : approverOf(proposal.role, await candidates(tx, proposal.authorityId ?? '', proposal.userId), false);
  const id = await repo.insertGrant(tx, {
    user_id: proposal.userId,
    kind: proposal.kind,
    role: proposal.role,
    authority_id: proposal.authorityId,
    previous_role: proposal.previous?.role ?? null,
    previous_authority_id: proposal.previous?.authorityId ?? null,
    previous_enterprise_id: proposal.previous?.enterpriseId ?? null,
    approver_role: approver.role,
    approver_authority_id: approver.authorityId,
    proposed_by: context.actor.id,
  });
  const view = grantView((await repo.findGrant(tx, id))!);
  await recordAudit(tx, context, { action: 'grant.propose', objectType: 'account_grant', objectId: id, after: view });
  return view;
}

/** The proposals the caller's authority decides, pending by default. */
export async function listGrants(
  db: Executor,
  actor: Actor,
  status: 'pending' | 'approved' | 'refused',
  page: number,
  pageSize: number,
) {
  if (actor.role !== 'ministry_official' && actor.role !== 'department_official' && actor.role !== 'oversight') {
    return { items: [], total: 0, page, page_size: pageSize };
  }
  const [rows, count] = await repo.listGrants(
    db,
    {
      approverRole: actor.role,
      approverAuthorityId: actor.role === 'oversight' ? null : actor.authorityId,
      status,
    },
    pageSize,
    (page - 1) * pageSize,
  );
  return { items: rows.map(grantView), total: Number(count.count), page, page_size: pageSize };
}

export type Decision = { approve: true } | { approve: false; reason: string };

/**
 * Approves or refuses an account's open proposal (a new account, a change of role, or the reset of its second factor). Only an official of the approving authority decides (others:
 * 404, as for anything outside their scope), never the proposer nor the account itself (403). Approving a new
 * account lets it sign in; approving a change applies the role and scope and ends the account's sessions and
 * tokens (it signs in anew with its new powers). Refusing a new account means it never signs in.
 */
export async function decideGrant(
  db: Executor,
  context: AuditContext,
  actor: Actor,
  userId: string,
  decision: Decision,
): Promise<GrantView> {
  const done = await db.transaction().execute(async (tx) => {
    const pending = await repo.lockPendingGrant(tx, userId);
    if (!pending) {
      const latest = (await repo.latestGrants(tx, [userId])).get(userId);
      if (latest && isApproverOf(decider(actor), parties(latest))) {
        throw new DomainError(409, 'grant_decided', `The proposal for ${latest.login} was already ${latest.status}.`);
      }
      throw notFound(`A pending grant for user ${userId}`);
    }
    const refusal = decisionRefusal(decider(actor), parties(pending));
    if (refusal === 'outside_authority') throw notFound(`A pending grant for user ${userId}`);
    if (refusal === 'own_proposal') {
      throw new DomainError(403, 'own_proposal', 'You proposed this grant: another official must decide it.');
    }
    if (refusal === 'own_account') {
      throw new DomainError(403, 'own_account', 'Nobody decides a grant to their own account.');
    }
    const before = grantView((await repo.findGrant(tx, pending.id))!);
    if (decision.approve) {
      await repo.decideGrant(tx, pending.id, { status: 'approved', decided_by: actor.userId, reason: null });
      if (pending.kind === 'create') {
        await repo.setAccountGrant(tx, userId, { grant_status: 'approved' });
      } else if (pending.kind === 'second_factor_reset') {
        // A lost authenticator: the account enrols anew at its next sign-in.
        await authRepo.resetSecondFactor(tx, userId);
      } else {
        await repo.setAccountGrant(tx, userId, {
          grant_status: 'approved',
          role: pending.role,
          authority_id: pending.authority_id,
          enterprise_id: null,
        });
        await authRepo.revokeUserSessions(tx, userId);
        await authRepo.revokeUserTokens(tx, userId);
      }
    } else {
      await repo.decideGrant(tx, pending.id, { status: 'refused', decided_by: actor.userId, reason: decision.reason });
      if (pending.kind === 'create') await repo.setAccountGrant(tx, userId, { grant_status: 'refused' });
    }
    const after = grantView((await repo.findGrant(tx, pending.id))!);
    await recordAudit(tx, context, {
      action: decision.approve ? 'grant.approve' : 'grant.refuse',
      objectType: 'account_grant',
      objectId: pending.id,
      before,
      after,
    });
    return after;
  });
  recentTokens.forget(); // after the commit: no lookup made during the change is kept
  return done;
}

const decider = (actor: Actor) => ({ userId: actor.userId, role: actor.role, authorityId: actor.authorityId });
const parties = (grant: {
  user_id: string;
  proposed_by: string;
  approver_role: PrivilegedRole;
  approver_authority_id: string | null;
}) => ({
  userId: grant.user_id,
  proposedBy: grant.proposed_by,
  approverRole: grant.approver_role,
  approverAuthorityId: grant.approver_authority_id,
});
