import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { AllocationRunTable, AllocationShareTable, NoticeTable } from '../../db/schema.ts';

export async function insertRun(db: Executor, values: Insertable<AllocationRunTable>): Promise<string> {
  return (await db.insertInto('allocation_run').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

export async function insertShares(db: Executor, shares: Insertable<AllocationShareTable>[]): Promise<void> {
  for (let start = 0; start < shares.length; start += 1000) {
    await db
      .insertInto('allocation_share')
      .values(shares.slice(start, start + 1000))
      .execute();
  }
}

export function getRun(db: Executor, id: string) {
  return db.selectFrom('allocation_run').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockRun(db: Executor, id: string) {
  return db.selectFrom('allocation_run').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function listRuns(
  db: Executor,
  filter: { batchId?: string | undefined; status?: AllocationRunTable['status'] | undefined },
) {
  let query = db.selectFrom('allocation_run').selectAll();
  if (filter.batchId) query = query.where('batch_id', '=', filter.batchId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return query.orderBy('created_at', 'desc').limit(200).execute();
}

export function sharesOf(db: Executor, runIds: readonly string[]) {
  if (runIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('allocation_share').selectAll().where('run_id', 'in', runIds).orderBy('holder_id').execute();
}

export async function updateRun(db: Executor, id: string, changes: Updateable<AllocationRunTable>): Promise<void> {
  await db.updateTable('allocation_run').set(changes).where('id', '=', id).execute();
}

/** Other proposals for the same batch, category and group give way when one is approved. */
export async function withdrawOtherProposals(
  db: Executor,
  run: { id: string; batch_id: string; category: string; group_id: string | null },
): Promise<void> {
  let query = db
    .updateTable('allocation_run')
    .set({ status: 'withdrawn' })
    .where('batch_id', '=', run.batch_id)
    .where('category', '=', run.category as AllocationRunTable['category'])
    .where('status', '=', 'proposed')
    .where('id', '<>', run.id);
  query = run.group_id === null ? query.where('group_id', 'is', null) : query.where('group_id', '=', run.group_id);
  await query.execute();
}

/** The issued national run's share for a group: what the group sub-allocates. */
export function issuedGroupShare(db: Executor, batchId: string, category: string, groupId: string) {
  return db
    .selectFrom('allocation_share')
    .innerJoin('allocation_run', 'allocation_run.id', 'allocation_share.run_id')
    .select(['allocation_share.reo_kg', 'allocation_run.id as run_id', 'allocation_run.due_on'])
    .where('allocation_run.batch_id', '=', batchId)
    .where('allocation_run.category', '=', category as AllocationRunTable['category'])
    .where('allocation_run.level', '=', 'national')
    .where('allocation_run.status', '=', 'issued')
    .where('allocation_share.holder_kind', '=', 'group')
    .where('allocation_share.holder_id', '=', groupId)
    .executeTakeFirst();
}

export async function insertNotices(db: Executor, notices: Insertable<NoticeTable>[]): Promise<void> {
  if (notices.length === 0) return;
  await db
    .insertInto('notice')
    .values(notices)
    .onConflict((oc) => oc.columns(['run_id', 'recipient_kind', 'recipient_id']).doNothing())
    .execute();
}

export function noticesFor(db: Executor, recipients: { kind: 'enterprise' | 'authority'; id: string }[]) {
  if (recipients.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('notice')
    .selectAll()
    .where((eb) =>
      eb.or(
        recipients.map((recipient) =>
          eb.and([eb('recipient_kind', '=', recipient.kind), eb('recipient_id', '=', recipient.id)]),
        ),
      ),
    )
    .orderBy('sent_at', 'desc')
    .limit(200)
    .execute();
}

export function getNotice(db: Executor, id: string) {
  return db.selectFrom('notice').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function markNoticeRead(db: Executor, id: string, userId: string): Promise<void> {
  await db
    .updateTable('notice')
    .set({ read_at: new Date(), read_by: userId })
    .where('id', '=', id)
    .where('read_at', 'is', null)
    .execute();
}

export function noticesOfRun(db: Executor, runId: string) {
  return db
    .selectFrom('notice')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('recipient_kind')
    .orderBy('recipient_id')
    .execute();
}
