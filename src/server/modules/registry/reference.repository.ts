import type { Executor } from '../../db/executor.ts';
import type { ExpressionBuilder } from 'kysely';
import type { AuthorityTable, Database, DivisionTable } from '../../db/schema.ts';
import type { Scope } from '../auth/index.ts';
import { escapeLike } from '../../shared/sql.ts';
import { enterpriseVisible } from './scope.ts';

const divisionColumns = ['division.code', 'division.name', 'division.level', 'division.parent_code'] as const;

function divisionsWithChildFlag(db: Executor) {
  return db
    .selectFrom('division')
    .select(divisionColumns)
    .select((eb) =>
      eb
        .exists(
          eb.selectFrom('division as child').select('child.code').whereRef('child.parent_code', '=', 'division.code'),
        )
        .$castTo<boolean>()
        .as('has_children'),
    );
}

export function listDivisions(
  db: Executor,
  filter: { parent?: string | undefined; q?: string | undefined; level?: DivisionTable['level'] | undefined },
) {
  let query = divisionsWithChildFlag(db);
  if (filter.parent) query = query.where('division.parent_code', '=', filter.parent);
  else if (!filter.q && !filter.level) query = query.where('division.parent_code', 'is', null);
  if (filter.q) query = query.where('division.name', 'like', `%${escapeLike(filter.q)}%`);
  if (filter.level) query = query.where('division.level', '=', filter.level);
  return query.orderBy('division.code').limit(500).execute();
}

export function getDivision(db: Executor, code: string) {
  return divisionsWithChildFlag(db).where('division.code', '=', code).executeTakeFirst();
}

/** A division and its ancestors, province first. */
export async function divisionPath(db: Executor, code: string) {
  const codes = [`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code];
  const rows = await db
    .selectFrom('division')
    .select(['code', 'name', 'level'])
    .where('code', 'in', [...new Set(codes)])
    .execute();
  const order = { province: 0, prefecture: 1, county: 2 } as const;
  return rows.sort((a, b) => order[a.level] - order[b.level]);
}

export async function countDivisions(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('division')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertDivisions(db: Executor, rows: DivisionTable[]): Promise<void> {
  // Parents first: provinces, then prefectures, then counties, in chunks the parameter limit allows.
  const order = { province: 0, prefecture: 1, county: 2 } as const;
  const sorted = [...rows].sort((a, b) => order[a.level] - order[b.level]);
  for (let start = 0; start < sorted.length; start += 1000) {
    await db
      .insertInto('division')
      .values(sorted.slice(start, start + 1000))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
  }
}

export function listAuthorities(db: Executor, divisionCode?: string) {
  let query = db.selectFrom('authority').selectAll();
  query = divisionCode ? query.where('division_code', '=', divisionCode) : query.where('division_code', 'is', null);
  return query.orderBy('id').execute();
}

export async function insertAuthorities(db: Executor, rows: AuthorityTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('authority')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Groups, each with the number of its enterprises the caller may see (never a count beyond its scope). */
export function listGroups(db: Executor, scope: Scope) {
  return db
    .selectFrom('enterprise_group')
    .select(['enterprise_group.id', 'enterprise_group.name'])
    .select((eb) =>
      eb
        .selectFrom('enterprise')
        .select((inner) => inner.fn.countAll<string>().as('count'))
        .whereRef('enterprise.group_id', '=', 'enterprise_group.id')
        .where((inner) => enterpriseVisible(inner as unknown as ExpressionBuilder<Database, 'enterprise'>, scope))
        .as('enterprise_count'),
    )
    .orderBy('enterprise_group.name')
    .execute();
}

export function getGroup(db: Executor, id: string) {
  return db.selectFrom('enterprise_group').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertGroup(db: Executor, group: { id: string; name: string }): Promise<void> {
  await db.insertInto('enterprise_group').values(group).execute();
}

/** Divisions by code, with their parents, and every ancestor of them: the tree above a set of divisions. */
export async function divisionsWithAncestors(db: Executor, codes: readonly string[]) {
  const wanted = new Set<string>();
  for (const code of codes)
    wanted
      .add(code)
      .add(`${code.slice(0, 4)}00`)
      .add(`${code.slice(0, 2)}0000`);
  if (wanted.size === 0) return [];
  return db
    .selectFrom('division')
    .select(['code', 'name', 'level', 'parent_code'])
    .where('code', 'in', [...wanted])
    .execute();
}
