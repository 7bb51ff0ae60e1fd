import { sql, type Insertable, type Updateable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { CategoryCode, IndicatorBatchTable, IndicatorPlanTable } from '../../db/schema.ts';

export function findPlanByYear(db: Executor, year: number) {
  return db.selectFrom('indicator_plan').selectAll().where('year', '=', year).executeTakeFirst();
}

export function findPlanById(db: Executor, id: string) {
  return db.selectFrom('indicator_plan').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listPlans(db: Executor) {
  return db.selectFrom('indicator_plan').selectAll().orderBy('year', 'desc').execute();
}

export async function insertPlan(db: Executor, values: Insertable<IndicatorPlanTable>): Promise<string> {
  return (await db.insertInto('indicator_plan').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

export function batchesOf(db: Executor, planIds: readonly string[]) {
  if (planIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('indicator_batch').selectAll().where('plan_id', 'in', planIds).orderBy('seq').execute();
}

export function lockBatch(db: Executor, id: string) {
  return db.selectFrom('indicator_batch').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function getBatch(db: Executor, id: string) {
  return db.selectFrom('indicator_batch').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function nextBatchSeq(db: Executor, planId: string): Promise<number> {
  const row = await db
    .selectFrom('indicator_batch')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('plan_id', '=', planId)
    .executeTakeFirst();
  return (row?.seq ?? 0) + 1;
}

export async function insertBatch(db: Executor, values: Insertable<IndicatorBatchTable>): Promise<string> {
  return (await db.insertInto('indicator_batch').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateBatch(db: Executor, id: string, changes: Updateable<IndicatorBatchTable>): Promise<void> {
  await db
    .updateTable('indicator_batch')
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .execute();
}

export function totalsOf(db: Executor, batchIds: readonly string[]) {
  if (batchIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('batch_category_total')
    .selectAll()
    .where('batch_id', 'in', batchIds)
    .orderBy('category')
    .execute();
}

export async function replaceTotals(
  db: Executor,
  batchId: string,
  totals: readonly { category: CategoryCode; total_reo_kg: number }[],
): Promise<void> {
  await db.deleteFrom('batch_category_total').where('batch_id', '=', batchId).execute();
  await db
    .insertInto('batch_category_total')
    .values(totals.map((total) => ({ batch_id: batchId, ...total })))
    .execute();
}

export function cosignsOf(db: Executor, batchIds: readonly string[]) {
  if (batchIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('batch_cosign').selectAll().where('batch_id', 'in', batchIds).orderBy('signed_at').execute();
}

export async function insertCosign(
  db: Executor,
  batchId: string,
  authorityId: 'MNR' | 'NDRC',
  userId: string,
): Promise<void> {
  await db
    .insertInto('batch_cosign')
    .values({ batch_id: batchId, authority_id: authorityId, user_id: userId })
    .execute();
}

export async function clearCosigns(db: Executor, batchId: string): Promise<void> {
  await db.deleteFrom('batch_cosign').where('batch_id', '=', batchId).execute();
}
