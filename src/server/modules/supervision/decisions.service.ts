import type {
  DecisionCreateBody,
  DecisionTransitionBody,
  DecisionView,
  FinalityBody,
} from '../../../contracts/supervision.ts';
import type { Executor } from '../../db/executor.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { conflict, forbidden, invalid, invalidField, notFound } from '../../shared/errors.ts';
import { toKg } from '../../shared/quantity.ts';
import { idempotentWrite, refuseChangedReplay } from '../../shared/idempotency.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor, type Scope } from '../auth/index.ts';
import { divisionsWithAncestors } from '../registry/index.ts';
import * as repo from './decisions.repository.ts';
import { insertTransition, transitionsOf } from './supervision.repository.ts';
import {
  decisionBasis,
  decisionMoves,
  decisionProblems,
  finalityProblem,
  isOverdue,
  NATION,
} from './supervision.rules.ts';
import { actingUnit, assertWriter, iso, transitionView } from './supervision.shared.ts';
import { visibleViolation } from './violations.service.ts';

/** Decisions (Arts. 13, 16), their follow-up until closed, and the report of results upward (Art. 12 ¶2). */

export function decisionViewOf(row: repo.DecisionRow, today: string): DecisionView {
  return {
    ...row,
    fine_yuan: row.fine_yuan === null ? null : toKg(row.fine_yuan),
    overdue: isOverdue(row, today),
    reported_upward_at: iso(row.reported_upward_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function listDecisions(
  db: Executor,
  actor: Actor,
  query: {
    enterprise_id?: string | undefined;
    violation_id?: string | undefined;
    kind?: string | undefined;
    status?: string | undefined;
    overdue?: 'true' | 'false' | undefined;
    page: number;
    page_size: number;
  },
  now: Date,
) {
  const today = dateInShanghai(now);
  const { rows, total, overdueCount } = await repo.listDecisions(
    db,
    scopeOf(actor),
    {
      enterpriseId: query.enterprise_id,
      violationId: query.violation_id,
      kind: query.kind,
      status: query.status,
      overdue: query.overdue === undefined ? undefined : query.overdue === 'true',
      limit: query.page_size,
      offset: (query.page - 1) * query.page_size,
    },
    today,
  );
  return {
    items: rows.map((row) => decisionViewOf(row, today)),
    total,
    page: query.page,
    page_size: query.page_size,
    overdue_count: overdueCount,
  };
}

async function visibleDecision(db: Executor, actor: Actor, id: string) {
  const row = await repo.findDecision(db, scopeOf(actor), id);
  if (!row) throw notFound(`Decision ${id}`);
  return row;
}

export async function getDecision(db: Executor, actor: Actor, id: string, now: Date) {
  const row = await visibleDecision(db, actor, id);
  const transitions = await transitionsOf(db, 'decision', id);
  return { ...decisionViewOf(row, dateInShanghai(now)), transitions: transitions.map(transitionView) };
}

/** Decides on a violation. Refuses a decision whose fields do not fit its kind, naming each. */
export async function decide(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  violationId: string,
  body: DecisionCreateBody,
  now: Date,
) {
  actingUnit(actor);
  const violation = await visibleViolation(db, actor, violationId);
  // A higher level of the recording department may take the case up; the decision is then the decider's own.
  const unit = assertWriter(actor, violation, 'line', 'Deciding on this violation');
  const problems = decisionProblems(body);
  if (body.decided_on < violation.found_on)
    problems.push({ field: 'decided_on', message: `is before the violation was found (${violation.found_on})` });
  const today = dateInShanghai(now);
  if (body.decided_on > today) problems.push({ field: 'decided_on', message: `is after today (${today})` });
  const legalBasis = `${violation.type}: ${decisionBasis[body.kind]}`;
  const result = await idempotentWrite(
    db,
    { scope: 'decision.decide', owner: actor.login, key: body.idempotency_key },
    {
      replay: async (tx) => {
        const stored = await repo.decisionByKey(tx, actor.login, body.idempotency_key);
        if (!stored) return undefined;
        // `final` is left out: it is what the decision is now, and finality may have been recorded since.
        const fine = stored.fine_yuan === null ? null : Number(stored.fine_yuan);
        refuseChangedReplay(
          { ...stored, fine_yuan: fine },
          {
            violation_id: violationId,
            kind: body.kind,
            document_no: body.document_no,
            decided_on: body.decided_on,
            correction_due_on: body.correction_due_on ?? null,
            fine_yuan: body.fine_yuan ?? null,
            suspension_from: body.suspension_from ?? null,
            suspension_to: body.suspension_to ?? null,
            referred_to: body.referred_to ?? null,
          },
        );
        return stored.id;
      },
      write: async (tx) => {
        if (problems.length > 0)
          throw invalid(`The ${body.kind.replace('_', ' ')} cannot be decided as it stands.`, problems);
        const created = await repo.insertDecision(tx, {
          violation_id: violation.id,
          enterprise_id: violation.enterprise_id,
          ...unit,
          kind: body.kind,
          document_no: body.document_no,
          legal_basis: legalBasis,
          decided_on: body.decided_on,
          final: body.final,
          final_on: body.final ? body.decided_on : null,
          correction_due_on: body.correction_due_on ?? null,
          fine_yuan: body.fine_yuan ?? null,
          suspension_from: body.suspension_from ?? null,
          suspension_to: body.suspension_to ?? null,
          referred_to: body.referred_to ?? null,
          status: 'open',
          reported_to_code: null,
          reported_upward_at: null,
          reported_upward_by: null,
          idempotency_key: body.idempotency_key,
          decided_by: actor.login,
        });
        await recordAudit(tx, audit, {
          action: 'decision.decide',
          objectType: 'decision',
          objectId: created,
          after: {
            ...body,
            violation_id: violation.id,
            enterprise_id: violation.enterprise_id,
            ...unit,
            legal_basis: legalBasis,
          },
        });
        return created;
      },
    },
  );
  return { decision: await getDecision(db, actor, result.value, now), replayed: result.replayed };
}

const versionConflict = (current: number, expected: number) =>
  conflict(`The decision changed since you read it (version ${current}): reload and try again.`, [
    { field: 'expected_version', message: `is ${expected}, the decision is at ${current}` },
  ]);

/** Follows a decision up: open → complied → closed (or reopened), with a note; checked against the version seen. */
export async function moveDecision(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  body: DecisionTransitionBody,
  now: Date,
) {
  actingUnit(actor);
  const decision = await visibleDecision(db, actor, id);
  assertWriter(actor, decision, 'owner', 'The follow-up of this decision');
  await db.transaction().execute(async (tx) => {
    const current = await repo.lockDecision(tx, id);
    if (!current) throw notFound(`Decision ${id}`);
    if (current.version !== body.expected_version) throw versionConflict(current.version, body.expected_version);
    const allowed = decisionMoves[current.status];
    if (!allowed.includes(body.status))
      throw invalidField(
        'status',
        `cannot go from ${current.status} to ${body.status}; allowed: ${allowed.join(', ') || 'nothing (closed)'}`,
      );
    await repo.updateDecision(tx, id, current.version, { status: body.status });
    await insertTransition(tx, {
      subject_type: 'decision',
      subject_id: id,
      from_status: current.status,
      to_status: body.status,
      note: body.note,
      moved_by: actor.login,
    });
    await recordAudit(tx, audit, {
      action: 'decision.transition',
      objectType: 'decision',
      objectId: id,
      before: { status: current.status, version: current.version },
      after: { status: body.status, version: current.version + 1, note: body.note },
    });
  });
  return getDecision(db, actor, id, now);
}

/**
 * Records what became of a penalty decided while an appeal could still be brought: final (the time for appeal
 * passed, or it was upheld; Art. 14 counts it from then on) or revoked (set aside on reconsideration or by a court;
 * the decision is closed). Only the deciding division records it, against the version it saw.
 */
export async function settleFinality(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  body: FinalityBody,
  now: Date,
) {
  actingUnit(actor);
  const decision = await visibleDecision(db, actor, id);
  assertWriter(actor, decision, 'owner', 'Recording what became of this decision');
  const today = dateInShanghai(now);
  if (body.effective_on < decision.decided_on)
    throw invalidField('effective_on', `is before the decision was made (${decision.decided_on})`);
  if (body.effective_on > today) throw invalidField('effective_on', `is after today (${today})`);
  await db.transaction().execute(async (tx) => {
    const current = await repo.lockDecision(tx, id);
    if (!current) throw notFound(`Decision ${id}`);
    if (current.version !== body.expected_version) throw versionConflict(current.version, body.expected_version);
    const problem = finalityProblem(current, body.outcome);
    if (problem)
      throw problem.field === 'outcome' ? invalidField('outcome', problem.message) : conflict(problem.message);
    const changes =
      body.outcome === 'final'
        ? { final: true, final_on: body.effective_on }
        : { status: 'closed' as const, revoked_on: body.effective_on };
    await repo.updateDecision(tx, id, current.version, changes);
    await insertTransition(tx, {
      subject_type: 'decision',
      subject_id: id,
      from_status: current.status,
      to_status: body.outcome === 'final' ? current.status : 'closed',
      note: `${body.outcome === 'final' ? 'final' : 'revoked'} on ${body.effective_on}: ${body.note}`.slice(0, 2000),
      moved_by: actor.login,
    });
    await recordAudit(tx, audit, {
      action: body.outcome === 'final' ? 'decision.final' : 'decision.revoke',
      objectType: 'decision',
      objectId: id,
      before: { status: current.status, final: current.final, version: current.version },
      after: { ...changes, version: current.version + 1, effective_on: body.effective_on, note: body.note },
    });
  });
  return getDecision(db, actor, id, now);
}

/** The division a division reports to (Art. 12 ¶2): its parent in the tree, the nation above a province. */
async function parentDivision(db: Executor, code: string): Promise<string> {
  const rows = await divisionsWithAncestors(db, [code]);
  const own = rows.find((row) => row.code === code);
  return own?.parent_code ?? NATION;
}

/** Reports a decision's handling to the next higher level: done by the deciding division, once. */
export async function reportUpward(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  expectedVersion: number,
  now: Date,
) {
  actingUnit(actor);
  const decision = await visibleDecision(db, actor, id);
  assertWriter(actor, decision, 'owner', 'Reporting the handling of this decision upward');
  if (decision.division_code === NATION) throw conflict('A ministry decision has no higher level to be reported to.');
  const to = await parentDivision(db, decision.division_code);
  await db.transaction().execute(async (tx) => {
    const current = await repo.lockDecision(tx, id);
    if (!current) throw notFound(`Decision ${id}`);
    if (current.version !== expectedVersion) throw versionConflict(current.version, expectedVersion);
    if (current.reported_to_code !== null)
      throw conflict(`The decision was reported to ${current.reported_to_code} already.`);
    await repo.updateDecision(tx, id, current.version, {
      reported_to_code: to,
      reported_upward_at: now,
      reported_upward_by: actor.login,
    });
    await recordAudit(tx, audit, {
      action: 'decision.report_upward',
      objectType: 'decision',
      objectId: id,
      before: { reported_to_code: null, version: current.version },
      after: { reported_to_code: to, version: current.version + 1, status: current.status },
    });
  });
  return getDecision(db, actor, id, now);
}

/** The handling results reported to the caller's division by the divisions directly below it. */
export async function reportedToMe(db: Executor, actor: Actor, query: { page: number; page_size: number }, now: Date) {
  const scope = scopeOf(actor);
  if (scope.kind === 'enterprise' || scope.kind === 'none')
    throw forbidden('Handling results are reported to the departments of the next higher level, not to enterprises.');
  const division = scope.kind === 'division' ? scope.divisionCode : NATION;
  const today = dateInShanghai(now);
  const { rows, total, overdueCount } = await repo.listDecisions(
    db,
    scope,
    { reportedTo: division, limit: query.page_size, offset: (query.page - 1) * query.page_size },
    today,
  );
  return {
    items: rows.map((row) => decisionViewOf(row, today)),
    total,
    page: query.page,
    page_size: query.page_size,
    overdue_count: overdueCount,
  };
}

/**
 * The correction orders overdue in a scope (Art. 13 follow-up), the most overdue first, for the officials' board:
 * how many there are, and the first `limit` of them.
 */
export async function overdueCorrections(db: Executor, scope: Scope, now: Date, limit = 20) {
  const today = dateInShanghai(now);
  const { rows, total } = await repo.listDecisions(db, scope, { overdue: true, limit, offset: 0 }, today, 'due');
  return {
    count: total,
    items: rows.map((row) => ({
      id: row.id,
      document_no: row.document_no,
      enterprise_id: row.enterprise_id,
      enterprise_name: row.enterprise_name,
      division_code: row.division_code,
      correction_due_on: row.correction_due_on!,
    })),
  };
}
