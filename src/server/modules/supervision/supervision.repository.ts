import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { InspectionTable, SupervisionTransitionTable } from '../../db/schema-supervision.ts';
import type { Scope } from '../auth/index.ts';
import { enterpriseVisible } from '../registry/index.ts';

/** The SQL of inspections, their evidence and the moves of inspections and decisions, always scoped. */

interface Paging {
  limit: number;
  offset: number;
}

const inspectionColumns = [
  'inspection.id',
  'inspection.enterprise_id',
  'enterprise.name as enterprise_name',
  'inspection.division_code',
  'inspection.department',
  'inspection.planned_on',
  'inspection.purpose',
  'inspection.basis',
  'inspection.inspectors',
  'inspection.status',
  'inspection.visited_on',
  'inspection.findings',
  'inspection.outcome',
  'inspection.version',
  'inspection.created_by',
  'inspection.created_at',
  'inspection.updated_at',
] as const;

function inspections(db: Executor, scope: Scope) {
  return db
    .selectFrom('inspection')
    .innerJoin('enterprise', 'enterprise.id', 'inspection.enterprise_id')
    .where((eb) => enterpriseVisible(eb, scope));
}

export async function listInspections(
  db: Executor,
  scope: Scope,
  filter: Paging & { enterpriseId?: string | undefined; status?: string | undefined },
) {
  let query = inspections(db, scope);
  if (filter.enterpriseId) query = query.where('inspection.enterprise_id', '=', filter.enterpriseId);
  if (filter.status) query = query.where('inspection.status', '=', filter.status as InspectionTable['status']);
  const [rows, count] = await Promise.all([
    query
      .select(inspectionColumns)
      .orderBy('inspection.planned_on', 'desc')
      .orderBy('inspection.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirst(),
  ]);
  return { rows, total: count?.total ?? 0 };
}
export type InspectionRow = Awaited<ReturnType<typeof listInspections>>['rows'][number];

export function findInspection(db: Executor, scope: Scope, id: string) {
  return inspections(db, scope).select(inspectionColumns).where('inspection.id', '=', id).executeTakeFirst();
}

/** The plan an earlier request with the key stored, with what was asked (to tell a replay from a changed request). */
export function inspectionByKey(db: Executor, createdBy: string, key: string) {
  return db
    .selectFrom('inspection')
    .select(['id', 'enterprise_id', 'planned_on', 'purpose', 'basis', 'inspectors'])
    .where('created_by', '=', createdBy)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function insertInspection(tx: Executor, row: Insertable<InspectionTable>): Promise<string> {
  return (await tx.insertInto('inspection').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export function lockInspection(tx: Executor, id: string) {
  return tx
    .selectFrom('inspection')
    .select(['id', 'status', 'version', 'enterprise_id', 'inspectors'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function recordVisit(
  tx: Executor,
  id: string,
  version: number,
  visit: { visited_on: string; findings: string; outcome: NonNullable<InspectionTable['outcome']> },
) {
  await tx
    .updateTable('inspection')
    .set({ ...visit, status: 'visited', version: version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function reassignInspectors(tx: Executor, id: string, version: number, inspectors: readonly string[]) {
  await tx
    .updateTable('inspection')
    .set({ inspectors: [...inspectors], version: version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/* Evidence */

const evidenceColumns = [
  'evidence_file.id',
  'evidence_file.inspection_id',
  'evidence_file.file_name',
  'evidence_content.content_type',
  'evidence_content.size_bytes',
  'evidence_content.sha256',
  'evidence_content.sm3',
  'evidence_file.uploaded_by',
  'evidence_file.uploaded_at',
] as const;

function evidence(db: Executor) {
  return db
    .selectFrom('evidence_file')
    .innerJoin('evidence_content', 'evidence_content.sm3', 'evidence_file.content_sm3');
}

export function evidenceOf(db: Executor, inspectionId: string) {
  return evidence(db)
    .select(evidenceColumns)
    .where('evidence_file.inspection_id', '=', inspectionId)
    .orderBy('evidence_file.uploaded_at')
    .orderBy('evidence_file.id')
    .execute();
}
export type EvidenceRow = Awaited<ReturnType<typeof evidenceOf>>[number];

export function attachedEvidence(db: Executor, inspectionId: string, sm3: string) {
  return evidence(db)
    .select(evidenceColumns)
    .where('evidence_file.inspection_id', '=', inspectionId)
    .where('evidence_file.content_sm3', '=', sm3)
    .executeTakeFirst();
}

export async function storeContent(
  tx: Executor,
  row: { sm3: string; sha256: string; content_type: string; size_bytes: number; content: Buffer },
): Promise<void> {
  await tx
    .insertInto('evidence_content')
    .values(row)
    .onConflict((conflict) => conflict.column('sm3').doNothing())
    .execute();
}

export async function attachEvidence(
  tx: Executor,
  row: { inspection_id: string; content_sm3: string; file_name: string; uploaded_by: string },
): Promise<string> {
  return (await tx.insertInto('evidence_file').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

/** An evidence file with its bytes, if its inspection's enterprise is in scope. */
export function evidenceWithContent(db: Executor, scope: Scope, id: string) {
  return evidence(db)
    .innerJoin('inspection', 'inspection.id', 'evidence_file.inspection_id')
    .innerJoin('enterprise', 'enterprise.id', 'inspection.enterprise_id')
    .where((eb) => enterpriseVisible(eb, scope))
    .select([...evidenceColumns, 'evidence_content.content'])
    .where('evidence_file.id', '=', id)
    .executeTakeFirst();
}

/* Transitions */

export async function insertTransition(tx: Executor, row: Insertable<SupervisionTransitionTable>): Promise<void> {
  await tx.insertInto('supervision_transition').values(row).execute();
}

export function transitionsOf(db: Executor, subjectType: 'inspection' | 'decision', id: string) {
  return db
    .selectFrom('supervision_transition')
    .select(['from_status', 'to_status', 'note', 'moved_by', 'moved_at'])
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', id)
    .orderBy('id')
    .execute();
}
