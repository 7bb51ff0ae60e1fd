import { sql, type Insertable, type Updateable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { EnterpriseTable } from '../../db/schema.ts';
import { divisionPrefix, type Scope } from '../auth/index.ts';
import { escapeLike } from '../../shared/sql.ts';
import { enterpriseVisible } from './scope.ts';

export interface EnterpriseFilter {
  readonly q?: string | undefined;
  readonly kind?: EnterpriseTable['kind'] | undefined;
  readonly division?: string | undefined;
  readonly groupId?: string | undefined;
}

function enterpriseView(db: Executor, scope: Scope, today: string) {
  return db
    .selectFrom('enterprise')
    .innerJoin('division', 'division.code', 'enterprise.domicile_code')
    .leftJoin('enterprise_group', 'enterprise_group.id', 'enterprise.group_id')
    .selectAll('enterprise')
    .select(['division.name as domicile_name', 'enterprise_group.name as group_name'])
    .select((eb) =>
      eb
        .selectFrom('designation')
        .select(
          sql<string[]>`coalesce(array_agg(DISTINCT designation.scope ORDER BY designation.scope), '{}')`.as('scopes'),
        )
        .whereRef('designation.enterprise_id', '=', 'enterprise.id')
        .where('designation.effective_on', '<=', today)
        .where((inner) =>
          inner.or([inner('designation.revoked_on', 'is', null), inner('designation.revoked_on', '>', today)]),
        )
        .as('designated_scopes'),
    )
    .where((eb) => enterpriseVisible(eb, scope));
}
export type EnterpriseViewRow = Awaited<ReturnType<typeof getEnterprise>> & object;

function applyFilter<Q extends ReturnType<typeof enterpriseView>>(query: Q, filter: EnterpriseFilter): Q {
  let result = query;
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q)}%`;
    result = result.where((eb) =>
      eb.or([eb('enterprise.name', 'like', pattern), eb('enterprise.credit_code', 'like', pattern.toUpperCase())]),
    ) as Q;
  }
  if (filter.kind) result = result.where('enterprise.kind', '=', filter.kind) as Q;
  if (filter.division)
    result = result.where('enterprise.domicile_code', 'like', `${escapeLike(divisionPrefix(filter.division))}%`) as Q;
  if (filter.groupId) result = result.where('enterprise.group_id', '=', filter.groupId) as Q;
  return result;
}

export async function listEnterprises(
  db: Executor,
  scope: Scope,
  today: string,
  filter: EnterpriseFilter,
  limit: number,
  offset: number,
) {
  const base = applyFilter(enterpriseView(db, scope, today), filter);
  const [rows, count] = await Promise.all([
    base.orderBy('enterprise.name').orderBy('enterprise.id').limit(limit).offset(offset).execute(),
    base
      .clearSelect()
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.count) };
}

export function getEnterprise(db: Executor, scope: Scope, today: string, id: string) {
  return enterpriseView(db, scope, today).where('enterprise.id', '=', id).executeTakeFirst();
}

/** For writes: the row locked against concurrent change, whatever the scope (the service checks it). */
export function lockEnterprise(db: Executor, id: string) {
  return db.selectFrom('enterprise').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findById(db: Executor, id: string) {
  return db.selectFrom('enterprise').select(['id']).where('id', '=', id).executeTakeFirst();
}

export function findByCreditCode(db: Executor, creditCode: string) {
  return db.selectFrom('enterprise').select(['id']).where('credit_code', '=', creditCode).executeTakeFirst();
}

export async function insertEnterprise(db: Executor, values: Insertable<EnterpriseTable>): Promise<string> {
  const row = await db.insertInto('enterprise').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateEnterprise(db: Executor, id: string, changes: Updateable<EnterpriseTable>): Promise<void> {
  await db
    .updateTable('enterprise')
    .set({ ...changes, version: sql<number>`version + 1`, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Every enterprise with what allocation needs: capacities, scores, licences, group, live designations. */
export function allocationFacts(db: Executor, onDate: string) {
  return db
    .selectFrom('enterprise')
    .select([
      'enterprise.id',
      'enterprise.name',
      'enterprise.kind',
      'enterprise.group_id',
      'enterprise.domicile_code',
      'enterprise.mining_capacity_reo_kg_per_year',
      'enterprise.separation_capacity_reo_kg_per_year',
      'enterprise.technical_score',
      'enterprise.environment_score',
      'enterprise.safety_score',
      'enterprise.licences',
    ])
    .select((eb) =>
      eb
        .selectFrom('designation')
        .select(sql<string[]>`coalesce(array_agg(DISTINCT designation.scope), '{}')`.as('scopes'))
        .whereRef('designation.enterprise_id', '=', 'enterprise.id')
        .where('designation.effective_on', '<=', onDate)
        .where((inner) =>
          inner.or([inner('designation.revoked_on', 'is', null), inner('designation.revoked_on', '>', onDate)]),
        )
        .as('designated_scopes'),
    )
    .orderBy('enterprise.id')
    .execute();
}
