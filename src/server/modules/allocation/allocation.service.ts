import type { EngineInput, Run, RunCreate } from '../../../contracts/allocation.ts';
import type { Executor } from '../../db/executor.ts';
import type { CategoryCode } from '../../db/schema.ts';
import { dateInShanghai, todayInShanghai } from '../../shared/clock.ts';
import { DomainError, forbidden, invalidField, notFound } from '../../shared/errors.ts';
import { toKg } from '../../shared/quantity.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import { batchContext, markBatch, totalFor } from '../indicators/indicators.service.ts';
import { enterpriseFacts, groupNames } from '../registry/index.ts';
import { finalPenaltiesByEnterprise } from '../supervision/index.ts';
import {
  allocate,
  AllocationError,
  checkManual,
  differencesFromEngine,
  reasonFor,
  type AllocationResult,
  type EngineDifference,
} from './allocation.rules.ts';
import * as repo from './allocation.repository.ts';
import { enterpriseHolder, engineCategory, nationalHolders, type NamedHolder } from './holders.rules.ts';
import { issueRun } from './issuance.service.ts';

export interface InputRequest {
  readonly batch_id: string;
  readonly category: CategoryCode;
  readonly level: 'national' | 'group';
  readonly group_id?: string | undefined;
}

/** Runs the engine, turning its refusals into field errors a person can act on. */
export function runEngine(input: EngineInput): AllocationResult {
  try {
    return allocate({ ...input, category: engineCategory(input.category) });
  } catch (error) {
    if (error instanceof AllocationError) throw invalidField(error.field, error.message);
    throw error;
  }
}

/**
 * The engine input for a batch and category, built from the register as of the batch's approval date:
 * groups (members folded in) and ungrouped enterprises nationally, or one group's enterprises.
 */
export async function buildInput(
  db: Executor,
  request: InputRequest,
): Promise<{ input: EngineInput; holders: NamedHolder[]; year: number; dueOn: string | null }> {
  const { batch, plan, year } = await batchContext(db, request.batch_id);
  if (!batch.approval_date || batch.kind !== 'regular') {
    throw new DomainError(
      409,
      'wrong_state',
      `Batch ${batch.name} is ${batch.kind === 'reserve' ? 'the reserve' : batch.status}; only approved regular batches are allocated.`,
    );
  }
  const facts = await enterpriseFacts(db, batch.approval_date);
  // Art. 14: the final administrative penalties decided in the year before reduce this year's indicators.
  const penalties = await finalPenaltiesByEnterprise(db, year - 1);
  let holders: NamedHolder[];
  let total: number;
  let dueOn: string | null = null;
  if (request.level === 'national') {
    total = totalFor(batch, request.category);
    holders = nationalHolders(facts, await groupNames(db), request.category, batch.approval_date, penalties);
  } else {
    if (!request.group_id) throw invalidField('group_id', 'is required for a group-level run');
    const share = await repo.issuedGroupShare(db, request.batch_id, request.category, `group:${request.group_id}`);
    if (!share)
      throw new DomainError(
        409,
        'wrong_state',
        `Group ${request.group_id} has no issued ${request.category} share in this batch to sub-allocate.`,
      );
    total = toKg(share.reo_kg);
    dueOn = share.due_on;
    const kind = engineCategory(request.category) === 'separation' ? 'separation' : 'mining';
    holders = facts
      .filter((item) => item.group_id === request.group_id && (item.kind === 'both' || item.kind === kind))
      .map((item) => enterpriseHolder(item, request.category, batch.approval_date!, penalties.get(item.id) ?? 0));
  }
  const input: EngineInput = {
    category: request.category,
    total_reo_kg: total,
    weights: plan.weights,
    penalty_reduction_ppm: plan.penalty_reduction_ppm,
    holders: holders.map(({ kind: _kind, members: _members, penalty_decisions: _decisions, ...holder }) => holder),
  };
  return { input, holders, year, dueOn };
}

export function whatIf(input: EngineInput) {
  const names = new Map(input.holders.map((holder) => [holder.id, holder.name]));
  const result = runEngine(input);
  return {
    ...result,
    category: input.category,
    holders: result.holders.map((holder) => ({
      ...holder,
      reasons: [...holder.reasons],
      contributions: [...holder.contributions],
      ...(names.get(holder.id) ? { name: names.get(holder.id)! } : {}),
    })),
  };
}

export function compare(a: EngineInput, b: EngineInput) {
  const first = whatIf(a);
  const second = whatIf(b);
  const byId = new Map(second.holders.map((holder) => [holder.id, holder]));
  const ids = [
    ...new Set([...first.holders.map((holder) => holder.id), ...second.holders.map((holder) => holder.id)]),
  ].sort();
  const firstById = new Map(first.holders.map((holder) => [holder.id, holder]));
  const rows = ids.map((id) => {
    const left = firstById.get(id);
    const right = byId.get(id);
    const name = left?.name ?? right?.name;
    return {
      id,
      ...(name ? { name } : {}),
      a_reo_kg: left?.reo_kg ?? 0,
      b_reo_kg: right?.reo_kg ?? 0,
      difference_reo_kg: (right?.reo_kg ?? 0) - (left?.reo_kg ?? 0),
    };
  });
  return { a: first, b: second, rows };
}

/** Proposes an allocation (engine or manual). Nothing moves in the ledger until a second person approves and it is issued. */
export async function createRun(db: Executor, context: AuditContext, actor: Actor, body: RunCreate): Promise<Run> {
  const { input, holders, dueOn } = await buildInput(db, body);
  const engineInputUsed: EngineInput =
    body.mode === 'engine'
      ? {
          ...input,
          ...(body.weights ? { weights: body.weights } : {}),
          ...(body.penalty_reduction_ppm !== undefined ? { penalty_reduction_ppm: body.penalty_reduction_ppm } : {}),
        }
      : input;
  let result: AllocationResult;
  let differences: EngineDifference[];
  let reason: string | null;
  try {
    result =
      body.mode === 'engine'
        ? runEngine(engineInputUsed)
        : checkManual({ ...input, category: engineCategory(input.category) }, body.shares);
    // Oversight rule 2: shares other than the engine's on the register and the plan's parameters need a reason.
    const engine = engineOnPlan(input);
    differences = engine ? differencesFromEngine(engine, result) : [];
    reason = reasonFor(differences, body.reason);
  } catch (error) {
    if (error instanceof AllocationError) throw invalidField(error.field, error.message);
    throw error;
  }
  const engineFigures = new Map(differences.map((row) => [row.holder_id, row.engine_reo_kg]));
  const kinds = new Map(holders.map((holder) => [holder.id, holder]));
  return db.transaction().execute(async (tx) => {
    const id = await repo.insertRun(tx, {
      batch_id: body.batch_id,
      category: body.category,
      level: body.level,
      group_id: body.level === 'group' ? (body.group_id ?? null) : null,
      mode: body.mode,
      status: 'proposed',
      total_reo_kg: input.total_reo_kg,
      input: JSON.stringify(body.mode === 'engine' ? engineInputUsed : { ...input, shares: body.shares }),
      created_by: actor.userId,
      approved_by: null,
      approved_at: null,
      issued_at: null,
      // A group's sub-allocation carries the deadline it was due by (Art. 6; plan's working days).
      due_on: dueOn,
      reason,
    });
    await repo.insertShares(
      tx,
      result.holders.map((holder) => ({
        run_id: id,
        holder_kind: kinds.get(holder.id)?.kind ?? 'enterprise',
        holder_id: holder.id,
        reo_kg: holder.reo_kg,
        explanation: JSON.stringify({
          name: kinds.get(holder.id)?.name ?? holder.id,
          ...holder,
          // Art. 14: the explanation names the decisions (document numbers) a reduction rests on.
          ...(kinds.get(holder.id)?.penalty_decisions
            ? { penalty_decisions: kinds.get(holder.id)?.penalty_decisions }
            : {}),
          // Where the run departs from the engine: what the engine gives this holder (the run's reason says why).
          ...(engineFigures.has(holder.id) ? { engine_reo_kg: engineFigures.get(holder.id) } : {}),
        }),
      })),
    );
    const run = await getRun(tx, actor, id);
    await recordAudit(tx, context, {
      action: `allocation.run.propose`,
      objectType: 'allocation_run',
      objectId: id,
      after: {
        ...run,
        shares: run.shares.filter((item) => item.reo_kg > 0).map(({ holder_id, reo_kg }) => ({ holder_id, reo_kg })),
        differences_from_engine: differences.length,
      },
    });
    return run;
  });
}

/** The engine's result on the register and the plan's parameters, or null when the engine refuses that input. */
function engineOnPlan(input: EngineInput): AllocationResult | null {
  try {
    return allocate({ ...input, category: engineCategory(input.category) });
  } catch (error) {
    if (error instanceof AllocationError) return null;
    throw error;
  }
}

type RunRow = NonNullable<Awaited<ReturnType<typeof repo.getRun>>>;
type ShareRow = Awaited<ReturnType<typeof repo.sharesOf>>[number];
type ShareFilter = (share: { holder_kind: string; holder_id: string }) => boolean;

/** A run with the shares the actor may see: nationally all; within a division its enterprises; an enterprise its own. */
export async function getRun(db: Executor, actor: Actor, id: string): Promise<Run> {
  const row = await repo.getRun(db, id);
  if (!row) throw notFound(`Allocation run ${id}`);
  return runView(actor, row, await repo.sharesOf(db, [id]), await visibleShareFilter(db, actor));
}

export async function listRuns(
  db: Executor,
  actor: Actor,
  filter: { batch_id?: string | undefined; status?: Run['status'] | undefined },
) {
  const rows = await repo.listRuns(db, { batchId: filter.batch_id, status: filter.status });
  const [shares, visible] = await Promise.all([
    repo.sharesOf(
      db,
      rows.map((row) => row.id),
    ),
    visibleShareFilter(db, actor),
  ]);
  return rows.map((row) =>
    runView(
      actor,
      row,
      shares.filter((share) => share.run_id === row.id),
      visible,
    ),
  );
}

function runView(actor: Actor, row: RunRow, allShares: readonly ShareRow[], visible: ShareFilter): Run {
  const shares = allShares.filter(visible);
  // Outside national scope the run's total would disclose what the hidden shares add up to (a group's
  // share, or the batch total): such callers see the sum of the shares they may see.
  const national = scopeOf(actor).kind === 'national';
  const total = national ? toKg(row.total_reo_kg) : shares.reduce((sum, share) => sum + toKg(share.reo_kg), 0);
  return {
    id: row.id,
    batch_id: row.batch_id,
    category: row.category,
    level: row.level,
    group_id: row.group_id,
    mode: row.mode,
    status: row.status,
    total_reo_kg: total,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    approved_by: row.approved_by,
    issued_at: row.issued_at?.toISOString() ?? null,
    due_on: row.due_on,
    filed_late: row.level === 'group' && row.due_on !== null && dateInShanghai(row.created_at) > row.due_on,
    reason: row.reason,
    shares: shares.map((share) => ({
      holder_kind: share.holder_kind,
      holder_id: share.holder_id,
      name: (share.explanation as { name?: string }).name ?? share.holder_id,
      reo_kg: toKg(share.reo_kg),
      explanation: share.explanation,
    })),
  };
}

async function visibleShareFilter(db: Executor, actor: Actor): Promise<ShareFilter> {
  const scope = scopeOf(actor);
  if (scope.kind === 'national') return () => true;
  if (scope.kind === 'enterprise') return (share) => share.holder_id === `enterprise:${scope.enterpriseId}`;
  if (scope.kind === 'none') return () => false;
  const inDivision = new Set(
    (await enterpriseFacts(db, todayInShanghai()))
      .filter((item) => item.domicile_code.startsWith(scope.prefix))
      .map((item) => `enterprise:${item.id}`),
  );
  return (share) => inDivision.has(share.holder_id);
}

/** Second-person approval: whoever proposed a run cannot approve it. Competing proposals are withdrawn. */
export async function approveRun(db: Executor, context: AuditContext, actor: Actor, id: string): Promise<Run> {
  return db.transaction().execute(async (tx) => {
    const run = await repo.lockRun(tx, id);
    if (!run) throw notFound(`Allocation run ${id}`);
    if (run.status !== 'proposed')
      throw new DomainError(409, 'wrong_state', `The run is ${run.status}; only a proposed run can be approved.`);
    if (run.created_by === actor.userId)
      throw forbidden('Whoever proposed an allocation cannot approve it; a second official must.');
    await repo.updateRun(tx, id, { status: 'approved', approved_by: actor.userId, approved_at: new Date() });
    await repo.withdrawOtherProposals(tx, run);
    await markBatch(tx, run.batch_id, 'allocated');
    const after = await getRun(tx, actor, id);
    await recordAudit(tx, context, {
      action: 'allocation.run.approve',
      objectType: 'allocation_run',
      objectId: id,
      before: { status: run.status },
      after: { status: after.status, approved_by: actor.userId, reason: run.reason },
    });
    return after;
  });
}

export async function issue(db: Executor, context: AuditContext, actor: Actor, id: string): Promise<Run> {
  await issueRun(db, context, actor, id);
  return getRun(db, actor, id);
}
