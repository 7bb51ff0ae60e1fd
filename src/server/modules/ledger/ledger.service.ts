import type { Executor } from '../../db/executor.ts';
import type { LedgerEntryKind } from '../../db/schema.ts';
import { todayInShanghai } from '../../shared/clock.ts';
import { conflict, invalidField, notFound } from '../../shared/errors.ts';
import { claimIdempotencyKey } from '../../shared/idempotency.ts';
import * as repo from './ledger.repository.ts';
import { elapsedShareOfYearPpm, quotaLines, type QuotaLine } from './ledger.rules.ts';

export interface Transfer {
  readonly kind: LedgerEntryKind;
  readonly year: number;
  readonly category: string;
  readonly from: repo.AccountKey;
  readonly to: repo.AccountKey;
  readonly reoKg: number;
  /** Client- or caller-made key: the same transfer again returns the first entry and changes nothing. */
  readonly key: string;
  readonly reference: string;
  readonly memo?: string;
  readonly createdBy: string;
  readonly enterpriseId?: string | null;
  /** Consumption may take an account below zero (recorded and flagged, never capped); nothing else may. */
  readonly allowOverdraw?: boolean;
  readonly reversesEntryId?: number;
}

export type LedgerEntry = NonNullable<Awaited<ReturnType<typeof repo.findEntryByKey>>>;

function sameTransfer(entry: LedgerEntry, transfer: Transfer): boolean {
  return (
    entry.kind === transfer.kind &&
    Number(entry.reo_kg) === transfer.reoKg &&
    entry.year === transfer.year &&
    entry.category === transfer.category &&
    entry.reference === transfer.reference
  );
}

/**
 * Moves quota between two accounts as one immutable entry. Both accounts are locked (in a fixed order, so
 * two transfers never deadlock) and the source's balance is checked under the lock: two officials issuing
 * from the same pool at the same moment are serialised, and the second sees what the first took.
 * Call inside a transaction.
 */
export async function transfer(tx: Executor, transfer: Transfer): Promise<{ entry: LedgerEntry; replayed: boolean }> {
  if (!Number.isSafeInteger(transfer.reoKg) || transfer.reoKg <= 0)
    throw invalidField('reo_kg', 'must be a whole, positive number of kg');
  // Under the key's lock: a duplicate sent at the same moment waits, then finds this entry and replays it.
  await claimIdempotencyKey(tx, { scope: 'ledger.transfer', owner: '', key: transfer.key });
  const existing = await repo.findEntryByKey(tx, transfer.key);
  if (existing) {
    if (!sameTransfer(existing, transfer))
      throw conflict(`Key ${transfer.key} was used for a different ledger entry.`, [
        { field: 'key', message: 'is used already' },
      ]);
    return { entry: existing, replayed: true };
  }
  // Only the account whose balance is read is locked: a credit can only raise a balance, so a credit made meanwhile
  // never falsifies another transfer's check. So the national `consumed` account, credited by every mine's
  // production, is no queue at month end.
  const checked = transfer.from.kind !== 'approved';
  const fromId = await repo.accountId(tx, transfer.from, checked);
  const toId = await repo.accountId(tx, transfer.to, false);
  const balance = checked ? await repo.balanceOf(tx, fromId) : Number.POSITIVE_INFINITY;
  const overBalance = transfer.reoKg > balance;
  if (overBalance && !transfer.allowOverdraw) {
    throw conflict(
      `Only ${balance} kg REO remain in ${describe(transfer.from)}; ${transfer.reoKg} kg cannot be taken from it.`,
      [{ field: 'reo_kg', message: `exceeds the ${balance} kg remaining` }],
    );
  }
  const entry = await repo.insertEntry(tx, {
    idempotency_key: transfer.key,
    kind: transfer.kind,
    year: transfer.year,
    category: transfer.category,
    debit_account_id: fromId,
    credit_account_id: toId,
    reo_kg: transfer.reoKg,
    reference: transfer.reference,
    memo: transfer.memo ?? '',
    over_balance: overBalance,
    enterprise_id: transfer.enterpriseId ?? null,
    created_by: transfer.createdBy,
    reverses_entry_id: transfer.reversesEntryId === undefined ? null : String(transfer.reversesEntryId),
  });
  return { entry, replayed: false };
}

function describe(key: repo.AccountKey): string {
  return `the ${key.kind.replace('_', ' ')} account of ${key.holderId} (${key.year}, ${key.category})`;
}

export const accounts = {
  approved: (year: number, category: string): repo.AccountKey => ({
    kind: 'approved',
    holderId: 'state_council',
    year,
    category,
  }),
  pool: (year: number, category: string): repo.AccountKey => ({
    kind: 'national_pool',
    holderId: 'national',
    year,
    category,
  }),
  group: (groupId: string, year: number, category: string): repo.AccountKey => ({
    kind: 'group',
    holderId: groupId,
    year,
    category,
  }),
  enterprise: (enterpriseId: string, year: number, category: string): repo.AccountKey => ({
    kind: 'enterprise',
    holderId: enterpriseId,
    year,
    category,
    enterpriseId,
  }),
  consumed: (year: number, category: string): repo.AccountKey => ({
    kind: 'consumed',
    holderId: 'production',
    year,
    category,
  }),
  reduced: (year: number, category: string): repo.AccountKey => ({
    kind: 'reduced',
    holderId: 'art14',
    year,
    category,
  }),
};

export interface Consumption {
  readonly enterpriseId: string;
  readonly year: number;
  readonly category: string;
  readonly reoKg: number;
  /** The flow record (or other source) this production comes from: its id makes the posting idempotent. */
  readonly sourceId: string;
  readonly createdBy: string;
}

/**
 * The interface production posts through (Art. 8): mining and separation output consumes the enterprise's
 * quota. Consumption beyond the balance is recorded and flagged (`over_balance`), never silently capped.
 */
export async function postConsumption(tx: Executor, consumption: Consumption) {
  return transfer(tx, {
    kind: 'consume',
    year: consumption.year,
    category: consumption.category,
    from: accounts.enterprise(consumption.enterpriseId, consumption.year, consumption.category),
    to: accounts.consumed(consumption.year, consumption.category),
    reoKg: consumption.reoKg,
    key: `consume:${consumption.sourceId}`,
    reference: consumption.sourceId,
    createdBy: consumption.createdBy,
    enterpriseId: consumption.enterpriseId,
    allowOverdraw: true,
  });
}

/** Undoes a consumption (its source was corrected), once. */
export async function reverseConsumption(tx: Executor, sourceId: string, createdBy: string) {
  const original = await repo.findEntryByKey(tx, `consume:${sourceId}`);
  if (!original) throw notFound(`Consumption from ${sourceId}`);
  const enterpriseId = original.enterprise_id!;
  return transfer(tx, {
    kind: 'reverse',
    year: original.year,
    category: original.category,
    from: accounts.consumed(original.year, original.category),
    to: accounts.enterprise(enterpriseId, original.year, original.category),
    reoKg: Number(original.reo_kg),
    key: `reverse:${sourceId}`,
    reference: sourceId,
    createdBy,
    enterpriseId,
    allowOverdraw: true,
    reversesEntryId: Number(original.id),
  });
}

/** An enterprise's quota for a year: allocated, consumed, remaining, utilisation against the year elapsed. */
export async function enterpriseQuota(db: Executor, enterpriseId: string, year: number, today = todayInShanghai()) {
  const lines = quotaLines(await repo.movementsOf(db, 'enterprise', enterpriseId, year));
  return { enterprise_id: enterpriseId, year, elapsed_ppm: elapsedShareOfYearPpm(year, today), lines };
}

export async function holderQuota(db: Executor, kind: 'group' | 'national_pool', holderId: string, year: number) {
  return quotaLines(await repo.movementsOf(db, kind, holderId, year));
}

export async function enterpriseEntries(db: Executor, enterpriseId: string, year: number, limit = 200) {
  const rows = await repo.entriesOf(db, 'enterprise', enterpriseId, year, limit);
  return rows.map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    category: row.category,
    direction: row.direction,
    reo_kg: Number(row.reo_kg),
    reference: row.reference,
    memo: row.memo,
    over_balance: row.over_balance,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
  }));
}

export const trialBalance = repo.trialBalance;

/**
 * Gives back part of what production consumed (an amendment lowered or withdrew a flow record): a `reverse`
 * entry from the consumed account to the enterprise, keyed by its source so it happens once.
 */
export async function returnConsumption(tx: Executor, consumption: Consumption) {
  return transfer(tx, {
    kind: 'reverse',
    year: consumption.year,
    category: consumption.category,
    from: accounts.consumed(consumption.year, consumption.category),
    to: accounts.enterprise(consumption.enterpriseId, consumption.year, consumption.category),
    reoKg: consumption.reoKg,
    key: `return:${consumption.sourceId}`,
    reference: consumption.sourceId,
    createdBy: consumption.createdBy,
    enterpriseId: consumption.enterpriseId,
    allowOverdraw: true,
  });
}

/** The categories in which an enterprise holds an account for a year (what it was allocated in). */
export async function enterpriseCategories(db: Executor, enterpriseId: string, year: number): Promise<Set<string>> {
  return new Set(await repo.accountCategories(db, 'enterprise', enterpriseId, year));
}

/** Enterprise accounts of a year that production has overdrawn (the quota check's evidence). */
export async function overdrawnAccounts(db: Executor, year: number) {
  return repo.overdrawnEnterpriseAccounts(db, year);
}

/**
 * The quota lines of many enterprises for a year (all, or those named), from one query and folded by the same
 * rules as `enterpriseQuota`: each enterprise's lines equal what its own quota shows.
 */
export async function enterpriseQuotaLinesOfYear(
  db: Executor,
  year: number,
  enterpriseIds: readonly string[] | null,
): Promise<Map<string, QuotaLine[]>> {
  const byEnterprise = new Map<string, repo.EnterpriseMovement[]>();
  for (const movement of await repo.enterpriseMovementsOfYear(db, year, enterpriseIds)) {
    const list = byEnterprise.get(movement.enterprise_id);
    if (list) list.push(movement);
    else byEnterprise.set(movement.enterprise_id, [movement]);
  }
  return new Map([...byEnterprise].map(([enterpriseId, movements]) => [enterpriseId, quotaLines(movements)]));
}
