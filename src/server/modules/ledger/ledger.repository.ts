import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { LedgerAccountKind, LedgerEntryTable } from '../../db/schema.ts';

export interface AccountKey {
  readonly kind: LedgerAccountKind;
  readonly holderId: string;
  readonly year: number;
  readonly category: string;
  readonly enterpriseId?: string | null;
}

/** The account's id, created on first use; with `lock`, locked for the rest of the transaction. */
export async function accountId(tx: Executor, key: AccountKey, lock: boolean): Promise<number> {
  await tx
    .insertInto('ledger_account')
    .values({
      kind: key.kind,
      holder_id: key.holderId,
      year: key.year,
      category: key.category,
      enterprise_id: key.enterpriseId ?? null,
    })
    .onConflict((oc) => oc.columns(['kind', 'holder_id', 'year', 'category']).doNothing())
    .execute();
  const query = tx
    .selectFrom('ledger_account')
    .select('id')
    .where('kind', '=', key.kind)
    .where('holder_id', '=', key.holderId)
    .where('year', '=', key.year)
    .where('category', '=', key.category);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Credits minus debits: what the account holds. */
export async function balanceOf(db: Executor, accountId: number): Promise<number> {
  const row = await sql<{ balance: string }>`
    SELECT coalesce(sum(CASE WHEN credit_account_id = ${accountId} THEN reo_kg ELSE -reo_kg END), 0) AS balance
    FROM ledger_entry WHERE credit_account_id = ${accountId} OR debit_account_id = ${accountId}`.execute(db);
  return Number(row.rows[0]?.balance ?? 0);
}

export function findEntryByKey(db: Executor, key: string) {
  return db.selectFrom('ledger_entry').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

export async function insertEntry(db: Executor, entry: Insertable<LedgerEntryTable>) {
  return db.insertInto('ledger_entry').values(entry).returningAll().executeTakeFirstOrThrow();
}

export interface HolderMovement {
  category: string;
  kind: string;
  direction: 'in' | 'out';
  reo_kg: number;
  over_balance: boolean;
}

/** Every movement in or out of one holder's accounts in a year, summed by category, kind and direction. */
export async function movementsOf(
  db: Executor,
  kind: LedgerAccountKind,
  holderId: string,
  year: number,
): Promise<HolderMovement[]> {
  const result = await sql<{
    category: string;
    kind: string;
    direction: 'in' | 'out';
    reo_kg: string;
    over_balance: boolean;
  }>`
    SELECT a.category, e.kind,
           CASE WHEN e.credit_account_id = a.id THEN 'in' ELSE 'out' END AS direction,
           sum(e.reo_kg) AS reo_kg, bool_or(e.over_balance) AS over_balance
    FROM ledger_account a
    JOIN ledger_entry e ON e.credit_account_id = a.id OR e.debit_account_id = a.id
    WHERE a.kind = ${kind} AND a.holder_id = ${holderId} AND a.year = ${year}
    GROUP BY a.category, e.kind, direction`.execute(db);
  return result.rows.map((row) => ({ ...row, reo_kg: Number(row.reo_kg) }));
}

export function entriesOf(db: Executor, kind: LedgerAccountKind, holderId: string, year: number, limit: number) {
  return db
    .selectFrom('ledger_entry as e')
    .innerJoin('ledger_account as a', (join) =>
      join.on(sql<boolean>`e.credit_account_id = a.id OR e.debit_account_id = a.id`),
    )
    .selectAll('e')
    .select(sql<'in' | 'out'>`CASE WHEN e.credit_account_id = a.id THEN 'in' ELSE 'out' END`.as('direction'))
    .where('a.kind', '=', kind)
    .where('a.holder_id', '=', holderId)
    .where('a.year', '=', year)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}

/** Sum of every account's balance for a year: zero, always, in a double-entry ledger. */
export async function trialBalance(db: Executor, year: number): Promise<{ accounts: number; sum: number }> {
  const result = await sql<{ accounts: string; total: string }>`
    SELECT count(*) AS accounts, coalesce(sum(balance), 0) AS total FROM (
      SELECT a.id, coalesce(sum(CASE WHEN e.credit_account_id = a.id THEN e.reo_kg ELSE -e.reo_kg END), 0) AS balance
      FROM ledger_account a LEFT JOIN ledger_entry e ON e.credit_account_id = a.id OR e.debit_account_id = a.id
      WHERE a.year = ${year} GROUP BY a.id) balances`.execute(db);
  return { accounts: Number(result.rows[0]?.accounts ?? 0), sum: Number(result.rows[0]?.total ?? 0) };
}

export async function accountCategories(db: Executor, kind: LedgerAccountKind, holderId: string, year: number) {
  const rows = await db
    .selectFrom('ledger_account')
    .select('category')
    .where('kind', '=', kind)
    .where('holder_id', '=', holderId)
    .where('year', '=', year)
    .execute();
  return rows.map((row) => row.category);
}

export interface OverdrawnAccount {
  enterprise_id: string;
  category: string;
  allocated: number;
  consumed: number;
}

/** Enterprise accounts of a year whose consumption has passed what they were given (balance below zero). */
export async function overdrawnEnterpriseAccounts(db: Executor, year: number): Promise<OverdrawnAccount[]> {
  const rows = await sql<OverdrawnAccount>`
    SELECT a.holder_id::uuid AS enterprise_id, a.category,
           coalesce(sum(CASE WHEN e.credit_account_id = a.id AND e.kind <> 'reverse' THEN e.reo_kg
                             WHEN e.debit_account_id = a.id AND e.kind IN ('adjust', 'reduce') THEN -e.reo_kg ELSE 0 END), 0)::float8 AS allocated,
           coalesce(sum(CASE WHEN e.debit_account_id = a.id AND e.kind = 'consume' THEN e.reo_kg
                             WHEN e.credit_account_id = a.id AND e.kind = 'reverse' THEN -e.reo_kg ELSE 0 END), 0)::float8 AS consumed
    FROM ledger_account a JOIN ledger_entry e ON e.credit_account_id = a.id OR e.debit_account_id = a.id
    WHERE a.kind = 'enterprise' AND a.year = ${year}
    GROUP BY a.holder_id, a.category
    HAVING sum(CASE WHEN e.credit_account_id = a.id THEN e.reo_kg ELSE -e.reo_kg END) < 0`.execute(db);
  return rows.rows;
}

export interface EnterpriseMovement extends HolderMovement {
  enterprise_id: string;
}

/**
 * Every movement in or out of the enterprise accounts of a year (all of them, or those of the enterprises
 * named), summed by enterprise, category, kind and direction: the dashboards' figures in one query.
 */
export async function enterpriseMovementsOfYear(
  db: Executor,
  year: number,
  enterpriseIds: readonly string[] | null,
): Promise<EnterpriseMovement[]> {
  if (enterpriseIds !== null && enterpriseIds.length === 0) return [];
  const only = enterpriseIds === null ? sql`` : sql`AND a.enterprise_id = ANY(${[...enterpriseIds]}::uuid[])`;
  const result = await sql<{
    enterprise_id: string;
    category: string;
    kind: string;
    direction: 'in' | 'out';
    reo_kg: string;
    over_balance: boolean;
  }>`
    SELECT a.enterprise_id::text AS enterprise_id, a.category, m.kind, m.direction,
           sum(m.reo_kg) AS reo_kg, bool_or(m.over_balance) AS over_balance
    FROM ledger_account a
    CROSS JOIN LATERAL (
      SELECT e.kind, 'in' AS direction, e.reo_kg, e.over_balance FROM ledger_entry e WHERE e.credit_account_id = a.id
      UNION ALL
      SELECT e.kind, 'out' AS direction, e.reo_kg, e.over_balance FROM ledger_entry e WHERE e.debit_account_id = a.id
    ) m
    WHERE a.kind = 'enterprise' AND a.year = ${year} ${only}
    GROUP BY a.enterprise_id, a.category, m.kind, m.direction`.execute(db);
  return result.rows.map((row) => ({ ...row, reo_kg: Number(row.reo_kg) }));
}
