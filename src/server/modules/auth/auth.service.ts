import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/executor.ts';
import type { Role, SessionStage } from '../../db/schema.ts';
import { createSealer, type Sealer } from '../../shared/signing.ts';
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
import { decoyPasswordHash, hashPassword, verifyPassword } from './password.ts';
import { passwordViolation, type PasswordPolicy } from './password-policy.rules.ts';
import { passwordExpired, secondFactorRequired, stageAfterPassword } from './second-factor.rules.ts';

export interface AuthSettings {
  readonly sessionTtlHours: number;
  readonly sessionIdleMinutes: number;
  readonly stepUpMinutes: number;
  /** Enterprise users need a second factor from this protection level of their enterprise. */
  readonly enterpriseLevel: number;
  readonly issuer: string;
  readonly passwordPolicy: PasswordPolicy;
  readonly throttle: ThrottleSettings;
  /** Seals authenticator secrets at rest (SM4), like the division keys. */
  readonly sealer: Sealer;
  /** Keys the hashes of recovery codes (HMAC-SM3): a copy of the database alone does not let one guess them. */
  readonly recoveryCodeKey: Buffer;
  /** The time sign-in delays are judged by (tests fix it); codes, step-up and password age use the wall clock. */
  readonly clock: () => Date;
}

export function authSettingsFrom(config: Config, clock: () => Date): AuthSettings {
  return {
    sessionTtlHours: config.SESSION_TTL_HOURS,
    sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
    stepUpMinutes: config.STEP_UP_MINUTES,
    enterpriseLevel: config.SECOND_FACTOR_ENTERPRISE_LEVEL,
    issuer: config.SECOND_FACTOR_ISSUER,
    passwordPolicy: {
      minLength: config.PASSWORD_MIN_LENGTH,
      history: config.PASSWORD_HISTORY,
      maxAgeDays: config.PASSWORD_MAX_AGE_DAYS,
    },
    throttle: {
      freeAttempts: config.LOGIN_THROTTLE_FREE_ATTEMPTS,
      baseDelayMs: config.LOGIN_THROTTLE_BASE_SECONDS * 1000,
      maxDelayMs: config.LOGIN_THROTTLE_MAX_SECONDS * 1000,
    },
    sealer: createSealer(config.SIGNING_KEY_SECRET),
    recoveryCodeKey: createHash('sm3').update(`monazite-recovery-codes:${config.SIGNING_KEY_SECRET}`).digest(),
    clock,
  };
}

/** What a request knows of the account's second factor and of its session's stage (tokens: `full`, none given). */
export interface SecondFactorContext {
  readonly required: boolean;
  readonly enrolled: boolean;
  readonly stage: SessionStage;
  readonly givenAt: Date | null;
  readonly passwordChangedAt: Date;
  /** The session's cookie hash (null for a token). */
  readonly sessionHash: string | null;
}

/** The second-factor facts of an account as its row gives them. */
export function accountFactor(
  user: { role: Role; protection_level: number | null; totp_enrolled_at: Date | null },
  settings: Pick<AuthSettings, 'enterpriseLevel'>,
) {
  return {
    required: secondFactorRequired(user.role, user.protection_level, settings.enterpriseLevel),
    enrolled: user.totp_enrolled_at !== null,
  };
}

/** The moment before which a session's last use means it has idled out. */
export function idleSince(settings: Pick<AuthSettings, 'sessionIdleMinutes' | 'clock'>): Date {
  return new Date(Date.now() - settings.sessionIdleMinutes * 60_000);
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
  factor: SecondFactorContext,
  settings: Pick<AuthSettings, 'stepUpMinutes'>,
  recoveryCodesLeft: number,
  failedSignIns: FailedSignInNotice | null = null,
) {
  const full = factor.stage === 'full';
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
    permissions: full ? [...permissionsOf(actor)].sort() : [],
    csrf_token: csrfToken,
    failed_sign_ins: failedSignIns,
    session_stage: factor.stage,
    second_factor: {
      required: factor.required,
      enrolled: factor.enrolled,
      recovery_codes_left: recoveryCodesLeft,
      given_at: factor.givenAt?.toISOString() ?? null,
      step_up_minutes: settings.stepUpMinutes,
    },
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
  const account = accountFactor(user, settings);
  const stage = stageAfterPassword({
    ...account,
    // Real time, not the throttle's clock: a password's age and the second factor are judged by the wall clock.
    passwordExpired: passwordExpired(user.password_changed_at, settings.passwordPolicy.maxAgeDays, new Date()),
  });
  const notice = await db.transaction().execute(async (tx) => {
    const told = failedSignInNotice(await repo.unreportedSignInFailures(tx, login));
    await repo.settleSignInFailures(tx, login, ip);
    await repo.insertSession(tx, {
      id_hash: sha256Hex(sessionToken),
      user_id: user.id,
      csrf_token: csrfToken,
      expires_at: expiresAt,
      failed_sign_ins: told ? JSON.stringify(told) : null,
      stage,
      ip: origin.ip ?? null,
      user_agent: origin.userAgent?.slice(0, 300) ?? null,
    });
    await recordAudit(tx, auditContext, {
      action: 'auth.login',
      objectType: 'user',
      objectId: user.id,
      after: { stage, ...(told ? { failed_sign_ins: told } : {}) },
    });
    return told;
  });
  const factor: SecondFactorContext = {
    ...account,
    stage,
    givenAt: null,
    passwordChangedAt: user.password_changed_at,
    sessionHash: sha256Hex(sessionToken),
  };
  const left = account.enrolled ? await repo.recoveryCodesLeft(db, user.id) : 0;
  return {
    sessionToken,
    expiresAt,
    user: describeActor(actorFrom(user, 'session'), user.authority_name, csrfToken, factor, settings, left, notice),
  };
}

/** The notice of failed sign-ins a live session was opened with, or null. */
export async function sessionNotice(
  db: Executor,
  settings: AuthSettings,
  sessionHash: string,
): Promise<FailedSignInNotice | null> {
  const session = await repo.findLiveSession(db, sessionHash, idleSince(settings));
  return (session?.failed_sign_ins as FailedSignInNotice | null | undefined) ?? null;
}

/** The caller as GET /auth/me answers it. */
export async function whoAmI(
  db: Executor,
  settings: AuthSettings,
  resolved: { actor: Actor; authorityName: string | null; csrfToken: string | null; factor: SecondFactorContext },
) {
  const notice = resolved.factor.sessionHash ? await sessionNotice(db, settings, resolved.factor.sessionHash) : null;
  const left = resolved.factor.enrolled ? await repo.recoveryCodesLeft(db, resolved.actor.userId) : 0;
  return describeActor(
    resolved.actor,
    resolved.authorityName,
    resolved.csrfToken,
    resolved.factor,
    settings,
    left,
    notice,
  );
}

/** Ends a session, audited with where the request came from. */
export async function logout(db: Executor, context: AuditContext, sessionToken: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await repo.revokeSession(tx, sha256Hex(sessionToken));
    await recordAudit(tx, context, { action: 'auth.logout', objectType: 'user', objectId: context.actor.id });
  });
}

/** A session's use is recorded when the one on record is older than this (the idle timeout's resolution). */
const SESSION_TOUCH_MS = 60_000;

/**
 * Resolves a session cookie to its actor, CSRF token and second-factor state, or null when it is unknown, revoked,
 * past its absolute expiry or idle longer than SESSION_IDLE_MINUTES. One statement; its use is recorded at most once
 * a minute.
 */
export async function actorFromSession(db: Executor, settings: AuthSettings, sessionToken: string) {
  const hash = sha256Hex(sessionToken);
  const row = await repo.liveSessionWithUser(db, hash, idleSince(settings));
  if (!row || !accountUsable(row)) return null;
  const now = new Date();
  if (now.getTime() - row.last_seen_at.getTime() > SESSION_TOUCH_MS) await repo.touchSession(db, hash, now);
  const factor: SecondFactorContext = {
    ...accountFactor(row, settings),
    stage: row.stage,
    givenAt: row.second_factor_at,
    passwordChangedAt: row.password_changed_at,
    sessionHash: hash,
  };
  return { actor: actorFrom(row, 'session'), csrfToken: row.csrf_token, authorityName: row.authority_name, factor };
}

/**
 * The actor of a live API token. With `cacheMs` > 0 a token resolved in the last `cacheMs` (and not past its expiry)
 * is answered from memory: an API client's burst of reads costs one lookup, not one each (ADR 0013). Unknown tokens
 * are never remembered.
 */
export async function actorFromToken(
  db: Executor,
  token: string,
  options: { cacheMs?: number; enterpriseLevel?: number } = {},
): Promise<ResolvedToken | null> {
  const cacheMs = options.cacheMs ?? 0;
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
    factor: {
      ...accountFactor(user, { enterpriseLevel: options.enterpriseLevel ?? 3 }),
      stage: 'full',
      givenAt: null,
      passwordChangedAt: user.password_changed_at,
      sessionHash: null,
    },
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

/** My live sessions, the one this request came with marked. */
export async function listSessions(db: Executor, settings: AuthSettings, userId: string, currentHash: string | null) {
  const rows = await repo.listUserSessions(db, userId, idleSince(settings));
  return rows.map((row) => ({
    id: row.id,
    created_at: row.created_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    ip: row.ip,
    user_agent: row.user_agent,
    stage: row.stage,
    current: row.id_hash === currentHash,
  }));
}

/** Signs out one of my sessions (another device, or this one). */
export async function revokeMySession(db: Executor, context: AuditContext, sessionId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await repo.revokeUserSessionById(tx, context.actor.id, sessionId))) throw notFound(`Session ${sessionId}`);
    await recordAudit(tx, context, { action: 'auth.session_revoke', objectType: 'user_session', objectId: sessionId });
  });
}

/** Signs out every other session of mine; answers how many ended. */
export async function signOutOtherSessions(db: Executor, context: AuditContext, currentHash: string) {
  return db.transaction().execute(async (tx) => {
    const count = await repo.revokeOtherSessions(tx, context.actor.id, currentHash);
    await recordAudit(tx, context, {
      action: 'auth.sessions_revoke_others',
      objectType: 'user',
      objectId: context.actor.id,
      after: { signed_out: count },
    });
    return { signed_out: count };
  });
}

/**
 * Checks a new password against the policy (length, classes, the login) and the account's last passwords; throws a
 * 422 naming `field` and the rule broken.
 */
export async function checkNewPassword(
  db: Executor,
  policy: PasswordPolicy,
  account: { id: string | null; login: string },
  password: string,
  field: string,
): Promise<void> {
  const violation = passwordViolation(password, account.login, policy);
  if (violation) throw passwordPolicyError(field, violation);
  if (account.id && policy.history > 0) {
    for (const previous of await repo.passwordHashes(db, account.id, policy.history)) {
      if (await verifyPassword(previous, password)) {
        throw passwordPolicyError(field, { rule: 'history', count: policy.history });
      }
    }
  }
}

function passwordPolicyError(field: string, violation: Record<string, string | number> & { rule: string }) {
  return new DomainError(
    422,
    'password_policy',
    `The new password breaks the password policy (${violation.rule}).`,
    [{ field, message: `breaks the password policy: ${violation.rule}` }],
    violation,
  );
}

/**
 * Changes my password: the current one must be right; the new one must keep the policy and not repeat the last
 * PASSWORD_HISTORY. My other sessions and my API tokens end; a session that had to change its password is signed in.
 */
export async function changePassword(
  db: Executor,
  settings: AuthSettings,
  context: AuditContext,
  factor: SecondFactorContext,
  currentPassword: string,
  newPassword: string,
) {
  const userId = context.actor.id;
  const user = await repo.findUserById(db, userId);
  if (!user) throw notFound(`User ${userId}`);
  if (!(await verifyPassword(user.password_hash, currentPassword))) {
    throw new DomainError(422, 'wrong_password', 'The current password is wrong.', [
      { field: 'current_password', message: 'is wrong' },
    ]);
  }
  await checkNewPassword(db, settings.passwordPolicy, { id: userId, login: user.login }, newPassword, 'new_password');
  const hash = await hashPassword(newPassword);
  const now = new Date();
  await db.transaction().execute(async (tx) => {
    await repo.setPassword(tx, userId, hash, now);
    if (factor.sessionHash) {
      await repo.revokeOtherSessions(tx, userId, factor.sessionHash);
      if (factor.stage === 'password_change') await repo.setSessionStage(tx, factor.sessionHash, { stage: 'full' });
    } else {
      await repo.revokeUserSessions(tx, userId);
    }
    await repo.revokeUserTokens(tx, userId);
    await recordAudit(tx, context, { action: 'user.password_change', objectType: 'user', objectId: userId });
  });
  recentTokens.forget(); // after the commit: no lookup made during the change is kept
}
