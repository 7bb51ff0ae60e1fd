import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '../../db/executor.ts';
import { DomainError, notFound, unauthenticated } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import * as repo from './auth.repository.ts';
import { permissionsOf, type Actor } from './auth.rules.ts';
import { accountUsable } from './grants.rules.ts';
import { decoyPasswordHash, verifyPassword } from './password.ts';

export interface AuthSettings {
  readonly sessionTtlHours: number;
  readonly lockoutThreshold: number;
  readonly lockoutMinutes: number;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url');

export function actorFrom(user: repo.UserWithAuthority, via: Actor['via']): Actor {
  return {
    userId: user.id,
    login: user.login,
    displayName: user.display_name,
    role: user.role,
    authorityId: user.authority_id,
    department: user.department ?? null,
    divisionCode: user.division_code ?? null,
    enterpriseId: user.enterprise_id,
    via,
  };
}

export function describeActor(actor: Actor, authorityName: string | null, csrfToken: string | null) {
  return {
    id: actor.userId,
    login: actor.login,
    display_name: actor.displayName,
    role: actor.role,
    authority_id: actor.authorityId,
    authority_name: authorityName,
    department: actor.department,
    division_code: actor.divisionCode,
    enterprise_id: actor.enterpriseId,
    permissions: [...permissionsOf(actor)].sort(),
    csrf_token: csrfToken,
  };
}

const badCredentials = () => new DomainError(401, 'bad_credentials', 'The login or the password is wrong.');

/** Where a request came from: what an audit entry records besides its actor (Art. 15: "from where"). */
export type RequestOrigin = Omit<AuditContext, 'actor'>;

/**
 * Checks a password. Wrong passwords count towards a lockout; a locked account is refused even with the
 * right password until the lock expires, and the answer says until when.
 */
export async function login(
  db: Executor,
  settings: AuthSettings,
  origin: RequestOrigin,
  login: string,
  password: string,
) {
  const user = await repo.findUserByLogin(db, login);
  if (!user) {
    await verifyPassword(await decoyPasswordHash(), password);
    throw badCredentials();
  }
  const auditContext: AuditContext = { actor: { id: user.id, login: user.login, role: user.role }, ...origin };
  if (user.locked_until && user.locked_until > new Date()) {
    throw new DomainError(
      423,
      'account_locked',
      `Too many failed sign-ins: the account is locked until ${user.locked_until.toISOString()}.`,
    );
  }
  // An inactive account, and one whose grant is pending or refused, is answered as a wrong password.
  if (!(await verifyPassword(user.password_hash, password)) || !accountUsable(user)) {
    await db.transaction().execute(async (tx) => {
      const after = await repo.recordFailedLogin(tx, user.id, settings.lockoutThreshold, settings.lockoutMinutes);
      await recordAudit(tx, auditContext, {
        action: 'auth.login_failed',
        objectType: 'user',
        objectId: user.id,
        after: { failed_logins: after.failed_logins, locked_until: after.locked_until },
      });
    });
    throw badCredentials();
  }
  const sessionToken = randomToken(32);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(Date.now() + settings.sessionTtlHours * 3_600_000);
  await db.transaction().execute(async (tx) => {
    await repo.clearFailedLogins(tx, user.id);
    await repo.insertSession(tx, {
      id_hash: sha256Hex(sessionToken),
      user_id: user.id,
      csrf_token: csrfToken,
      expires_at: expiresAt,
    });
    await recordAudit(tx, auditContext, { action: 'auth.login', objectType: 'user', objectId: user.id });
  });
  return { sessionToken, expiresAt, user: describeActor(actorFrom(user, 'session'), user.authority_name, csrfToken) };
}

/** Ends a session, audited with where the request came from. */
export async function logout(db: Executor, context: AuditContext, sessionToken: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await repo.revokeSession(tx, sha256Hex(sessionToken));
    await recordAudit(tx, context, { action: 'auth.logout', objectType: 'user', objectId: context.actor.id });
  });
}

/** Resolves a session cookie to its actor and CSRF token, or null when it is unknown, revoked or expired. */
export async function actorFromSession(db: Executor, sessionToken: string) {
  const session = await repo.findLiveSession(db, sha256Hex(sessionToken));
  if (!session) return null;
  const user = await repo.findUserById(db, session.user_id);
  if (!user || !accountUsable(user)) return null;
  return { actor: actorFrom(user, 'session'), csrfToken: session.csrf_token, authorityName: user.authority_name };
}

export async function actorFromToken(db: Executor, token: string) {
  const owner = await repo.useToken(db, sha256Hex(token));
  if (!owner) return null;
  const user = await repo.findUserById(db, owner.user_id);
  if (!user || !accountUsable(user)) return null;
  return { actor: actorFrom(user, 'token'), csrfToken: null, authorityName: user.authority_name };
}

const TOKEN_PREFIX = 'mzt';

export async function createToken(
  db: Executor,
  context: AuditContext,
  userId: string,
  name: string,
  expiresInDays: number,
) {
  const user = await repo.findUserById(db, userId);
  if (!user) throw notFound(`User ${userId}`);
  const secret = randomToken(32);
  const prefix = secret.slice(0, 8);
  const token = `${TOKEN_PREFIX}_${secret}`;
  const expiresAt = new Date(Date.now() + expiresInDays * 86_400_000);
  return db.transaction().execute(async (tx) => {
    const row = await repo.insertToken(tx, {
      user_id: userId,
      name,
      prefix,
      token_hash: sha256Hex(token),
      expires_at: expiresAt,
    });
    await recordAudit(tx, context, {
      action: 'token.create',
      objectType: 'api_token',
      objectId: row.id,
      after: { user_id: userId, name, prefix, expires_at: expiresAt },
    });
    return { ...tokenView(row), token };
  });
}

export async function revokeToken(db: Executor, context: AuditContext, userId: string, tokenId: string) {
  return db.transaction().execute(async (tx) => {
    const row = await repo.revokeToken(tx, userId, tokenId);
    if (!row) throw notFound(`Live API token ${tokenId}`);
    const after = tokenView(row);
    await recordAudit(tx, context, {
      action: 'token.revoke',
      objectType: 'api_token',
      objectId: row.id,
      before: { ...after, revoked_at: null },
      after,
    });
    return after;
  });
}

export async function listTokens(db: Executor, userId: string) {
  return (await repo.listTokens(db, userId)).map(tokenView);
}

type TokenRow = Awaited<ReturnType<typeof repo.listTokens>>[number];
function tokenView(row: TokenRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    revoked_at: row.revoked_at?.toISOString() ?? null,
    last_used_at: row.last_used_at?.toISOString() ?? null,
  };
}

export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  return actor;
}
