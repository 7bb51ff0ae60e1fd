import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type {
  CompilationTable,
  ReportDeadlineRuleTable,
  ReportReminderTable,
  ReportTable,
} from '../../db/schema-reporting.ts';
import type { PeriodKind } from './reporting.rules.ts';

/** The only SQL over the reporting tables. */

export type ReportRow = Selectable<ReportTable>;
export type CompilationRow = Selectable<CompilationTable>;
export type ReturnRow = { subject_id: string; reason: string; returned_by: string; returned_at: Date };

export async function deadlineRules(db: Executor): Promise<Selectable<ReportDeadlineRuleTable>[]> {
  return db
    .selectFrom('report_deadline_rule')
    .selectAll()
    .distinctOn(['level', 'period_kind'])
    .orderBy('level')
    .orderBy('period_kind')
    .orderBy('id', 'desc')
    .execute();
}

export async function insertDeadlineRule(tx: Executor, rule: Insertable<ReportDeadlineRuleTable>) {
  return tx.insertInto('report_deadline_rule').values(rule).returningAll().executeTakeFirstOrThrow();
}

export async function publicKeys(db: Executor, owners: readonly string[]): Promise<Map<string, string>> {
  if (owners.length === 0) return new Map();
  const rows = await db
    .selectFrom('signing_key')
    .select(['owner', 'public_key_pem'])
    .where('owner', 'in', [...owners])
    .execute();
  return new Map(rows.map((row) => [row.owner, row.public_key_pem]));
}

/** Serialises the versions of one enterprise-period (or division-period) within a transaction. */
export async function lockSubject(tx: Executor, subject: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`reporting:${subject}`}, 0))`.execute(tx);
}

export async function insertReport(tx: Executor, row: Insertable<ReportTable>): Promise<ReportRow> {
  return tx.insertInto('report').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function reportById(db: Executor, id: string) {
  return db.selectFrom('report').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function reportByKey(db: Executor, enterpriseId: string, key: string) {
  return db
    .selectFrom('report')
    .selectAll()
    .where('enterprise_id', '=', enterpriseId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/** Every version of the given enterprises' reports for a period, oldest first. */
export async function reportsOf(
  db: Executor,
  enterpriseIds: readonly string[] | null,
  kind: PeriodKind,
  first: string,
) {
  if (enterpriseIds !== null && enterpriseIds.length === 0) return [];
  let query = db.selectFrom('report').selectAll().where('period_kind', '=', kind).where('period', '=', first);
  if (enterpriseIds !== null) query = query.where('enterprise_id', 'in', [...enterpriseIds]);
  return query.orderBy('enterprise_id').orderBy('version').execute();
}

/** One enterprise's reports of a year's months (every version), for the cumulative figures. */
export async function monthReportsOfYear(db: Executor, enterpriseId: string, year: number) {
  return db
    .selectFrom('report')
    .selectAll()
    .where('enterprise_id', '=', enterpriseId)
    .where('period_kind', '=', 'month')
    .where('period', '>=', `${year}-01-01`)
    .where('period', '<=', `${year}-12-01`)
    .orderBy('period')
    .orderBy('version')
    .execute();
}

export async function insertCompilation(tx: Executor, row: Insertable<CompilationTable>): Promise<CompilationRow> {
  return tx.insertInto('compilation').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function compilationById(db: Executor, id: string) {
  return db.selectFrom('compilation').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function compilationByKey(db: Executor, divisionCode: string, key: string) {
  return db
    .selectFrom('compilation')
    .selectAll()
    .where('division_code', '=', divisionCode)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/** Every version of the given divisions' compilations for a period, oldest first. */
export async function compilationsOf(db: Executor, codes: readonly string[] | null, kind: PeriodKind, first: string) {
  if (codes !== null && codes.length === 0) return [];
  let query = db.selectFrom('compilation').selectAll().where('period_kind', '=', kind).where('period', '=', first);
  if (codes !== null) query = query.where('division_code', 'in', [...codes]);
  return query.orderBy('division_code').orderBy('version').execute();
}

export async function insertForward(
  tx: Executor,
  row: { compilation_id: string; late: boolean; forwarded_by: string; forwarded_at: Date },
) {
  const inserted = await tx
    .insertInto('compilation_forward')
    .values(row)
    .onConflict((conflict) => conflict.column('compilation_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted;
}

export async function forwardsOf(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, { late: boolean; forwarded_at: Date; forwarded_by: string }>();
  const rows = await db
    .selectFrom('compilation_forward')
    .selectAll()
    .where('compilation_id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.compilation_id, row]));
}

export async function insertReturn(
  tx: Executor,
  row: {
    subject_type: 'report' | 'compilation';
    subject_id: string;
    reason: string;
    returned_by: string;
    returned_at: Date;
  },
) {
  return tx
    .insertInto('report_return')
    .values(row)
    .onConflict((conflict) => conflict.columns(['subject_type', 'subject_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function returnsOf(
  db: Executor,
  type: 'report' | 'compilation',
  ids: readonly string[],
): Promise<Map<string, ReturnRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('report_return')
    .select(['subject_id', 'reason', 'returned_by', 'returned_at'])
    .where('subject_type', '=', type)
    .where('subject_id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.subject_id, row]));
}

export async function insertReminders(tx: Executor, rows: readonly Insertable<ReportReminderTable>[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insertInto('report_reminder')
    .values([...rows])
    .onConflict((conflict) =>
      conflict.columns(['target_type', 'target_code', 'period_kind', 'period', 'sent_on']).doNothing(),
    )
    .returning('id')
    .execute();
  return inserted.length;
}

export async function remindersFor(
  db: Executor,
  targets: readonly { type: 'enterprise' | 'division'; code: string }[],
) {
  if (targets.length === 0) return [];
  return db
    .selectFrom('report_reminder')
    .selectAll()
    .where((eb) =>
      eb.or(
        targets.map((target) => eb.and([eb('target_type', '=', target.type), eb('target_code', '=', target.code)])),
      ),
    )
    .orderBy('sent_at', 'desc')
    .limit(200)
    .execute();
}

/** The versions that replaced these (report or compilation ids → the id of the version naming them). */
export async function successorsOf(
  db: Executor,
  table: 'report' | 'compilation',
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom(table)
    .select(['id', 'replaces_id'])
    .where('replaces_id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.replaces_id!, row.id]));
}
