import type { Executor } from '../../db/executor.ts';
import type { AppUserTable, Role, SessionStage } from '../../db/schema.ts';
import { sql, type Insertable, type Updateable } from 'kysely';

const actorColumns = [
  'app_user.id',
  'app_user.login',
  'app_user.display_name',
  'app_user.role',
  'app_user.authority_id',
  'app_user.enterprise_id',
  'app_user.active',
  'app_user.grant_status',
  'app_user.password_hash',
  'authority.department',
  'authority.division_code',
  'authority.name as authority_name',
  'app_user.totp_enrolled_at',
  'app_user.password_changed_at',
] as const;

/** The protection level of an enterprise user's enterprise (null for everyone else): it decides the second factor. */
const protectionLevel = sql<
  number | null
>`(select (e.security_profile->>'protection_level')::int from enterprise e where e.id = app_user.enterprise_id)`.as(
  'protection_level',
);

function userWithAuthority(db: Executor) {
  return db
    .selectFrom('app_user')
    .leftJoin('authority', 'authority.id', 'app_user.authority_id')
    .select(actorColumns)
    .select(protectionLevel);
}
export type UserWithAuthority = NonNullable<Awaited<ReturnType<typeof findUserByLogin>>>;

export function findUserByLogin(db: Executor, login: string) {
  return userWithAuthority(db).where('app_user.login', '=', login).executeTakeFirst();
}

export function findUserById(db: Executor, id: string) {
  return userWithAuthority(db).where('app_user.id', '=', id).executeTakeFirst();
}

/** The throttle's state for a login tried from an address, if it ever failed there. */
export function findLoginThrottle(db: Executor, login: string, ip: string) {
  return db
    .selectFrom('login_throttle')
    .select(['failures', 'blocked_until'])
    .where('login', '=', login)
    .where('ip', '=', ip)
    .executeTakeFirst();
}

/** Counts a checked attempt that failed; returns the failures in a row from that address, this one included. */
export async function recordFailedSignIn(db: Executor, login: string, ip: string, at: Date): Promise<number> {
  const row = await db
    .insertInto('login_throttle')
    .values({ login, ip, failures: 1, unreported: 1, last_failed_at: at })
    .onConflict((conflict) =>
      conflict.columns(['login', 'ip']).doUpdateSet({
        failures: sql<number>`login_throttle.failures + 1`,
        unreported: sql<number>`login_throttle.unreported + 1`,
        last_failed_at: at,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return row.failures;
}

export async function setSignInBlockedUntil(db: Executor, login: string, ip: string, until: Date | null) {
  await db
    .updateTable('login_throttle')
    .set({ blocked_until: until })
    .where('login', '=', login)
    .where('ip', '=', ip)
    .execute();
}

/** Forgets the pairs whose last failure is older than `before` and whose wait is over. */
export async function forgetOldSignInFailures(db: Executor, before: Date): Promise<void> {
  await db
    .deleteFrom('login_throttle')
    .where('last_failed_at', '<', before)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', before)]))
    .execute();
}

/** Counts an attempt refused unchecked (the address is waiting): for the notice, not for the delay. */
export async function recordThrottledSignIn(db: Executor, login: string, ip: string, at: Date): Promise<number> {
  const row = await db
    .updateTable('login_throttle')
    .set({ unreported: sql<number>`unreported + 1`, last_failed_at: at })
    .where('login', '=', login)
    .where('ip', '=', ip)
    .returning('failures')
    .executeTakeFirst();
  // The row may just have been cleared (an operator's unlock): nothing left to count against.
  return row?.failures ?? 0;
}

/** The failed attempts on a login not yet told to its user, by address. */
export function unreportedSignInFailures(db: Executor, login: string) {
  return db
    .selectFrom('login_throttle')
    .select(['ip', 'unreported', 'last_failed_at'])
    .where('login', '=', login)
    .where('unreported', '>', 0)
    .execute();
}

/**
 * After a sign-in from `ip`: every failure so far has been told, and that address starts afresh. Other
 * addresses keep their count and their wait (a stranger's run is not reset by the owner signing in).
 */
export async function settleSignInFailures(db: Executor, login: string, ip: string): Promise<void> {
  await db.updateTable('login_throttle').set({ unreported: 0 }).where('login', '=', login).execute();
  await db.deleteFrom('login_throttle').where('login', '=', login).where('ip', '=', ip).execute();
}

/** The operator's unlock: every address may try the login again at once. */
export async function clearLoginThrottle(db: Executor, login: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('login', '=', login).execute();
}

export async function insertSession(
  db: Executor,
  session: {
    id_hash: string;
    user_id: string;
    csrf_token: string;
    expires_at: Date;
    failed_sign_ins: string | null;
    stage: SessionStage;
    ip: string | null;
    user_agent: string | null;
  },
): Promise<void> {
  await db
    .insertInto('user_session')
    .values({ ...session, revoked_at: null })
    .execute();
}

/** A session that is not revoked, not past its absolute expiry and not idle since `idleSince`. */
export function findLiveSession(db: Executor, idHash: string, idleSince: Date) {
  return db
    .selectFrom('user_session')
    .select(['id', 'user_id', 'csrf_token', 'expires_at', 'failed_sign_ins', 'stage', 'second_factor_at'])
    .where('id_hash', '=', idHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .where('last_seen_at', '>', idleSince)
    .executeTakeFirst();
}

/** A live session with its user, in one statement (the request's hook). */
export function liveSessionWithUser(db: Executor, idHash: string, idleSince: Date) {
  return db
    .selectFrom('user_session')
    .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
    .leftJoin('authority', 'authority.id', 'app_user.authority_id')
    .select(actorColumns)
    .select(protectionLevel)
    .select([
      'user_session.id as session_id',
      'user_session.csrf_token',
      'user_session.stage',
      'user_session.second_factor_at',
      'user_session.last_seen_at',
    ])
    .where('user_session.id_hash', '=', idHash)
    .where('user_session.revoked_at', 'is', null)
    .where('user_session.expires_at', '>', new Date())
    .where('user_session.last_seen_at', '>', idleSince)
    .executeTakeFirst();
}

/** Records a session's use (the idle timeout counts from it). */
export async function touchSession(db: Executor, idHash: string, at: Date): Promise<void> {
  await db.updateTable('user_session').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
}

export async function setSessionStage(
  db: Executor,
  idHash: string,
  changes: { stage: SessionStage; second_factor_at?: Date },
): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ ...changes, second_factor_failures: 0 })
    .where('id_hash', '=', idHash)
    .execute();
}

/** Counts a wrong code given in a session; returns how many it has given. */
export async function countSecondFactorFailure(db: Executor, idHash: string): Promise<number> {
  const row = await db
    .updateTable('user_session')
    .set({ second_factor_failures: sql<number>`second_factor_failures + 1` })
    .where('id_hash', '=', idHash)
    .returning('second_factor_failures')
    .executeTakeFirst();
  return row?.second_factor_failures ?? 0;
}

const sessionColumns = [
  'id',
  'created_at',
  'last_seen_at',
  'expires_at',
  'ip',
  'user_agent',
  'stage',
  'id_hash',
] as const;

/** A user's live sessions (not revoked, not expired, not idle), the latest used first. */
export function listUserSessions(db: Executor, userId: string, idleSince: Date) {
  return db
    .selectFrom('user_session')
    .select(sessionColumns)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .where('last_seen_at', '>', idleSince)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

/** Ends one of a user's sessions by its shown id; returns whether one was live. */
export async function revokeUserSessionById(db: Executor, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .updateTable('user_session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** Ends every live session of a user but one; returns how many ended. */
export async function revokeOtherSessions(db: Executor, userId: string, keepHash: string): Promise<number> {
  const rows = await db
    .updateTable('user_session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('id_hash', '<>', keepHash)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

/** The account's authenticator, enrolled and being enrolled, and its wrong codes in a row. */
export function totpOf(db: Executor, userId: string) {
  return db
    .selectFrom('app_user')
    .select([
      'totp_secret_sealed',
      'totp_last_step',
      'totp_pending_sealed',
      'totp_enrolled_at',
      'totp_failures',
      'totp_blocked_until',
    ])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/**
 * Takes a time step for the account: true when it is later than every step used before (and records it), false
 * when a code of this step or a later one was already accepted. One statement: two requests with one code race
 * and one of them wins.
 */
export async function takeTimeStep(db: Executor, userId: string, step: number): Promise<boolean> {
  const rows = await db
    .updateTable('app_user')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function setPendingSecret(db: Executor, userId: string, sealed: string): Promise<void> {
  await db.updateTable('app_user').set({ totp_pending_sealed: sealed }).where('id', '=', userId).execute();
}

/** The pending secret becomes the account's authenticator (its first code's step already taken). */
export async function confirmEnrolment(db: Executor, userId: string, sealed: string, at: Date): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ totp_secret_sealed: sealed, totp_enrolled_at: at, totp_pending_sealed: null })
    .where('id', '=', userId)
    .execute();
}

/**
 * A lost authenticator reset: the account's authenticator and recovery codes are forgotten and its sessions and API
 * tokens end, so it enrols anew at its next sign-in. Run inside the transaction that audits the reset.
 */
export async function resetSecondFactor(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ totp_secret_sealed: null, totp_enrolled_at: null, totp_pending_sealed: null })
    .where('id', '=', userId)
    .execute();
  await db.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
  await revokeUserSessions(db, userId);
  await revokeUserTokens(db, userId);
}

export async function replaceRecoveryCodes(db: Executor, userId: string, hashes: readonly string[]): Promise<void> {
  await db.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_code')
    .values(hashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
    .execute();
}

/** Uses one recovery code: true when it was the account's and unused (it is used now). */
export async function useRecoveryCode(db: Executor, userId: string, hash: string, at: Date): Promise<boolean> {
  const rows = await db
    .updateTable('recovery_code')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .returning('user_id')
    .execute();
  return rows.length > 0;
}

export async function recoveryCodesLeft(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_code')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The account's password hash and the hashes of its last `count` passwords before it. */
export async function passwordHashes(db: Executor, userId: string, count: number): Promise<string[]> {
  const current = await db.selectFrom('app_user').select('password_hash').where('id', '=', userId).executeTakeFirst();
  if (!current) return [];
  if (count <= 1) return [current.password_hash];
  const previous = await db
    .selectFrom('password_history')
    .select('password_hash')
    .where('user_id', '=', userId)
    .orderBy('set_at', 'desc')
    .limit(count - 1)
    .execute();
  return [current.password_hash, ...previous.map((row) => row.password_hash)];
}

/** Sets a new password, keeping the old hash in the history. */
export async function setPassword(db: Executor, userId: string, passwordHash: string, at: Date): Promise<void> {
  await sql`insert into password_history (user_id, password_hash, set_at)
    select id, password_hash, password_changed_at from app_user where id = ${userId}`.execute(db);
  await db
    .updateTable('app_user')
    .set({ password_hash: passwordHash, password_changed_at: at })
    .where('id', '=', userId)
    .execute();
}

export async function revokeSession(db: Executor, idHash: string): Promise<void> {
  await db.updateTable('user_session').set({ revoked_at: new Date() }).where('id_hash', '=', idHash).execute();
}

export async function revokeUserSessions(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeUserTokens(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('api_token')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

const tokenColumns = ['id', 'name', 'prefix', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'] as const;

export function insertToken(
  db: Executor,
  token: { user_id: string; name: string; prefix: string; token_hash: string; expires_at: Date },
) {
  return db
    .insertInto('api_token')
    .values({ ...token, revoked_at: null, last_used_at: null })
    .returning(tokenColumns)
    .executeTakeFirstOrThrow();
}

export function listTokens(db: Executor, userId: string) {
  return db
    .selectFrom('api_token')
    .select(tokenColumns)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** How stale a token's recorded last use may get: within this, a request only reads (no write, no commit flush). */
export const TOKEN_USE_RESOLUTION_MS = 60_000;

/**
 * A live token's owner with its authority, in one statement. Its last use is recorded when the one on record is
 * older than TOKEN_USE_RESOLUTION_MS: most requests read only, so an API client's reads cost no WAL flush.
 */
export function userByToken(db: Executor, tokenHash: string, now: Date) {
  const stale = new Date(now.getTime() - TOKEN_USE_RESOLUTION_MS);
  return db
    .with('touched', (cte) =>
      cte
        .updateTable('api_token')
        .set({ last_used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', stale)]))
        .returning('id'),
    )
    .selectFrom('api_token')
    .innerJoin('app_user', 'app_user.id', 'api_token.user_id')
    .leftJoin('authority', 'authority.id', 'app_user.authority_id')
    .select([...actorColumns, 'api_token.expires_at as token_expires_at'])
    .select(protectionLevel)
    .where('api_token.token_hash', '=', tokenHash)
    .where('api_token.revoked_at', 'is', null)
    .where('api_token.expires_at', '>', now)
    .executeTakeFirst();
}

export function revokeToken(db: Executor, userId: string, tokenId: string) {
  return db
    .updateTable('api_token')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning(tokenColumns)
    .executeTakeFirst();
}

const userColumns = [
  'id',
  'login',
  'display_name',
  'role',
  'authority_id',
  'enterprise_id',
  'active',
  'grant_status',
  'locked_until',
  'created_at',
] as const;

export function insertUser(db: Executor, values: Insertable<AppUserTable>) {
  return db.insertInto('app_user').values(values).returning(userColumns).executeTakeFirstOrThrow();
}

export function listUsers(db: Executor, filter: { role?: Role | undefined }, limit: number, offset: number) {
  let query = db.selectFrom('app_user');
  if (filter.role) query = query.where('role', '=', filter.role);
  return Promise.all([
    query.select(userColumns).orderBy('login').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow(),
  ]);
}

export function getUser(db: Executor, id: string) {
  return db.selectFrom('app_user').select(userColumns).where('id', '=', id).executeTakeFirst();
}

export function updateUser(db: Executor, id: string, changes: Updateable<AppUserTable>) {
  return db.updateTable('app_user').set(changes).where('id', '=', id).returning(userColumns).executeTakeFirstOrThrow();
}

export function findAuthority(db: Executor, id: string) {
  return db
    .selectFrom('authority')
    .select(['id', 'division_code', 'department'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function displayNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('app_user')
    .select(['id', 'display_name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row.display_name]));
}

/** Counts a wrong code against the account; returns how many in a row it has had. */
export async function countTotpFailure(db: Executor, userId: string): Promise<number> {
  const row = await db
    .updateTable('app_user')
    .set({ totp_failures: sql<number>`totp_failures + 1` })
    .where('id', '=', userId)
    .returning('totp_failures')
    .executeTakeFirstOrThrow();
  return row.totp_failures;
}

export async function setTotpBlockedUntil(db: Executor, userId: string, until: Date | null): Promise<void> {
  await db.updateTable('app_user').set({ totp_blocked_until: until }).where('id', '=', userId).execute();
}

/** A right code: the account's run of wrong ones is over. */
export async function clearTotpFailures(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ totp_failures: 0, totp_blocked_until: null })
    .where('id', '=', userId)
    .where('totp_failures', '>', 0)
    .execute();
}
