import type { z } from 'zod';
import type {
  Batch,
  batchApproveBody,
  batchCreateBody,
  batchTotalsBody,
  Plan,
  planCreateBody,
} from '../../../contracts/indicators.ts';
import type { Executor } from '../../db/executor.ts';
import type { BatchStatus, CategoryCode } from '../../db/schema.ts';
import { conflict, DomainError, forbidden, invalidField, notFound } from '../../shared/errors.ts';
import { toKg } from '../../shared/quantity.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import { accounts, transfer } from '../ledger/ledger.service.ts';
import * as repo from './indicators.repository.ts';
import { allowedIn, statusAfterCosign, type BatchAction } from './indicators.rules.ts';

type PlanCreate = z.infer<typeof planCreateBody>;
type BatchCreate = z.infer<typeof batchCreateBody>;

async function batchViews(db: Executor, batches: Awaited<ReturnType<typeof repo.batchesOf>>): Promise<Batch[]> {
  const ids = batches.map((batch) => batch.id);
  const [totals, cosigns] = await Promise.all([repo.totalsOf(db, ids), repo.cosignsOf(db, ids)]);
  return batches.map((batch) => ({
    id: batch.id,
    plan_id: batch.plan_id,
    seq: batch.seq,
    name: batch.name,
    kind: batch.kind,
    status: batch.status,
    totals: totals
      .filter((total) => total.batch_id === batch.id)
      .map((total) => ({ category: total.category, total_reo_kg: toKg(total.total_reo_kg) })),
    cosigns: cosigns
      .filter((cosign) => cosign.batch_id === batch.id)
      .map((cosign) => ({
        authority_id: cosign.authority_id,
        user_id: cosign.user_id,
        signed_at: cosign.signed_at.toISOString(),
      })),
    drafted_by: batch.drafted_by,
    submitted_at: batch.submitted_at?.toISOString() ?? null,
    approval_document_no: batch.approval_document_no,
    approval_date: batch.approval_date,
    version: batch.version,
  }));
}

async function planView(db: Executor, plan: NonNullable<Awaited<ReturnType<typeof repo.findPlanById>>>): Promise<Plan> {
  const batches = await batchViews(db, await repo.batchesOf(db, [plan.id]));
  return {
    id: plan.id,
    year: plan.year,
    memo: plan.memo as Plan['memo'],
    weights: plan.weights,
    penalty_reduction_ppm: plan.penalty_reduction_ppm,
    sub_allocation_working_days: plan.sub_allocation_working_days,
    created_by: plan.created_by,
    created_at: plan.created_at.toISOString(),
    batches,
  };
}

export async function listPlans(db: Executor): Promise<Plan[]> {
  return Promise.all((await repo.listPlans(db)).map((plan) => planView(db, plan)));
}

export async function getPlan(db: Executor, year: number): Promise<Plan> {
  const plan = await repo.findPlanByYear(db, year);
  if (!plan) throw notFound(`The indicator plan for ${year}`);
  return planView(db, plan);
}

export async function getBatch(db: Executor, id: string): Promise<Batch> {
  const batch = await repo.getBatch(db, id);
  if (!batch) throw notFound(`Indicator batch ${id}`);
  const [view] = await batchViews(db, [batch]);
  return view!;
}

/** Art. 5: MIIT drafts the year's plan: the factors memo and the allocation parameters. */
export async function createPlan(db: Executor, context: AuditContext, actor: Actor, input: PlanCreate) {
  return db.transaction().execute(async (tx) => {
    if (await repo.findPlanByYear(tx, input.year)) {
      throw conflict(`There is a plan for ${input.year} already; add a batch to it instead.`, [
        { field: 'year', message: 'has a plan already' },
      ]);
    }
    const id = await repo.insertPlan(tx, {
      ...input,
      memo: JSON.stringify(input.memo),
      weights: JSON.stringify(input.weights),
      created_by: actor.userId,
    });
    const plan = await planView(tx, (await repo.findPlanById(tx, id))!);
    await recordAudit(tx, context, {
      action: 'indicator.plan.create',
      objectType: 'indicator_plan',
      objectId: id,
      after: plan,
    });
    return plan;
  });
}

export async function createBatch(db: Executor, context: AuditContext, actor: Actor, year: number, input: BatchCreate) {
  return db.transaction().execute(async (tx) => {
    const plan = await repo.findPlanByYear(tx, year);
    if (!plan) throw notFound(`The indicator plan for ${year}`);
    const seq = await repo.nextBatchSeq(tx, plan.id);
    const id = await repo.insertBatch(tx, {
      plan_id: plan.id,
      seq,
      name: input.name,
      kind: input.kind,
      status: 'draft',
      drafted_by: actor.userId,
      submitted_by: null,
      submitted_at: null,
      approval_document_no: null,
      approval_date: null,
      approval_recorded_by: null,
    });
    await repo.replaceTotals(tx, id, input.totals);
    const batch = await getBatch(tx, id);
    await recordAudit(tx, context, {
      action: 'indicator.batch.create',
      objectType: 'indicator_batch',
      objectId: id,
      after: batch,
    });
    return batch;
  });
}

async function lockForAction(tx: Executor, id: string, action: BatchAction) {
  const batch = await repo.lockBatch(tx, id);
  if (!batch) throw notFound(`Indicator batch ${id}`);
  if (!allowedIn(action, batch.status)) {
    throw new DomainError(
      409,
      'wrong_state',
      `Batch ${batch.name} is ${batch.status}; it cannot be ${action === 'edit' ? 'edited' : `${action}ed`} now.${batch.status !== 'draft' && action === 'edit' ? ' Approved figures never change: add a further batch or make a signed adjustment.' : ''}`,
    );
  }
  return batch;
}

type LockedBatch = NonNullable<Awaited<ReturnType<typeof repo.lockBatch>>>;

/**
 * One step of a batch's lifecycle, in one transaction: lock the batch in a state that allows the action,
 * make the change, and write the audit entry with the batch before and after.
 */
async function changeBatch(
  db: Executor,
  context: AuditContext,
  id: string,
  action: BatchAction,
  change: (tx: Executor, locked: LockedBatch, before: Batch) => Promise<void>,
): Promise<Batch> {
  return db.transaction().execute(async (tx) => {
    const locked = await lockForAction(tx, id, action);
    const before = await getBatch(tx, id);
    await change(tx, locked, before);
    const after = await getBatch(tx, id);
    await recordAudit(tx, context, {
      action: `indicator.batch.${action === 'edit' ? 'totals' : action}`,
      objectType: 'indicator_batch',
      objectId: id,
      before,
      after,
    });
    return after;
  });
}

/** Changes a draft's totals; any co-signatures given so far no longer hold and are cleared. */
export async function replaceTotals(
  db: Executor,
  context: AuditContext,
  id: string,
  input: z.infer<typeof batchTotalsBody>,
) {
  return changeBatch(db, context, id, 'edit', async (tx, locked) => {
    if (locked.version !== input.expected_version)
      throw conflict(
        `Batch ${locked.name} has changed since version ${input.expected_version} (now ${locked.version}).`,
        [{ field: 'expected_version', message: `is stale: current version is ${locked.version}` }],
      );
    await repo.clearCosigns(tx, id);
    await repo.replaceTotals(tx, id, input.totals);
    await repo.updateBatch(tx, id, {});
  });
}

export async function cosign(db: Executor, context: AuditContext, actor: Actor, id: string) {
  const authority = actor.authorityId;
  if (authority !== 'MNR' && authority !== 'NDRC') throw forbidden('Only MNR and NDRC co-sign the indicators.');
  return changeBatch(db, context, id, 'cosign', async (tx, _locked, before) => {
    if (before.cosigns.some((item) => item.authority_id === authority))
      throw conflict(`${authority} has co-signed this batch already.`);
    await repo.insertCosign(tx, id, authority, actor.userId);
    const status = statusAfterCosign([...before.cosigns.map((item) => item.authority_id), authority]);
    await repo.updateBatch(tx, id, { status });
  });
}

export async function submit(db: Executor, context: AuditContext, actor: Actor, id: string) {
  return changeBatch(db, context, id, 'submit', async (tx) => {
    await repo.updateBatch(tx, id, { status: 'submitted', submitted_by: actor.userId, submitted_at: new Date() });
  });
}

/**
 * Records the State Council's approval. Whoever drafted the batch cannot record its approval. The approved
 * totals enter the national pool of the ledger in the same transaction, and are frozen from then on.
 */
export async function approve(
  db: Executor,
  context: AuditContext,
  actor: Actor,
  id: string,
  input: z.infer<typeof batchApproveBody>,
) {
  return changeBatch(db, context, id, 'approve', async (tx, locked, before) => {
    if (locked.drafted_by === actor.userId)
      throw forbidden('Whoever drafted a batch cannot record its approval; another MIIT official must.');
    const plan = (await repo.findPlanById(tx, locked.plan_id))!;
    if (input.approval_date.slice(0, 4) > String(plan.year)) {
      throw invalidField('approval_date', `is after the plan year ${plan.year}`);
    }
    await repo.updateBatch(tx, id, {
      status: 'approved' satisfies BatchStatus,
      approval_document_no: input.approval_document_no,
      approval_date: input.approval_date,
      approval_recorded_by: actor.userId,
    });
    if (locked.kind !== 'regular') return;
    for (const total of before.totals) {
      if (total.total_reo_kg === 0) continue;
      await transfer(tx, {
        kind: 'approve',
        year: plan.year,
        category: total.category,
        from: accounts.approved(plan.year, total.category),
        to: accounts.pool(plan.year, total.category),
        reoKg: total.total_reo_kg,
        key: `approve:${id}:${total.category}`,
        reference: `batch:${id}`,
        memo: input.approval_document_no,
        createdBy: actor.userId,
      });
    }
  });
}

/** Moves a batch on after allocation or issuance (called by the allocation module). */
export async function markBatch(tx: Executor, id: string, status: 'allocated' | 'issued'): Promise<void> {
  await repo.updateBatch(tx, id, { status });
}

export async function batchContext(db: Executor, id: string): Promise<{ batch: Batch; year: number; plan: Plan }> {
  const batch = await getBatch(db, id);
  const plan = (await repo.findPlanById(db, batch.plan_id))!;
  return { batch, year: plan.year, plan: await planView(db, plan) };
}

export function totalFor(batch: Batch, category: CategoryCode): number {
  const total = batch.totals.find((item) => item.category === category);
  if (!total) throw invalidField('category', `batch ${batch.name} has no ${category} total`);
  return total.total_reo_kg;
}
