import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { AnomalyStatus } from '../../db/schema.ts';
import type { Scope } from '../auth/index.ts';
import { enterpriseVisible } from '../registry/index.ts';

/** The SQL of anomalies: scoped lists, one anomaly, and its status changes. */

export interface AnomalyFilter {
  period: string | undefined;
  rule: string | undefined;
  status: string | undefined;
  enterpriseId: string | undefined;
  limit: number;
  offset: number;
}

function scoped(db: Executor, scope: Scope) {
  return db
    .selectFrom('anomaly')
    .innerJoin('enterprise', 'enterprise.id', 'anomaly.enterprise_id')
    .where((eb) => enterpriseVisible(eb, scope));
}

const columns = [
  'anomaly.id',
  'anomaly.rule',
  'anomaly.enterprise_id',
  'enterprise.name as enterprise_name',
  'enterprise.domicile_code',
  'anomaly.period',
  'anomaly.product_code',
  'anomaly.summary',
  'anomaly.details',
  'anomaly.evidence',
  'anomaly.status',
  'anomaly.version',
  'anomaly.detected_at',
  'anomaly.updated_at',
] as const;

export async function listAnomalies(db: Executor, scope: Scope, filter: AnomalyFilter) {
  let query = scoped(db, scope);
  if (filter.period) query = query.where('anomaly.period', '=', filter.period);
  if (filter.rule) query = query.where('anomaly.rule', '=', filter.rule);
  if (filter.status) query = query.where('anomaly.status', '=', filter.status as AnomalyStatus);
  if (filter.enterpriseId) query = query.where('anomaly.enterprise_id', '=', filter.enterpriseId);
  const [rows, count] = await Promise.all([
    query
      .select(columns)
      .orderBy('anomaly.detected_at', 'desc')
      .orderBy('anomaly.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirst(),
  ]);
  return { rows, total: count?.total ?? 0 };
}

export async function findAnomaly(db: Executor, scope: Scope, id: string) {
  return scoped(db, scope).select(columns).where('anomaly.id', '=', id).executeTakeFirst();
}

export async function lockAnomaly(tx: Executor, id: string) {
  return tx
    .selectFrom('anomaly')
    .select(['id', 'status', 'version'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateStatus(tx: Executor, id: string, status: AnomalyStatus, version: number) {
  await tx
    .updateTable('anomaly')
    .set({ status, version: version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function insertTransition(
  tx: Executor,
  row: { anomaly_id: string; from_status: AnomalyStatus; to_status: AnomalyStatus; note: string; actor: string },
) {
  await tx.insertInto('anomaly_transition').values(row).execute();
}

export async function transitionsOf(db: Executor, id: string) {
  return db
    .selectFrom('anomaly_transition')
    .select(['from_status', 'to_status', 'note', 'actor', 'created_at'])
    .where('anomaly_id', '=', id)
    .orderBy('id')
    .execute();
}

/** Open anomalies of a year's months within a scope, counted by rule (the dashboards). */
export async function openAnomalyCountsByRule(
  db: Executor,
  scope: Scope,
  year: number,
): Promise<{ rule: string; count: number }[]> {
  return scoped(db, scope)
    .select(['anomaly.rule', sql<number>`count(*)::int`.as('count')])
    .where('anomaly.status', '=', 'open')
    .where('anomaly.period', '>=', `${year}-01-01`)
    .where('anomaly.period', '<', `${year + 1}-01-01`)
    .groupBy('anomaly.rule')
    .orderBy('anomaly.rule')
    .execute();
}
