import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { SupervisionAnnualReportTable } from '../../db/schema-supervision.ts';
import { escapeLike } from '../../shared/sql.ts';
import type { DecisionRecord, EnterpriseRecord, InspectionRecord } from './annual-report.rules.ts';

/**
 * The SQL of the provincial annual supervision report (Art. 12 ¶3): the year's records of the enterprises
 * domiciled in a province (by the code prefix of their domicile), and the submitted versions.
 */

interface YearRange {
  /** The two digits of the province. */
  readonly prefix: string;
  readonly from: string;
  readonly to: string;
}

const domiciledIn = (prefix: string) => `${escapeLike(prefix)}%`;

/** A province-level division of the register, or undefined. */
export function provinceByCode(db: Executor, code: string) {
  return db
    .selectFrom('division')
    .select(['code', 'name'])
    .where('code', '=', code)
    .where('level', '=', 'province')
    .executeTakeFirst();
}

/** Every province-level division of the register, by code. */
export function provinces(db: Executor) {
  return db.selectFrom('division').select(['code', 'name']).where('level', '=', 'province').orderBy('code').execute();
}

/** Inspections of the province's enterprises planned or visited in the year. */
export async function inspectionsOfYear(db: Executor, range: YearRange): Promise<InspectionRecord[]> {
  const rows = await db
    .selectFrom('inspection')
    .innerJoin('enterprise', 'enterprise.id', 'inspection.enterprise_id')
    .select([
      'inspection.id',
      'inspection.enterprise_id',
      'enterprise.name as enterprise_name',
      'enterprise.credit_code',
      'inspection.division_code',
      'inspection.department',
      'inspection.planned_on',
      'inspection.visited_on',
      'inspection.outcome',
    ])
    .where('enterprise.domicile_code', 'like', domiciledIn(range.prefix))
    .where((eb) =>
      eb.or([
        eb.between('inspection.planned_on', range.from, range.to),
        eb.between('inspection.visited_on', range.from, range.to),
      ]),
    )
    .execute();
  return rows.map((row) => ({ ...row, credit_code: row.credit_code.trim() }));
}

/** The type of each violation of the province's enterprises found in the year. */
export async function violationTypesOfYear(db: Executor, range: YearRange): Promise<string[]> {
  const rows = await db
    .selectFrom('violation')
    .innerJoin('enterprise', 'enterprise.id', 'violation.enterprise_id')
    .select('violation.type')
    .where('enterprise.domicile_code', 'like', domiciledIn(range.prefix))
    .where('violation.found_on', '>=', range.from)
    .where('violation.found_on', '<=', range.to)
    .execute();
  return rows.map((row) => row.type);
}

/** Decisions on the province's enterprises decided in the year, with their follow-up state now. */
export async function decisionsOfYear(db: Executor, range: YearRange): Promise<DecisionRecord[]> {
  const rows = await db
    .selectFrom('decision')
    .innerJoin('enterprise', 'enterprise.id', 'decision.enterprise_id')
    .select([
      'decision.id',
      'decision.enterprise_id',
      'enterprise.name as enterprise_name',
      'decision.kind',
      'decision.status',
      'decision.document_no',
      'decision.decided_on',
      'decision.correction_due_on',
      sql<string | null>`decision.fine_yuan::text`.as('fine_yuan'),
      'decision.final',
      'decision.revoked_on',
    ])
    .where('enterprise.domicile_code', 'like', domiciledIn(range.prefix))
    .where('decision.decided_on', '>=', range.from)
    .where('decision.decided_on', '<=', range.to)
    .execute();
  return rows.map((row) => ({ ...row, fine_yuan: row.fine_yuan === null ? null : Number(row.fine_yuan) }));
}

/** The enterprises domiciled in the province and designated on at least one day of the year. */
export async function designatedInYear(db: Executor, range: YearRange): Promise<EnterpriseRecord[]> {
  const rows = await db
    .selectFrom('enterprise')
    .select(['enterprise.id', 'enterprise.name', 'enterprise.credit_code', 'enterprise.domicile_code'])
    .where('enterprise.domicile_code', 'like', domiciledIn(range.prefix))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('designation')
          .select('designation.id')
          .whereRef('designation.enterprise_id', '=', 'enterprise.id')
          .where('designation.effective_on', '<=', range.to)
          .where((inner) =>
            inner.or([inner('designation.revoked_on', 'is', null), inner('designation.revoked_on', '>', range.from)]),
          ),
      ),
    )
    .orderBy('enterprise.domicile_code')
    .orderBy('enterprise.name')
    .orderBy('enterprise.id')
    .execute();
  return rows.map((row) => ({ ...row, credit_code: row.credit_code.trim(), domicile_code: row.domicile_code.trim() }));
}

/* Submitted versions */

export function submissionsOf(db: Executor, provinceCode: string, year: number) {
  return db
    .selectFrom('supervision_annual_report')
    .selectAll()
    .where('province_code', '=', provinceCode)
    .where('year', '=', year)
    .orderBy('version')
    .execute();
}
export type SubmissionRow = Awaited<ReturnType<typeof submissionsOf>>[number];

/** The version a submitter's earlier request with the same key stored (a key is its submitter's own). */
export function submissionByKey(db: Executor, provinceCode: string, year: number, submittedBy: string, key: string) {
  return db
    .selectFrom('supervision_annual_report')
    .selectAll()
    .where('province_code', '=', provinceCode)
    .where('year', '=', year)
    .where('submitted_by', '=', submittedBy)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/** The first and the latest version of every province that submitted for the year. */
export async function submissionsOfYear(db: Executor, year: number) {
  return db
    .selectFrom('supervision_annual_report')
    .select(['id', 'province_code', 'version', 'submitted_by', 'submitted_at', 'late'])
    .where('year', '=', year)
    .orderBy('province_code')
    .orderBy('version')
    .execute();
}

/** Serialises submissions of one province and year (two officials pressing submit at once). */
export async function lockProvinceYear(tx: Executor, provinceCode: string, year: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`supervision-annual:${provinceCode}:${year}`}, 0))`.execute(
    tx,
  );
}

export async function insertSubmission(tx: Executor, row: Insertable<SupervisionAnnualReportTable>) {
  return tx.insertInto('supervision_annual_report').values(row).returningAll().executeTakeFirstOrThrow();
}
