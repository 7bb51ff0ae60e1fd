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
  'app_user.failed_logins',
  'app_user.locked_until',
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

export async function recordFailedLogin(db: Executor, userId: string, threshold: number, lockMinutes: number) {
  return (
    db
      .updateTable('app_user')
      // A lock that has run out starts the count afresh; reaching the threshold locks (again).
      .set(() => {
        const expired = sql`locked_until IS NOT NULL AND locked_until <= now()`;
        const failures = sql`CASE WHEN ${expired} THEN 1 ELSE failed_logins + 1 END`;
        return {
          failed_logins: sql<number>`${failures}`,
          locked_until: sql<Date | null>`CASE WHEN ${failures} >= ${threshold} THEN now() + make_interval(mins => ${lockMinutes})
          WHEN ${expired} THEN NULL ELSE locked_until END`,
        };
      })
      .where('id', '=', userId)
      .returning(['failed_logins', 'locked_until'])
      .executeTakeFirstOrThrow()
  );
}

export async function clearFailedLogins(db: Executor, userId: string): Promise<void> {
  await db.updateTable('app_user').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
}

export async function insertSession(
  db: Executor,
  session: { id_hash: string; user_id: string; csrf_token: string; expires_at: Date },
): Promise<void> {
  await db
    .insertInto('user_session')
    .values({ ...session, revoked_at: null })
    .execute();
}

export function findLiveSession(db: Executor, idHash: string) {
  return db
    .selectFrom('user_session')
    .select(['user_id', 'csrf_token', 'expires_at'])
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

/** A live token's owner, touching its last use. */
export function useToken(db: Executor, tokenHash: string) {
  return db
    .updateTable('api_token')
    .set({ last_used_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning(['user_id'])
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
