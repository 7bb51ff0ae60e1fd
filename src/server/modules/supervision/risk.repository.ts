import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { RiskWeightTable } from '../../db/schema-supervision.ts';

/**
 * The SQL of the risk-ranked list: the weights as set, and the facts of all enterprises of a jurisdiction at once
 * — a handful of set-based reads whatever the number of enterprises, never one query per enterprise.
 */

/* Weights */

export function weightsOf(db: Executor, codes: readonly string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('risk_weight')
    .select(['division_code', 'version', 'weights', 'note', 'set_by', 'set_at'])
    .where('division_code', 'in', [...codes])
    .orderBy('division_code')
    .orderBy('version')
    .execute();
}
export type WeightRow = Awaited<ReturnType<typeof weightsOf>>[number];

/** Serialises the changes of one division's weights for the rest of the transaction. */
export async function lockDivisionWeights(tx: Executor, code: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`risk_weight:${code}`}))`.execute(tx);
}

export async function newestVersion(tx: Executor, code: string): Promise<number> {
  const row = await tx
    .selectFrom('risk_weight')
    .select(sql<number>`coalesce(max(version), 0)::int`.as('version'))
    .where('division_code', '=', code)
    .executeTakeFirst();
  return row?.version ?? 0;
}

export async function insertWeights(tx: Executor, row: Insertable<RiskWeightTable>): Promise<void> {
  await tx.insertInto('risk_weight').values(row).execute();
}

/* Facts */

export interface DesignatedRow {
  id: string;
  name: string;
  domicile_code: string;
  effective_on: string;
  revoked_on: string | null;
}

/**
 * Enterprises domiciled under a code prefix (all for null) with every designation of theirs in force at some
 * time of [from, to]: one row per designation.
 */
export async function designationsUnder(
  db: Executor,
  prefix: string | null,
  from: string,
  to: string,
): Promise<DesignatedRow[]> {
  const rows = await sql<DesignatedRow>`
    SELECT e.id, e.name, trim(e.domicile_code) AS domicile_code, d.effective_on::text AS effective_on,
           d.revoked_on::text AS revoked_on
    FROM enterprise e JOIN designation d ON d.enterprise_id = e.id
    WHERE d.effective_on <= ${to} AND (d.revoked_on IS NULL OR d.revoked_on > ${from})
      ${prefix === null ? sql`` : sql`AND e.domicile_code LIKE ${`${prefix}%`}`}
    ORDER BY e.id, d.effective_on`.execute(db);
  return rows.rows;
}

/** Unresolved anomalies (open or confirmed) of a year's months, by enterprise and rule. */
export async function openAnomalyCounts(db: Executor, ids: readonly string[], year: number) {
  if (ids.length === 0) return [];
  const rows = await sql<{ enterprise_id: string; rule: string; count: number; ids: string[] }>`
    SELECT enterprise_id::text AS enterprise_id, rule, count(*)::int AS count,
           array_agg(id::text ORDER BY period, detected_at, id) AS ids FROM anomaly
    WHERE enterprise_id = ANY(${[...ids]}::uuid[]) AND status IN ('open', 'confirmed')
      AND period >= ${`${year}-01-01`} AND period < ${`${year + 1}-01-01`}
    GROUP BY enterprise_id, rule`.execute(db);
  return rows.rows;
}

/** The first version of every monthly implementation report of a year: was it late? */
export async function firstMonthReports(db: Executor, ids: readonly string[], year: number) {
  if (ids.length === 0) return [];
  const rows = await sql<{ enterprise_id: string; period: string; late: boolean }>`
    SELECT enterprise_id::text AS enterprise_id, period::text AS period, late FROM report
    WHERE enterprise_id = ANY(${[...ids]}::uuid[]) AND period_kind = 'month' AND version = 1
      AND period >= ${`${year}-01-01`} AND period < ${`${year + 1}-01-01`}`.execute(db);
  return rows.rows;
}

/** Violations found from `from` to `to` (dates), by enterprise. */
export async function violationCounts(db: Executor, ids: readonly string[], from: string, to: string) {
  if (ids.length === 0) return [];
  const rows = await sql<{ enterprise_id: string; count: number }>`
    SELECT enterprise_id::text AS enterprise_id, count(*)::int AS count FROM violation
    WHERE enterprise_id = ANY(${[...ids]}::uuid[]) AND found_on >= ${from} AND found_on <= ${to}
    GROUP BY enterprise_id`.execute(db);
  return rows.rows;
}

/** The latest inspection planned in a year for each enterprise, and whether one of the year is still planned. */
export async function inspectionsOfYear(db: Executor, ids: readonly string[], year: number) {
  if (ids.length === 0) return [];
  const rows = await sql<{
    enterprise_id: string;
    id: string;
    status: 'planned' | 'visited';
    planned_on: string;
    visited_on: string | null;
    open: boolean;
  }>`
    SELECT DISTINCT ON (i.enterprise_id) i.enterprise_id::text AS enterprise_id, i.id::text AS id, i.status,
           i.planned_on::text AS planned_on, i.visited_on::text AS visited_on,
           bool_or(i.status = 'planned') OVER (PARTITION BY i.enterprise_id) AS open
    FROM inspection i
    WHERE i.enterprise_id = ANY(${[...ids]}::uuid[])
      AND i.planned_on >= ${`${year}-01-01`} AND i.planned_on < ${`${year + 1}-01-01`}
    ORDER BY i.enterprise_id, i.planned_on DESC, i.created_at DESC, i.id`.execute(db);
  return rows.rows;
}
