import type { Page } from '../../../contracts/common.ts';
import type { ViolationCreateBody, ViolationView } from '../../../contracts/supervision.ts';
import type { Executor } from '../../db/executor.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { invalid, notFound, type FieldError } from '../../shared/errors.ts';
import { idempotentWrite, refuseChangedReplay } from '../../shared/idempotency.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import { getAnomaly } from '../checks/anomalies.service.ts';
import { getEnterprise } from '../registry/index.ts';
import * as repo from './decisions.repository.ts';
import { findInspection } from './supervision.repository.ts';
import { legalBasisOf, violationTypes } from './supervision.rules.ts';
import { actingUnit } from './supervision.shared.ts';

/** Violations (Art. 13): a type with its legal basis, found at an inspection or from an anomaly, or directly. */

export function violationViewOf(row: repo.ViolationRow): ViolationView {
  const basis = legalBasisOf(row.type);
  return {
    ...row,
    legal_basis: basis ?? { citation: row.type, zh: row.type, en: row.type },
    recorded_at: row.recorded_at.toISOString(),
  };
}

export function listViolationTypes() {
  return Object.entries(violationTypes).map(([type, legal_basis]) => ({ type, legal_basis }));
}

export async function listViolations(
  db: Executor,
  actor: Actor,
  query: { enterprise_id?: string | undefined; type?: string | undefined; page: number; page_size: number },
): Promise<Page<ViolationView>> {
  const { rows, total } = await repo.listViolations(db, scopeOf(actor), {
    enterpriseId: query.enterprise_id,
    type: query.type,
    limit: query.page_size,
    offset: (query.page - 1) * query.page_size,
  });
  return { items: rows.map(violationViewOf), total, page: query.page, page_size: query.page_size };
}

export async function visibleViolation(db: Executor, actor: Actor, id: string) {
  const row = await repo.findViolation(db, scopeOf(actor), id);
  if (!row) throw notFound(`Violation ${id}`);
  return row;
}

export async function getViolation(db: Executor, actor: Actor, id: string): Promise<ViolationView> {
  return violationViewOf(await visibleViolation(db, actor, id));
}

/** What a violation's links must satisfy: the inspection and the anomaly are of the same enterprise. */
async function linkProblems(db: Executor, actor: Actor, body: ViolationCreateBody): Promise<FieldError[]> {
  const problems: FieldError[] = [];
  if (!legalBasisOf(body.type))
    problems.push({
      field: 'type',
      message: `"${body.type}" has no legal basis: it is not a violation type (one of ${Object.keys(violationTypes).join(', ')})`,
    });
  if (body.inspection_id) {
    const inspection = await findInspection(db, scopeOf(actor), body.inspection_id);
    if (inspection?.enterprise_id !== body.enterprise_id)
      problems.push({ field: 'inspection_id', message: "is not an inspection of this enterprise's" });
    else if (inspection.status !== 'visited')
      problems.push({ field: 'inspection_id', message: 'the inspection has no visit recorded yet' });
  }
  if (body.anomaly_id) {
    const anomaly = await getAnomaly(db, actor, body.anomaly_id).catch(() => null);
    if (anomaly?.enterprise_id !== body.enterprise_id)
      problems.push({ field: 'anomaly_id', message: "is not an anomaly of this enterprise's" });
  }
  return problems;
}

/** Records a violation with the legal basis of its type. The same idempotency key again returns the first. */
export async function recordViolation(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  body: ViolationCreateBody,
  now: Date = new Date(),
): Promise<{ violation: ViolationView; replayed: boolean }> {
  const unit = actingUnit(actor);
  const result = await idempotentWrite(
    db,
    { scope: 'violation.record', owner: actor.login, key: body.idempotency_key },
    {
      replay: async (tx) => {
        const stored = await repo.violationByKey(tx, actor.login, body.idempotency_key);
        if (!stored) return undefined;
        refuseChangedReplay(stored, {
          enterprise_id: body.enterprise_id,
          inspection_id: body.inspection_id ?? null,
          anomaly_id: body.anomaly_id ?? null,
          type: body.type,
          description: body.description,
          found_on: body.found_on,
        });
        return stored.id;
      },
      write: async (tx) => {
        const enterprise = await getEnterprise(tx, actor, body.enterprise_id);
        const problems = await linkProblems(tx, actor, body);
        const today = dateInShanghai(now);
        if (body.found_on > today) problems.push({ field: 'found_on', message: `is after today (${today})` });
        if (problems.length > 0) throw invalid('The violation cannot be recorded as it stands.', problems);
        const basis = legalBasisOf(body.type)!;
        const created = await repo.insertViolation(tx, {
          enterprise_id: enterprise.id,
          inspection_id: body.inspection_id ?? null,
          anomaly_id: body.anomaly_id ?? null,
          ...unit,
          type: body.type,
          legal_basis: basis.citation,
          description: body.description,
          found_on: body.found_on,
          idempotency_key: body.idempotency_key,
          recorded_by: actor.login,
        });
        await recordAudit(tx, audit, {
          action: 'violation.record',
          objectType: 'violation',
          objectId: created,
          after: { ...body, ...unit, legal_basis: basis.citation },
        });
        return created;
      },
    },
  );
  return { violation: await getViolation(db, actor, result.value), replayed: result.replayed };
}
