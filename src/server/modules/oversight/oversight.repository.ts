import { sql } from 'kysely';
import type { ThresholdName } from '../../../contracts/oversight.ts';
import type { Executor } from '../../db/executor.ts';
import type { AlertCandidate, TrailEntry } from './oversight.rules.ts';

/**
 * The oversight module's SQL. Its own tables are the alerts and thresholds (and the security event log, in
 * security-events.repository.ts); the facts the rules judge are read here, and only read, from the audit chain
 * and the business tables (indicators, allocation, declarations, compilations) — as the checks read the flows.
 */

const toNumber = (value: string | number | null): number => Number(value ?? 0);

// ---- facts ---------------------------------------------------------------------------------------------------

/**
 * The sealed audit entries about some objects of one type, in sequence order, by object id. Pending entries (sealed
 * within moments, ADR 0011) are left for the next look: the rules compare sequences and name alerts by them.
 */
export async function trailsOf(
  db: Executor,
  objectType: string,
  objectIds: readonly string[],
): Promise<Map<string, TrailEntry[]>> {
  const trails = new Map<string, TrailEntry[]>();
  if (objectIds.length === 0) return trails;
  const rows = await db
    .selectFrom('audit_entry')
    .select(['seq', 'at', 'actor_id', 'actor_login', 'action', 'object_id', 'before', 'after'])
    .where('object_type', '=', objectType)
    .where('object_id', 'in', objectIds)
    .where('seq', 'is not', null)
    .orderBy('seq')
    .execute();
  for (const row of rows) {
    const entry: TrailEntry = { ...row, seq: Number(row.seq) };
    const trail = trails.get(row.object_id);
    if (trail) trail.push(entry);
    else trails.set(row.object_id, [entry]);
  }
  return trails;
}

/** Approved grants of privileged accounts: who proposed and who approved them (two people for privileged accounts). */
export function approvedGrants(db: Executor) {
  return db
    .selectFrom('account_grant')
    .innerJoin('app_user', 'app_user.id', 'account_grant.user_id')
    .select([
      'account_grant.id',
      'account_grant.role',
      'account_grant.proposed_by',
      'account_grant.decided_by',
      'account_grant.decided_at',
      'app_user.login',
    ])
    .where('account_grant.status', '=', 'approved')
    .orderBy('account_grant.id')
    .execute();
}

/** Batches past approval with their current totals, and who drafted, submitted and recorded the approval. */
export async function approvedBatches(db: Executor) {
  const batches = await db
    .selectFrom('indicator_batch')
    .select(['id', 'name', 'drafted_by', 'submitted_by', 'approval_recorded_by'])
    .where('status', 'in', ['approved', 'allocated', 'issued'])
    .orderBy('created_at')
    .execute();
  const totals =
    batches.length === 0
      ? []
      : await db
          .selectFrom('batch_category_total')
          .select(['batch_id', 'category', 'total_reo_kg'])
          .where(
            'batch_id',
            'in',
            batches.map((batch) => batch.id),
          )
          .execute();
  return batches.map((batch) => ({
    ...batch,
    current: new Map(
      totals.filter((row) => row.batch_id === batch.id).map((row) => [row.category, toNumber(row.total_reo_kg)]),
    ),
  }));
}

/** Allocation runs that were not withdrawn, with their shares (none of zero) and stored input. */
export async function liveRuns(db: Executor) {
  const runs = await db
    .selectFrom('allocation_run')
    .select([
      'id',
      'category',
      'level',
      'mode',
      'status',
      'input',
      'reason',
      'created_by',
      'created_at',
      'approved_by',
      'approved_at',
    ])
    .where('status', '<>', 'withdrawn')
    .orderBy('created_at')
    .execute();
  const shares =
    runs.length === 0
      ? []
      : await db
          .selectFrom('allocation_share')
          .select(['run_id', 'holder_id', 'reo_kg'])
          .where(
            'run_id',
            'in',
            runs.map((run) => run.id),
          )
          .where('reo_kg', '>', '0')
          .execute();
  return runs.map((run) => ({
    ...run,
    shares: new Map(shares.filter((row) => row.run_id === run.id).map((row) => [row.holder_id, toNumber(row.reo_kg)])),
  }));
}

/** Compilations made since a time, with their children and absent lists as compiled. */
export async function compilationsSince(db: Executor, since: Date) {
  return db
    .selectFrom('compilation')
    .select([
      'id',
      'division_code',
      'period_kind',
      'period',
      'version',
      'children',
      'absent',
      'compiled_by',
      'compiled_at',
    ])
    .where('compiled_at', '>=', since)
    .orderBy('compiled_at')
    .execute();
}

/**
 * Declarations whose first seal was late, sealed since a time, with the note an official recorded on their
 * `declaration_late` anomaly (the latest, if several), or null.
 */
export async function lateDeclarationsSince(db: Executor, since: Date) {
  const rows = await sql<{
    enterprise_id: string;
    period: string;
    sealed_by: string;
    sealed_at: Date;
    explanation: string | null;
  }>`
    SELECT d.enterprise_id, d.period::text AS period, d.sealed_by, d.sealed_at,
           (SELECT t.note FROM anomaly a JOIN anomaly_transition t ON t.anomaly_id = a.id
             WHERE a.key = 'declaration_late:' || d.enterprise_id || ':' || d.period::text
             ORDER BY t.id DESC LIMIT 1) AS explanation
    FROM declaration d
    WHERE d.version = 1 AND d.late AND d.sealed_at >= ${since}
    ORDER BY d.sealed_at`.execute(db);
  return rows.rows.map((row) => ({ ...row, sealed_at: new Date(row.sealed_at) }));
}

/** The audit entries of report exports since a time, with the rows each file held. */
export async function reportExportsSince(db: Executor, since: Date) {
  const rows = await db
    .selectFrom('audit_entry')
    .select(['request_id', 'at', 'actor_id', 'actor_login', 'object_type', 'object_id', 'after'])
    .where('action', '=', 'report.export')
    .where('at', '>=', since)
    .orderBy('seq')
    .orderBy('id')
    .execute();
  return rows.map((row) => {
    const after = (row.after ?? {}) as { rows?: unknown; format?: unknown };
    return {
      request_id: row.request_id,
      at: row.at,
      actor_id: row.actor_id,
      actor_login: row.actor_login,
      object_type: row.object_type,
      object_id: row.object_id,
      rows: typeof after.rows === 'number' ? after.rows : 0,
      format: typeof after.format === 'string' ? after.format : '',
    };
  });
}

// ---- thresholds ----------------------------------------------------------------------------------------------

export async function thresholds(db: Executor) {
  return db.selectFrom('oversight_threshold').selectAll().orderBy('name').execute();
}

export async function lockThreshold(tx: Executor, name: ThresholdName) {
  return tx.selectFrom('oversight_threshold').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
}

export async function setThreshold(tx: Executor, name: ThresholdName, value: number, version: number, by: string) {
  await tx
    .updateTable('oversight_threshold')
    .set({ value, version: version + 1, updated_by: by, updated_at: new Date() })
    .where('name', '=', name)
    .execute();
}

// ---- alerts --------------------------------------------------------------------------------------------------

/** Stores the candidates not found before (by key); returns the rules of those that are new. */
export async function insertAlerts(db: Executor, alerts: readonly AlertCandidate[]): Promise<string[]> {
  const rules: string[] = [];
  for (let start = 0; start < alerts.length; start += 500) {
    const slice = alerts.slice(start, start + 500);
    const inserted = await db
      .insertInto('oversight_alert')
      .values(slice.map((alert) => ({ ...alert, evidence: JSON.stringify(alert.evidence) })))
      .onConflict((conflict) => conflict.column('key').doNothing())
      .returning('rule')
      .execute();
    rules.push(...inserted.map((row) => row.rule));
  }
  return rules;
}

export interface AlertFilter {
  readonly rule?: string | undefined;
  readonly status?: string | undefined;
  readonly subjectType?: string | undefined;
  readonly subjectId?: string | undefined;
}

/** Open alerts first, then newest first. */
export async function listAlerts(db: Executor, filter: AlertFilter, limit: number, offset: number) {
  let query = db.selectFrom('oversight_alert');
  if (filter.rule) query = query.where('rule', '=', filter.rule as AlertCandidate['rule']);
  if (filter.status) query = query.where('status', '=', filter.status as 'open' | 'acknowledged');
  if (filter.subjectType) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy(sql`status = 'open'`, 'desc')
      .orderBy('detected_at', 'desc')
      .orderBy('key')
      .limit(limit)
      .offset(offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

export async function findAlert(db: Executor, id: string) {
  return db.selectFrom('oversight_alert').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockAlert(tx: Executor, id: string) {
  return tx.selectFrom('oversight_alert').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function acknowledgeAlert(tx: Executor, id: string, version: number, by: string, note: string) {
  await tx
    .updateTable('oversight_alert')
    .set({ status: 'acknowledged', version: version + 1, acknowledged_by: by, acknowledged_at: new Date(), note })
    .where('id', '=', id)
    .where('version', '=', version)
    .execute();
}
