import type { z } from 'zod';
import type { Product, productCreateBody, productPatchBody, productQuery } from '../../../contracts/registry.ts';
import type { Executor } from '../../db/executor.ts';
import type { ProductRow } from '../../db/schema.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { conflict, invalidField, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import { insertRevision } from './revisions.repository.ts';
import { revisionHistory } from './revisions.service.ts';
import * as repo from './products.repository.ts';

type ProductCreate = z.infer<typeof productCreateBody>;
type ProductPatch = z.infer<typeof productPatchBody>;
type ProductQuery = z.infer<typeof productQuery>;

const toProduct = (row: ProductRow): Product => ({ ...row });

export async function listProducts(db: Executor, query: ProductQuery) {
  const filter = {
    q: query.q,
    category: query.category,
    active: query.active === undefined ? undefined : query.active === 'true',
  };
  const { rows, total } = await repo.listProducts(db, filter, query.page_size, (query.page - 1) * query.page_size);
  return { items: rows.map(toProduct), total, page: query.page, page_size: query.page_size };
}

export async function getProduct(db: Executor, code: string) {
  const row = await repo.getProduct(db, code);
  if (!row) throw notFound(`Product ${code}`);
  return toProduct(row);
}

/** Adds a catalogue entry; the code is its natural idempotency key (same entry again: returned as is). */
export async function createProduct(db: Executor, context: AuditContext, actor: Actor, input: ProductCreate) {
  return db.transaction().execute(async (tx) => {
    const existing = await repo.getProduct(tx, input.code);
    if (existing) {
      const { active: _active, version: _version, ...stored } = existing;
      if (canonicalJson(stored) === canonicalJson(input)) return { product: toProduct(existing), created: false };
      throw conflict(`Product ${input.code} exists already with other terms.`, [
        { field: 'code', message: 'is taken' },
      ]);
    }
    await repo.insertProduct(tx, input);
    const product = await getProduct(tx, input.code);
    await insertRevision(tx, {
      entity: 'product',
      entity_id: input.code,
      version: 1,
      data: product,
      changed_by: actor.userId,
    });
    await recordAudit(tx, context, {
      action: 'product.create',
      objectType: 'product',
      objectId: input.code,
      after: product,
    });
    return { product, created: true };
  });
}

export async function updateProduct(
  db: Executor,
  context: AuditContext,
  actor: Actor,
  code: string,
  patch: ProductPatch,
) {
  return db.transaction().execute(async (tx) => {
    const locked = await repo.lockProduct(tx, code);
    if (!locked) throw notFound(`Product ${code}`);
    if (locked.version !== patch.expected_version) {
      throw conflict(`Product ${code} has changed since version ${patch.expected_version} (now ${locked.version}).`, [
        { field: 'expected_version', message: `is stale: current version is ${locked.version}` },
      ]);
    }
    const { expected_version: _expected, ...changes } = patch;
    const merged = { ...locked, ...changes };
    if ((merged.conversion === 'factor') !== (merged.reo_factor_ppm !== null)) {
      throw invalidField('reo_factor_ppm', 'is required for factor conversion and must be null for assay conversion');
    }
    const after = toProduct(await repo.updateProduct(tx, code, changes));
    await insertRevision(tx, {
      entity: 'product',
      entity_id: code,
      version: after.version,
      data: after,
      changed_by: actor.userId,
    });
    await recordAudit(tx, context, {
      action: 'product.update',
      objectType: 'product',
      objectId: code,
      before: toProduct(locked),
      after,
    });
    return after;
  });
}

export async function productHistory(db: Executor, code: string) {
  await getProduct(db, code);
  return revisionHistory(db, 'product', code);
}
