import type { Insertable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { AccountGrantTable, GrantStatus, PrivilegedRole, Role } from '../../db/schema.ts';

const grantColumns = [
  'account_grant.id',
  'account_grant.user_id',
  'subject.login',
  'subject.display_name',
  'account_grant.kind',
  'account_grant.role',
  'account_grant.authority_id',
  'authority.name as authority_name',
  'account_grant.previous_role',
  'account_grant.previous_authority_id',
  'account_grant.previous_enterprise_id',
  'account_grant.approver_role',
  'account_grant.approver_authority_id',
  'approver.name as approver_authority_name',
  'account_grant.proposed_by',
  'proposer.login as proposed_by_login',
  'account_grant.proposed_at',
  'account_grant.status',
  'account_grant.decided_by',
  'decider.login as decided_by_login',
  'account_grant.decided_at',
  'account_grant.reason',
] as const;

function grantsWithNames(db: Executor) {
  return db
    .selectFrom('account_grant')
    .innerJoin('app_user as subject', 'subject.id', 'account_grant.user_id')
    .innerJoin('app_user as proposer', 'proposer.id', 'account_grant.proposed_by')
    .leftJoin('app_user as decider', 'decider.id', 'account_grant.decided_by')
    .leftJoin('authority', 'authority.id', 'account_grant.authority_id')
    .leftJoin('authority as approver', 'approver.id', 'account_grant.approver_authority_id')
    .select(grantColumns);
}
export type GrantRow = NonNullable<Awaited<ReturnType<typeof findGrant>>>;

export function findGrant(db: Executor, id: string) {
  return grantsWithNames(db).where('account_grant.id', '=', id).executeTakeFirst();
}

export async function insertGrant(db: Executor, values: Insertable<AccountGrantTable>): Promise<string> {
  const row = await db.insertInto('account_grant').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** The latest proposal of each of these accounts. */
export async function latestGrants(db: Executor, userIds: readonly string[]): Promise<Map<string, GrantRow>> {
  if (userIds.length === 0) return new Map();
  const rows = await grantsWithNames(db)
    .where('account_grant.user_id', 'in', [...new Set(userIds)])
    .distinctOn('account_grant.user_id')
    .orderBy('account_grant.user_id')
    .orderBy('account_grant.proposed_at', 'desc')
    .orderBy('account_grant.id')
    .execute();
  return new Map(rows.map((row) => [row.user_id, row]));
}

/** An account's open proposal, locked for the decision. */
export function lockPendingGrant(db: Executor, userId: string) {
  return db
    .selectFrom('account_grant')
    .select(['id', 'user_id', 'kind', 'role', 'authority_id', 'proposed_by', 'approver_role', 'approver_authority_id'])
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .forUpdate()
    .executeTakeFirst();
}

export async function decideGrant(
  db: Executor,
  id: string,
  decision: { status: Exclude<GrantStatus, 'pending'>; decided_by: string; reason: string | null },
): Promise<void> {
  await db
    .updateTable('account_grant')
    .set({ ...decision, decided_at: new Date() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
}

/** The proposals one approver decides: those whose approving authority (or, for oversight, role) is theirs. */
export function listGrants(
  db: Executor,
  filter: { approverRole: PrivilegedRole; approverAuthorityId: string | null; status: GrantStatus },
  limit: number,
  offset: number,
) {
  let query = db
    .selectFrom('account_grant')
    .where('account_grant.approver_role', '=', filter.approverRole)
    .where('account_grant.status', '=', filter.status);
  query =
    filter.approverAuthorityId === null
      ? query.where('account_grant.approver_authority_id', 'is', null)
      : query.where('account_grant.approver_authority_id', '=', filter.approverAuthorityId);
  const ids = query.select('account_grant.id');
  return Promise.all([
    grantsWithNames(db)
      .where('account_grant.id', 'in', ids)
      .orderBy('account_grant.proposed_at', 'desc')
      .orderBy('account_grant.id')
      .limit(limit)
      .offset(offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow(),
  ]);
}

/**
 * Whether an authority (null: any, for oversight) has an active, approved account of the given role other than
 * `except` (the account a grant is for).
 */
export async function isStaffed(
  db: Executor,
  role: Role,
  authorityId: string | null,
  except: string,
): Promise<boolean> {
  let query = db
    .selectFrom('app_user')
    .select('id')
    .where('role', '=', role)
    .where('active', '=', true)
    .where('grant_status', '=', 'approved')
    .where('id', '<>', except);
  if (authorityId !== null) query = query.where('authority_id', '=', authorityId);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * An authority and the same department at each division above it, nearest first (a ministry: itself alone),
 * with the department of the line.
 */
export async function authorityLine(db: Executor, authorityId: string) {
  const start = await db
    .selectFrom('authority')
    .select(['id', 'department', 'division_code'])
    .where('id', '=', authorityId)
    .executeTakeFirstOrThrow();
  const line: { id: string; national: boolean }[] = [];
  let current: { id: string; division_code: string | null } | undefined = start;
  while (current) {
    line.push({ id: current.id, national: current.division_code === null });
    if (current.division_code === null) break;
    const division: { parent_code: string | null } | undefined = await db
      .selectFrom('division')
      .select('parent_code')
      .where('code', '=', current.division_code)
      .executeTakeFirst();
    current = division?.parent_code
      ? await db
          .selectFrom('authority')
          .select(['id', 'division_code'])
          .where('division_code', '=', division.parent_code)
          .where('department', '=', start.department)
          .executeTakeFirst()
      : undefined;
  }
  return { department: start.department, line };
}

/** Applies an approved grant (or its refusal of a new account) to the account. */
export async function setAccountGrant(
  db: Executor,
  userId: string,
  changes: { grant_status: GrantStatus; role?: Role; authority_id?: string | null; enterprise_id?: string | null },
): Promise<void> {
  await db.updateTable('app_user').set(changes).where('id', '=', userId).executeTakeFirstOrThrow();
}
