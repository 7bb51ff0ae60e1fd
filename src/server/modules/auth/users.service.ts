import type { Executor } from '../../db/executor.ts';
import type { Role } from '../../db/schema.ts';
import { conflict, invalidField, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { enterpriseExists } from '../registry/index.ts';
import * as repo from './auth.repository.ts';
import { hashPassword } from './password.ts';

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

export async function createUser(db: Executor, context: AuditContext, input: NewUser) {
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
    });
    await recordAudit(tx, context, { action: 'user.create', objectType: 'user', objectId: row.id, after: row });
    return userView(row);
  });
}

type UserRow = NonNullable<Awaited<ReturnType<typeof repo.getUser>>>;
export function userView(row: UserRow) {
  return { ...row, locked_until: row.locked_until?.toISOString() ?? null, created_at: row.created_at.toISOString() };
}

export async function listUsers(db: Executor, filter: { role?: Role | undefined }, page: number, pageSize: number) {
  const [rows, count] = await repo.listUsers(db, filter, pageSize, (page - 1) * pageSize);
  return { items: rows.map(userView), total: Number(count.count), page, page_size: pageSize };
}

export async function getUser(db: Executor, id: string) {
  const row = await repo.getUser(db, id);
  if (!row) throw notFound(`User ${id}`);
  return userView(row);
}

export interface UserChanges {
  display_name?: string | undefined;
  active?: boolean | undefined;
  unlock?: true | undefined;
  password?: string | undefined;
}

/** Operator changes to an account. Deactivating or resetting a password ends the user's sessions. */
export async function updateUser(db: Executor, context: AuditContext, id: string, changes: UserChanges) {
  const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
  return db.transaction().execute(async (tx) => {
    const before = await repo.getUser(tx, id);
    if (!before) throw notFound(`User ${id}`);
    const after = await repo.updateUser(tx, id, {
      ...(changes.display_name !== undefined ? { display_name: changes.display_name } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
      ...(changes.unlock ? { failed_logins: 0, locked_until: null } : {}),
      ...(passwordHash ? { password_hash: passwordHash } : {}),
    });
    // Unlock: every address may try the login again at once (the throttle's waits and counts go).
    if (changes.unlock) await repo.clearLoginThrottle(tx, before.login);
    if (changes.active === false || passwordHash) {
      await repo.revokeUserSessions(tx, id);
      await repo.revokeUserTokens(tx, id);
    }
    await recordAudit(tx, context, {
      action: 'user.update',
      objectType: 'user',
      objectId: id,
      before: userView(before),
      after: { ...userView(after), password_changed: Boolean(passwordHash) },
    });
    return userView(after);
  });
}
