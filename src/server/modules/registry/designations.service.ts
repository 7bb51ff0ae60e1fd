import type { z } from 'zod';
import type {
  Designation,
  designationCreateBody,
  designationQuery,
  designationRevokeBody,
} from '../../../contracts/registry.ts';
import type { Executor } from '../../db/executor.ts';
import { todayInShanghai } from '../../shared/clock.ts';
import { conflict, invalidField, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import * as repo from './designations.repository.ts';
import { getEnterprise } from './enterprises.service.ts';
import { insertRevision } from './revisions.repository.ts';

type DesignationCreate = z.infer<typeof designationCreateBody>;
type DesignationRevoke = z.infer<typeof designationRevokeBody>;
type DesignationQuery = z.infer<typeof designationQuery>;

function toDesignation(row: repo.DesignationViewRow): Designation {
  return { ...row, created_at: row.created_at.toISOString() };
}

export async function listDesignations(db: Executor, actor: Actor, query: DesignationQuery) {
  const filter = { enterpriseId: query.enterprise_id, scope: query.scope, status: query.status };
  const { rows, total } = await repo.listDesignations(
    db,
    scopeOf(actor),
    todayInShanghai(),
    filter,
    query.page_size,
    (query.page - 1) * query.page_size,
  );
  return { items: rows.map(toDesignation), total, page: query.page, page_size: query.page_size };
}

export async function getDesignation(db: Executor, actor: Actor, id: string) {
  const row = await repo.getDesignation(db, scopeOf(actor), todayInShanghai(), id);
  if (!row) throw notFound(`Designation ${id}`);
  return toDesignation(row);
}

/** Art. 7: designates an enterprise for mining or separation. A kind it does not do cannot be designated. */
export async function createDesignation(db: Executor, context: AuditContext, actor: Actor, input: DesignationCreate) {
  return db.transaction().execute(async (tx) => {
    const enterprise = await getEnterprise(tx, actor, input.enterprise_id).catch(() => {
      throw invalidField('enterprise_id', `no enterprise ${input.enterprise_id}`);
    });
    if (enterprise.kind !== 'both' && enterprise.kind !== input.scope) {
      throw invalidField(
        'scope',
        `${enterprise.name} is registered as a ${enterprise.kind} enterprise and cannot be designated for ${input.scope}`,
      );
    }
    const same = await repo.findSameDesignation(tx, input);
    if (same) {
      if (same.effective_on === input.effective_on)
        return { designation: await getDesignation(tx, actor, same.id), created: false };
      throw conflict(
        `Document ${input.document_no} already designates this enterprise for ${input.scope} from ${same.effective_on}.`,
        [{ field: 'document_no', message: 'is recorded already' }],
      );
    }
    const overlapping = await repo.findOverlapping(tx, input.enterprise_id, input.scope, input.effective_on);
    if (overlapping) {
      throw conflict(
        `The enterprise is already designated for ${input.scope} by ${overlapping.document_no} (from ${overlapping.effective_on}); revoke that first.`,
        [{ field: 'scope', message: 'is already designated' }],
      );
    }
    const id = await repo.insertDesignation(tx, {
      ...input,
      revoked_on: null,
      revocation_document_no: null,
      revocation_reason: null,
    });
    const designation = await getDesignation(tx, actor, id);
    await insertRevision(tx, {
      entity: 'designation',
      entity_id: id,
      version: 1,
      data: designation,
      changed_by: actor.userId,
    });
    await recordAudit(tx, context, {
      action: 'designation.create',
      objectType: 'designation',
      objectId: id,
      after: designation,
    });
    return { designation, created: true };
  });
}

/** Records a revocation; the designation row keeps its original terms, and a designation is revoked once. */
export async function revokeDesignation(
  db: Executor,
  context: AuditContext,
  actor: Actor,
  id: string,
  input: DesignationRevoke,
) {
  return db.transaction().execute(async (tx) => {
    const locked = await repo.lockDesignation(tx, id);
    if (!locked) throw notFound(`Designation ${id}`);
    const before = await getDesignation(tx, actor, id);
    if (locked.revoked_on)
      throw conflict(`Designation ${locked.document_no} was revoked on ${locked.revoked_on} already.`);
    if (input.revoked_on < locked.effective_on) {
      throw invalidField('revoked_on', `must not be before the designation took effect (${locked.effective_on})`);
    }
    await repo.revokeDesignation(tx, id, {
      revoked_on: input.revoked_on,
      revocation_document_no: input.revocation_document_no,
      revocation_reason: input.reason,
    });
    const after = await getDesignation(tx, actor, id);
    await insertRevision(tx, {
      entity: 'designation',
      entity_id: id,
      version: 2,
      data: after,
      changed_by: actor.userId,
    });
    await recordAudit(tx, context, {
      action: 'designation.revoke',
      objectType: 'designation',
      objectId: id,
      before,
      after,
    });
    return after;
  });
}
