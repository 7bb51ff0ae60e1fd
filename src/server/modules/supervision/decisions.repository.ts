import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { DecisionStatus, DecisionTable, ViolationTable } from '../../db/schema-supervision.ts';
import type { Scope } from '../auth/index.ts';
import { enterpriseVisible } from '../registry/index.ts';

/** The SQL of violations and decisions, always scoped by the enterprise they concern; and Art. 14's penalties. */

interface Paging {
  limit: number;
  offset: number;
}

/* Violations */

const violationColumns = [
  'violation.id',
  'violation.enterprise_id',
  'enterprise.name as enterprise_name',
  'violation.inspection_id',
  'violation.anomaly_id',
  'violation.division_code',
  'violation.department',
  'violation.type',
  'violation.description',
  'violation.found_on',
  'violation.recorded_by',
  'violation.recorded_at',
] as const;

function violations(db: Executor, scope: Scope) {
  return db
    .selectFrom('violation')
    .innerJoin('enterprise', 'enterprise.id', 'violation.enterprise_id')
    .where((eb) => enterpriseVisible(eb, scope));
}

export async function listViolations(
  db: Executor,
  scope: Scope,
  filter: Paging & { enterpriseId?: string | undefined; type?: string | undefined },
) {
  let query = violations(db, scope);
  if (filter.enterpriseId) query = query.where('violation.enterprise_id', '=', filter.enterpriseId);
  if (filter.type) query = query.where('violation.type', '=', filter.type);
  const [rows, count] = await Promise.all([
    query
      .select(violationColumns)
      .orderBy('violation.found_on', 'desc')
      .orderBy('violation.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirst(),
  ]);
  return { rows, total: count?.total ?? 0 };
}
export type ViolationRow = Awaited<ReturnType<typeof listViolations>>['rows'][number];

export function findViolation(db: Executor, scope: Scope, id: string) {
  return violations(db, scope).select(violationColumns).where('violation.id', '=', id).executeTakeFirst();
}

/** The violation an earlier request with the key stored, with what was asked. */
export function violationByKey(db: Executor, recordedBy: string, key: string) {
  return db
    .selectFrom('violation')
    .select(['id', 'enterprise_id', 'inspection_id', 'anomaly_id', 'type', 'description', 'found_on'])
    .where('recorded_by', '=', recordedBy)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function insertViolation(tx: Executor, row: Insertable<ViolationTable>): Promise<string> {
  return (await tx.insertInto('violation').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

/* Decisions */

const decisionColumns = [
  'decision.id',
  'decision.violation_id',
  'violation.type as violation_type',
  'decision.enterprise_id',
  'enterprise.name as enterprise_name',
  'decision.division_code',
  'decision.department',
  'decision.kind',
  'decision.document_no',
  'decision.legal_basis',
  'decision.decided_on',
  'decision.final',
  'decision.final_on',
  'decision.correction_due_on',
  'decision.fine_yuan',
  'decision.suspension_from',
  'decision.suspension_to',
  'decision.referred_to',
  'decision.status',
  'decision.version',
  'decision.reported_to_code',
  'decision.reported_upward_at',
  'decision.reported_upward_by',
  'decision.revoked_on',
  'decision.decided_by',
  'decision.created_at',
  'decision.updated_at',
] as const;

function decisions(db: Executor, scope: Scope) {
  return db
    .selectFrom('decision')
    .innerJoin('violation', 'violation.id', 'decision.violation_id')
    .innerJoin('enterprise', 'enterprise.id', 'decision.enterprise_id')
    .where((eb) => enterpriseVisible(eb, scope));
}
type DecisionQuery = ReturnType<typeof decisions>;

/** Correction orders still open after their deadline, judged on `today` (a date in Beijing). */
const overdue = (query: DecisionQuery, today: string) =>
  query
    .where('decision.kind', '=', 'correction_order')
    .where('decision.status', '=', 'open')
    .where('decision.correction_due_on', '<', today);

export interface DecisionFilter extends Paging {
  enterpriseId?: string | undefined;
  violationId?: string | undefined;
  kind?: string | undefined;
  status?: string | undefined;
  overdue?: boolean | undefined;
  reportedTo?: string | undefined;
}

/** Newest decision first; `due`: the oldest correction deadline first (the most overdue). */
export async function listDecisions(
  db: Executor,
  scope: Scope,
  filter: DecisionFilter,
  today: string,
  order: 'newest' | 'due' = 'newest',
) {
  let query = decisions(db, scope);
  if (filter.enterpriseId) query = query.where('decision.enterprise_id', '=', filter.enterpriseId);
  if (filter.violationId) query = query.where('decision.violation_id', '=', filter.violationId);
  if (filter.kind) query = query.where('decision.kind', '=', filter.kind as DecisionTable['kind']);
  if (filter.status) query = query.where('decision.status', '=', filter.status as DecisionStatus);
  if (filter.reportedTo) query = query.where('decision.reported_to_code', '=', filter.reportedTo);
  if (filter.overdue === true) query = overdue(query, today);
  const onlyOverdue =
    filter.overdue === true &&
    !filter.enterpriseId &&
    !filter.violationId &&
    !filter.kind &&
    !filter.status &&
    !filter.reportedTo;
  if (filter.overdue === false)
    query = query.where((eb) =>
      eb.or([
        eb('decision.kind', '<>', 'correction_order'),
        eb('decision.status', '<>', 'open'),
        eb('decision.correction_due_on', '>=', today),
      ]),
    );
  const [rows, count, late] = await Promise.all([
    (order === 'due' ? query.orderBy('decision.correction_due_on') : query)
      .select(decisionColumns)
      .orderBy('decision.decided_on', 'desc')
      .orderBy('decision.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirst(),
    // Asked for the overdue orders only (and no other filter), the total is their count already.
    onlyOverdue
      ? null
      : overdue(decisions(db, scope), today)
          .select(sql<number>`count(*)::int`.as('total'))
          .executeTakeFirst(),
  ]);
  const total = count?.total ?? 0;
  return { rows, total, overdueCount: onlyOverdue ? total : (late?.total ?? 0) };
}
export type DecisionRow = Awaited<ReturnType<typeof listDecisions>>['rows'][number];

export function findDecision(db: Executor, scope: Scope, id: string) {
  return decisions(db, scope).select(decisionColumns).where('decision.id', '=', id).executeTakeFirst();
}

/** The decision an earlier request with the key stored, with what was asked (its amounts as text). */
export function decisionByKey(db: Executor, decidedBy: string, key: string) {
  return db
    .selectFrom('decision')
    .select([
      'id',
      'violation_id',
      'kind',
      'document_no',
      'decided_on',
      'correction_due_on',
      sql<string | null>`fine_yuan::text`.as('fine_yuan'),
      'suspension_from',
      'suspension_to',
      'referred_to',
    ])
    .where('decided_by', '=', decidedBy)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function insertDecision(tx: Executor, row: Insertable<DecisionTable>): Promise<string> {
  return (await tx.insertInto('decision').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export function lockDecision(tx: Executor, id: string) {
  return tx
    .selectFrom('decision')
    .select(['id', 'status', 'version', 'division_code', 'reported_to_code', 'kind', 'final', 'revoked_on'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateDecision(
  tx: Executor,
  id: string,
  version: number,
  changes: {
    status?: DecisionStatus;
    final?: boolean;
    final_on?: string;
    revoked_on?: string;
    reported_to_code?: string;
    reported_upward_at?: Date;
    reported_upward_by?: string;
  },
) {
  await tx
    .updateTable('decision')
    .set({ ...changes, version: version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/* Art. 14 */

/**
 * The administrative penalties (fines, suspensions) that became final in a year — by `final_on`, the decision's
 * own date when it was final when made, else the day the time for appeal ran out or it was upheld — oldest first.
 */
export function finalPenaltiesOfYear(db: Executor, year: number) {
  return db
    .selectFrom('decision')
    .select(['id', 'enterprise_id', 'kind', 'document_no', 'decided_on'])
    .where('final', '=', true)
    .where('kind', 'in', ['fine', 'suspension'])
    .where('final_on', '>=', `${year}-01-01`)
    .where('final_on', '<', `${year + 1}-01-01`)
    .orderBy('final_on')
    .orderBy('decided_on')
    .orderBy('document_no')
    .execute();
}
