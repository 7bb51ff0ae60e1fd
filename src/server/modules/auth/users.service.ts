import type { Executor } from '../../db/executor.ts';
import type { Role } from '../../db/schema.ts';
import { conflict, DomainError, invalidField, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { enterpriseExists } from '../registry/index.ts';
import * as repo from './auth.repository.ts';
import { recentTokens } from './recent-tokens.ts';
import { latestGrants } from './grants.repository.ts';
import { attachmentChanges, changeNeedsApproval, isPrivileged } from './grants.rules.ts';
import { grantView, proposeGrant, type GrantView } from './grants.service.ts';
import { checkNewPassword } from './auth.service.ts';
import { hashPassword } from './password.ts';
import type { PasswordPolicy } from './password-policy.rules.ts';

export interface NewUser {
  login: string;
  display_name: string;
  password: string;
  role: Role;
  authority_id: string | null;
  enterprise_id: string | null;
}

/** Checks that a role comes with exactly the attachment it needs (authority or enterprise). */
export async function checkUserAttachment(
  db: Executor,
  user: Pick<NewUser, 'role' | 'authority_id' | 'enterprise_id'>,
) {
  const needsAuthority = user.role === 'ministry_official' || user.role === 'department_official';
  if (needsAuthority !== (user.authority_id !== null)) {
    throw invalidField(
      'authority_id',
      needsAuthority ? `is required for role ${user.role}` : `must be null for role ${user.role}`,
    );
  }
  if ((user.role === 'enterprise_user') !== (user.enterprise_id !== null)) {
    throw invalidField(
      'enterprise_id',
      user.role === 'enterprise_user' ? 'is required for role enterprise_user' : `must be null for role ${user.role}`,
    );
  }
  if (user.enterprise_id && !(await enterpriseExists(db, user.enterprise_id))) {
    throw invalidField('enterprise_id', `no enterprise ${user.enterprise_id}`);
  }
  if (user.authority_id) {
    const authority = await repo.findAuthority(db, user.authority_id);
    if (!authority) throw invalidField('authority_id', `no authority ${user.authority_id}`);
    const national = authority.division_code === null;
    if (national !== (user.role === 'ministry_official')) {
      throw invalidField(
        'authority_id',
        national ? 'a ministry belongs to a ministry_official' : 'a local department belongs to a department_official',
      );
    }
  }
}

/**
 * Creates an account. An enterprise user or an operator account is the operator's alone; a ministry, department
 * or oversight account is a proposal (`grant_status` pending, `grant.propose` audited) that an official of the
 * approving authority decides, and it cannot sign in until then.
 */
export async function createUser(db: Executor, context: AuditContext, input: NewUser, policy: PasswordPolicy) {
  await checkNewPassword(db, policy, { id: null, login: input.login }, input.password, 'password');
  return insertAccount(db, context, input, isPrivileged(input.role) ? 'pending' : 'approved');
}

/**
 * The demo loader's accounts: granted before the two-person rule applies to anyone (like the accounts that
 * existed when it was introduced), so approved as they are, and enrolled with the demo authenticator when given
 * one (the bench's accounts use API tokens). Not reachable from any route.
 */
export async function seedApprovedUser(
  db: Executor,
  context: AuditContext,
  input: NewUser & { totp_secret_sealed?: string },
) {
  const { totp_secret_sealed, ...account } = input;
  return insertAccount(db, context, account, 'approved', totp_secret_sealed ?? null);
}

async function insertAccount(
  db: Executor,
  context: AuditContext,
  input: NewUser,
  grantStatus: 'pending' | 'approved',
  totpSecretSealed: string | null = null,
) {
  await checkUserAttachment(db, input);
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (tx) => {
    const existing = await repo.findUserByLogin(tx, input.login);
    if (existing) throw conflict(`The login ${input.login} is taken.`, [{ field: 'login', message: 'is taken' }]);
    const row = await repo.insertUser(tx, {
      login: input.login,
      display_name: input.display_name,
      password_hash: passwordHash,
      role: input.role,
      authority_id: input.authority_id,
      enterprise_id: input.enterprise_id,
      grant_status: grantStatus,
      totp_secret_sealed: totpSecretSealed,
      totp_enrolled_at: totpSecretSealed ? new Date() : null,
    });
    await recordAudit(tx, context, { action: 'user.create', objectType: 'user', objectId: row.id, after: row });
    const grant =
      grantStatus === 'pending' && isPrivileged(input.role)
        ? await proposeGrant(tx, context, {
            userId: row.id,
            kind: 'create',
            role: input.role,
            authorityId: input.authority_id,
            previous: null,
          })
        : null;
    return userView(row, grant);
  });
}

type UserRow = NonNullable<Awaited<ReturnType<typeof repo.getUser>>>;
export function userView(row: UserRow, grant: GrantView | null) {
  return {
    ...row,
    grant,
    locked_until: row.locked_until?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

async function withGrants(db: Executor, rows: UserRow[]) {
  const grants = await latestGrants(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => {
    const grant = grants.get(row.id);
    return userView(row, grant ? grantView(grant) : null);
  });
}

export async function listUsers(db: Executor, filter: { role?: Role | undefined }, page: number, pageSize: number) {
  const [rows, count] = await repo.listUsers(db, filter, pageSize, (page - 1) * pageSize);
  return { items: await withGrants(db, rows), total: Number(count.count), page, page_size: pageSize };
}

export async function getUser(db: Executor, id: string) {
  const row = await repo.getUser(db, id);
  if (!row) throw notFound(`User ${id}`);
  return (await withGrants(db, [row]))[0]!;
}

export interface UserChanges {
  display_name?: string | undefined;
  active?: boolean | undefined;
  unlock?: true | undefined;
  password?: string | undefined;
  role?: Role | undefined;
  authority_id?: string | null | undefined;
  enterprise_id?: string | null | undefined;
}

/** The role and scope a PATCH asks for: left-out attachments stay with the same role and are null with a new one. */
function requestedAttachment(before: UserRow, changes: UserChanges) {
  const role = changes.role ?? before.role;
  const same = role === before.role;
  return {
    role,
    authority_id: changes.authority_id !== undefined ? changes.authority_id : same ? before.authority_id : null,
    enterprise_id: changes.enterprise_id !== undefined ? changes.enterprise_id : same ? before.enterprise_id : null,
  };
}

/**
 * Operator changes to an account. Deactivating, resetting a password or changing the role or scope ends the
 * user's sessions and tokens. A new role or scope with national or departmental powers, or oversight, is a
 * proposal (`grant.propose`): the account stays as it is until an official of the approving authority approves.
 */
export async function updateUser(
  db: Executor,
  context: AuditContext,
  id: string,
  changes: UserChanges,
  policy: PasswordPolicy,
) {
  const current = await repo.getUser(db, id);
  if (!current) throw notFound(`User ${id}`);
  if (changes.password) await checkNewPassword(db, policy, current, changes.password, 'password');
  const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
  const wanted = requestedAttachment(current, changes);
  const asking =
    changes.role !== undefined || changes.authority_id !== undefined || changes.enterprise_id !== undefined;
  if (asking) await checkUserAttachment(db, wanted);
  const done = await db.transaction().execute(async (tx) => {
    const before = await repo.getUser(tx, id);
    if (!before) throw notFound(`User ${id}`);
    const from = { role: before.role, authorityId: before.authority_id, enterpriseId: before.enterprise_id };
    const to = { role: wanted.role, authorityId: wanted.authority_id, enterpriseId: wanted.enterprise_id };
    const moves = asking && attachmentChanges(from, to);
    const proposal = moves && changeNeedsApproval(from, to);
    if (moves && (await latestGrants(tx, [id])).get(id)?.status === 'pending') {
      throw new DomainError(409, 'grant_pending', `A proposal for ${before.login} is waiting for a decision.`, [
        { field: 'role', message: 'a proposal for this account is pending' },
      ]);
    }
    if (proposal && before.grant_status !== 'approved') {
      throw new DomainError(409, 'grant_refused', `${before.login} was refused: propose a new account.`, [
        { field: 'role', message: 'the account was refused' },
      ]);
    }
    const direct = {
      ...(changes.display_name !== undefined ? { display_name: changes.display_name } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
      ...(changes.unlock ? { failed_logins: 0, locked_until: null } : {}),
      ...(moves && !proposal ? wanted : {}),
    };
    if (passwordHash) await repo.setPassword(tx, id, passwordHash, new Date());
    const after = Object.keys(direct).length > 0 ? await repo.updateUser(tx, id, direct) : before;
    // Unlock: every address may try the login again at once (the throttle's waits and counts go).
    if (changes.unlock) await repo.clearLoginThrottle(tx, before.login);
    if (changes.active === false || passwordHash || (moves && !proposal)) {
      await repo.revokeUserSessions(tx, id);
      await repo.revokeUserTokens(tx, id);
    }
    if (Object.keys(direct).length > 0 || passwordHash) {
      await recordAudit(tx, context, {
        action: 'user.update',
        objectType: 'user',
        objectId: id,
        before: userView(before, null),
        after: { ...userView(after, null), password_changed: Boolean(passwordHash) },
      });
    }
    const grant =
      proposal && isPrivileged(to.role)
        ? await proposeGrant(tx, context, {
            userId: id,
            kind: 'change',
            role: to.role,
            authorityId: to.authorityId,
            previous: from,
          })
        : null;
    return (await withGrants(tx, [after]))[0] ?? userView(after, grant);
  });
  recentTokens.forget(); // after the commit: no lookup made during the change is kept
  return done;
}
