import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { DesignationTable } from '../../db/schema.ts';
import type { Scope } from '../auth/index.ts';
import { enterpriseVisible } from './scope.ts';

export interface DesignationFilter {
  readonly enterpriseId?: string | undefined;
  readonly scope?: DesignationTable['scope'] | undefined;
  readonly status?: 'active' | 'pending' | 'revoked' | undefined;
}

function designationView(db: Executor, scope: Scope, today: string) {
  return db
    .selectFrom('designation')
    .innerJoin('enterprise', 'enterprise.id', 'designation.enterprise_id')
    .selectAll('designation')
    .select(['enterprise.name as enterprise_name', 'enterprise.credit_code'])
    .select(
      sql<'active' | 'pending' | 'revoked'>`CASE
        WHEN designation.revoked_on IS NOT NULL AND designation.revoked_on <= ${today}::date THEN 'revoked'
        WHEN designation.effective_on > ${today}::date THEN 'pending'
        ELSE 'active' END`.as('status'),
    )
    .where((eb) => enterpriseVisible(eb, scope));
}
export type DesignationViewRow = NonNullable<Awaited<ReturnType<typeof getDesignation>>>;

export async function listDesignations(
  db: Executor,
  scope: Scope,
  today: string,
  filter: DesignationFilter,
  limit: number,
  offset: number,
) {
  let query = designationView(db, scope, today);
  if (filter.enterpriseId) query = query.where('designation.enterprise_id', '=', filter.enterpriseId);
  if (filter.scope) query = query.where('designation.scope', '=', filter.scope);
  if (filter.status === 'revoked') query = query.where('designation.revoked_on', '<=', today);
  if (filter.status === 'pending')
    query = query
      .where('designation.effective_on', '>', today)
      .where((eb) => eb.or([eb('designation.revoked_on', 'is', null), eb('designation.revoked_on', '>', today)]));
  if (filter.status === 'active')
    query = query
      .where('designation.effective_on', '<=', today)
      .where((eb) => eb.or([eb('designation.revoked_on', 'is', null), eb('designation.revoked_on', '>', today)]));
  const [rows, count] = await Promise.all([
    query.orderBy('designation.effective_on', 'desc').orderBy('designation.id').limit(limit).offset(offset).execute(),
    query
      .clearSelect()
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.count) };
}

export function getDesignation(db: Executor, scope: Scope, today: string, id: string) {
  return designationView(db, scope, today).where('designation.id', '=', id).executeTakeFirst();
}

export function lockDesignation(db: Executor, id: string) {
  return db.selectFrom('designation').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findSameDesignation(
  db: Executor,
  key: Pick<DesignationTable, 'enterprise_id' | 'scope' | 'document_no'>,
) {
  return db
    .selectFrom('designation')
    .selectAll()
    .where('enterprise_id', '=', key.enterprise_id)
    .where('scope', '=', key.scope)
    .where('document_no', '=', key.document_no)
    .executeTakeFirst();
}

/** Designations of the same scope whose validity overlaps [from, ∞) and is not revoked before it. */
export function findOverlapping(db: Executor, enterpriseId: string, scope: DesignationTable['scope'], from: string) {
  return db
    .selectFrom('designation')
    .select(['id', 'document_no', 'effective_on'])
    .where('enterprise_id', '=', enterpriseId)
    .where('scope', '=', scope)
    .where((eb) => eb.or([eb('revoked_on', 'is', null), eb('revoked_on', '>', from)]))
    .executeTakeFirst();
}

export async function insertDesignation(db: Executor, values: Insertable<DesignationTable>): Promise<string> {
  return (await db.insertInto('designation').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

export async function revokeDesignation(
  db: Executor,
  id: string,
  revocation: { revoked_on: string; revocation_document_no: string; revocation_reason: string },
) {
  await db.updateTable('designation').set(revocation).where('id', '=', id).execute();
}
