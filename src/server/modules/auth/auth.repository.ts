import type { Executor } from '../../db/executor.ts';
import type { AppUserTable, Role } from '../../db/schema.ts';
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
] as const;

function userWithAuthority(db: Executor) {
  return db.selectFrom('app_user').leftJoin('authority', 'authority.id', 'app_user.authority_id').select(actorColumns);
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
  session: { id_hash: string; user_id: string; csrf_token: string; expires_at: Date; failed_sign_ins: string | null },
): Promise<void> {
  await db
    .insertInto('user_session')
    .values({ ...session, revoked_at: null })
    .execute();
}

export function findLiveSession(db: Executor, idHash: string) {
  return db
    .selectFrom('user_session')
    .select(['user_id', 'csrf_token', 'expires_at', 'failed_sign_ins'])
    .where('id_hash', '=', idHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
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
