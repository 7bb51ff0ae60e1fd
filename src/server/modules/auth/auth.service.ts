import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '../../db/executor.ts';
import { DomainError, notFound, unauthenticated } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import * as repo from './auth.repository.ts';
import { recentTokens, type ResolvedToken } from './recent-tokens.ts';
import { permissionsOf, type Actor } from './auth.rules.ts';
import { accountUsable } from './grants.rules.ts';
import {
  blockedUntil,
  failedSignInNotice,
  isThrottled,
  throttleForgottenBefore,
  type FailedSignInNotice,
  type ThrottleSettings,
} from './login-throttle.rules.ts';
import { decoyPasswordHash, verifyPassword } from './password.ts';

export interface AuthSettings {
  readonly sessionTtlHours: number;
  readonly throttle: ThrottleSettings;
  /** The time sign-in delays are judged by (tests fix it). */
  readonly clock: () => Date;
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

export function describeActor(
  actor: Actor,
  authorityName: string | null,
  csrfToken: string | null,
  failedSignIns: FailedSignInNotice | null = null,
) {
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
    failed_sign_ins: failedSignIns,
  };
}

/** The one answer to every refused sign-in: unknown login, wrong password, inactive account, throttled. */
const badCredentials = () => new DomainError(401, 'bad_credentials', 'The login or the password is wrong.');

/** Where a request came from: what an audit entry records besides its actor (Art. 15: "from where"). */
export type RequestOrigin = Omit<AuditContext, 'actor'>;

/** Who a refused attempt on a login nobody has is audited under; the login tried is the object. */
const ANONYMOUS: AuditContext['actor'] = { id: 'anonymous', login: 'anonymous', role: 'anonymous' };

/**
 * Checks a password, throttled by login and client address together (docs/security.md). Every attempt costs
 * the same: the user (or nobody) is looked up, the address's wait read, one argon2 verification run — against
 * a decoy hash for an unknown login, and even when the address must still wait — and a refusal writes the
 * throttle and an audit entry in one transaction, whether the login exists or not. Every refusal is the same
 * 401 bad_credentials; an attempt from an address that must wait is refused whatever the password. A sign-in
 * answers the failed attempts since the previous one (`failed_sign_ins`), and keeps them with the session.
 */
export async function login(
  db: Executor,
  settings: AuthSettings,
  origin: RequestOrigin,
  login: string,
  password: string,
) {
  const now = settings.clock();
  const ip = origin.ip ?? '';
  const user = await repo.findUserByLogin(db, login);
  const throttle = await repo.findLoginThrottle(db, login, ip);
  const waiting = isThrottled(throttle?.blocked_until ?? null, now);
  const matches = await verifyPassword(user?.password_hash ?? (await decoyPasswordHash()), password);

  // An inactive account, and one whose grant is pending or refused, is answered as a wrong password.
  if (!user || !user.active || !matches || waiting || !accountUsable(user)) {
    const auditContext: AuditContext = user
      ? { actor: { id: user.id, login: user.login, role: user.role }, ...origin }
      : { actor: ANONYMOUS, ...origin };
    await db.transaction().execute(async (tx) => {
      await repo.forgetOldSignInFailures(tx, throttleForgottenBefore(now));
      let failures: number;
      if (waiting) failures = await repo.recordThrottledSignIn(tx, login, ip, now);
      else {
        failures = await repo.recordFailedSignIn(tx, login, ip, now);
        await repo.setSignInBlockedUntil(tx, login, ip, blockedUntil(failures, now, settings.throttle));
      }
      await recordAudit(tx, auditContext, {
        action: 'auth.login_failed',
        objectType: user ? 'user' : 'login',
        objectId: user ? user.id : login,
        after: { failures_from_address: failures, throttled: waiting },
      });
    });
    throw badCredentials();
  }

  const sessionToken = randomToken(32);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(Date.now() + settings.sessionTtlHours * 3_600_000);
  const auditContext: AuditContext = { actor: { id: user.id, login: user.login, role: user.role }, ...origin };
  const notice = await db.transaction().execute(async (tx) => {
    const told = failedSignInNotice(await repo.unreportedSignInFailures(tx, login));
    await repo.settleSignInFailures(tx, login, ip);
    await repo.insertSession(tx, {
      id_hash: sha256Hex(sessionToken),
      user_id: user.id,
      csrf_token: csrfToken,
      expires_at: expiresAt,
      failed_sign_ins: told ? JSON.stringify(told) : null,
    });
    await recordAudit(tx, auditContext, {
      action: 'auth.login',
      objectType: 'user',
      objectId: user.id,
      ...(told ? { after: { failed_sign_ins: told } } : {}),
    });
    return told;
  });
  return {
    sessionToken,
    expiresAt,
    user: describeActor(actorFrom(user, 'session'), user.authority_name, csrfToken, notice),
  };
}

/** The notice of failed sign-ins a live session was opened with, or null. */
export async function sessionNotice(db: Executor, sessionToken: string): Promise<FailedSignInNotice | null> {
  const session = await repo.findLiveSession(db, sha256Hex(sessionToken));
  return (session?.failed_sign_ins as FailedSignInNotice | null | undefined) ?? null;
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

/**
 * The actor of a live API token. With `cacheMs` > 0 a token resolved in the last `cacheMs` (and not past its expiry)
 * is answered from memory: an API client's burst of reads costs one lookup, not one each (ADR 0013). Unknown tokens
 * are never remembered.
 */
export async function actorFromToken(db: Executor, token: string, cacheMs = 0): Promise<ResolvedToken | null> {
  const hash = sha256Hex(token);
  const now = Date.now();
  const cached = recentTokens.recall(db, hash, now);
  if (cached) return cached;
  const generation = recentTokens.generation();
  const user = await repo.userByToken(db, hash, new Date(now));
  if (!user || !accountUsable(user)) return null;
  const resolved: ResolvedToken = {
    actor: actorFrom(user, 'token'),
    csrfToken: null,
    authorityName: user.authority_name,
  };
  if (cacheMs > 0) {
    recentTokens.remember(db, hash, resolved, Math.min(now + cacheMs, user.token_expires_at.getTime()), generation);
  }
  return resolved;
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
  const done = await db.transaction().execute(async (tx) => {
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
  recentTokens.forget(); // after the commit: no lookup made during the change is kept
  return done;
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
