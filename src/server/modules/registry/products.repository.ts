import { sql, type Insertable, type Updateable } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { ProductTable } from '../../db/schema.ts';
import { escapeLike } from '../../shared/sql.ts';

export interface ProductFilter {
  readonly q?: string | undefined;
  readonly category?: ProductTable['category'] | undefined;
  readonly active?: boolean | undefined;
}

export async function listProducts(db: Executor, filter: ProductFilter, limit: number, offset: number) {
  let query = db.selectFrom('product');
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('code', 'like', pattern.toUpperCase()),
        eb('name_zh', 'like', pattern),
        eb('name_en', 'ilike', pattern),
      ]),
    );
  }
  if (filter.category) query = query.where('category', '=', filter.category);
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('category').orderBy('code').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.count) };
}

export function getProduct(db: Executor, code: string) {
  return db.selectFrom('product').selectAll().where('code', '=', code).executeTakeFirst();
}

export function lockProduct(db: Executor, code: string) {
  return db.selectFrom('product').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
}

export async function insertProduct(db: Executor, values: Insertable<ProductTable>): Promise<void> {
  await db.insertInto('product').values(values).execute();
}

export async function updateProduct(db: Executor, code: string, changes: Updateable<ProductTable>) {
  return db
    .updateTable('product')
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirstOrThrow();
}
