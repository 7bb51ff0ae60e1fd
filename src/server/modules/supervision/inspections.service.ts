import type {
  BasisItem,
  EvidenceView,
  InspectionCreateBody,
  InspectionView,
  ReassignBody,
  VisitBody,
} from '../../../contracts/supervision.ts';
import type { Page } from '../../../contracts/common.ts';
import type { Executor } from '../../db/executor.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { conflict, invalid, invalidField, notFound, type FieldError } from '../../shared/errors.ts';
import { idempotentWrite, refuseChangedReplay } from '../../shared/idempotency.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { isWithinDivision, scopeOf, type Actor } from '../auth/index.ts';
import { findUserByLogin } from '../auth/auth.repository.ts';
import { getAnomaly } from '../checks/anomalies.service.ts';
import { getEnterprise } from '../registry/index.ts';
import * as repo from './supervision.repository.ts';
import { actingUnit, assertWriter, transitionView } from './supervision.shared.ts';

/** Inspections (Art. 12): planned from risk reasons, assigned to competent officials, visited, with evidence. */

export function inspectionViewOf(row: repo.InspectionRow): InspectionView {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function evidenceViewOf(row: repo.EvidenceRow): EvidenceView {
  return { ...row, uploaded_at: row.uploaded_at.toISOString() };
}

export async function listInspections(
  db: Executor,
  actor: Actor,
  query: { enterprise_id?: string | undefined; status?: string | undefined; page: number; page_size: number },
): Promise<Page<InspectionView>> {
  const { rows, total } = await repo.listInspections(db, scopeOf(actor), {
    enterpriseId: query.enterprise_id,
    status: query.status,
    limit: query.page_size,
    offset: (query.page - 1) * query.page_size,
  });
  return { items: rows.map(inspectionViewOf), total, page: query.page, page_size: query.page_size };
}

/** An inspection the actor may see (its enterprise in scope), or 404. */
export async function visibleInspection(db: Executor, actor: Actor, id: string) {
  const row = await repo.findInspection(db, scopeOf(actor), id);
  if (!row) throw notFound(`Inspection ${id}`);
  return row;
}

export async function getInspection(db: Executor, actor: Actor, id: string) {
  const row = await visibleInspection(db, actor, id);
  const [evidence, transitions] = await Promise.all([
    repo.evidenceOf(db, id),
    repo.transitionsOf(db, 'inspection', id),
  ]);
  return {
    ...inspectionViewOf(row),
    evidence: evidence.map(evidenceViewOf),
    transitions: transitions.map(transitionView),
  };
}

/** The officials assigned must be of a competent department at or above the enterprise's domicile. */
async function inspectorProblems(db: Executor, logins: readonly string[], domicile: string): Promise<FieldError[]> {
  const problems: FieldError[] = [];
  const seen = new Set<string>();
  for (const [index, login] of logins.entries()) {
    const field = `inspectors.${index}`;
    if (seen.has(login)) problems.push({ field, message: `${login} is listed twice` });
    seen.add(login);
    const user = await findUserByLogin(db, login);
    const competent =
      user?.active &&
      (user.role === 'department_official' || user.role === 'ministry_official') &&
      (user.department === 'industry_it' || user.department === 'natural_resources') &&
      (user.division_code === null || isWithinDivision(user.division_code, domicile));
    if (!competent)
      problems.push({
        field,
        message: `${login} is not an official of an industry & IT or natural resources department at or above division ${domicile}`,
      });
  }
  return problems;
}

/** The anomalies named as risk reasons: each the enterprise's, and visible to the actor. */
async function anomalyBasis(
  db: Executor,
  actor: Actor,
  enterpriseId: string,
  ids: readonly string[],
): Promise<{ items: BasisItem[]; problems: FieldError[] }> {
  const items: BasisItem[] = [];
  const problems: FieldError[] = [];
  for (const [index, id] of ids.entries()) {
    const anomaly = await getAnomaly(db, actor, id).catch(() => null);
    if (!anomaly || anomaly.enterprise_id !== enterpriseId)
      problems.push({ field: `anomaly_ids.${index}`, message: `anomaly ${id} is not one of this enterprise's` });
    else
      items.push({
        kind: 'anomaly',
        anomaly_id: id,
        rule: anomaly.rule,
        period: anomaly.period,
        summary: anomaly.summary,
      });
  }
  return { items, problems };
}

/** Plans an inspection. The same idempotency key again returns the first plan. */
export async function planInspection(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  body: InspectionCreateBody,
): Promise<{ inspection: Awaited<ReturnType<typeof getInspection>>; replayed: boolean }> {
  const unit = actingUnit(actor);
  const result = await idempotentWrite(
    db,
    { scope: 'inspection.plan', owner: actor.login, key: body.idempotency_key },
    {
      replay: async (tx) => {
        const stored = await repo.inspectionByKey(tx, actor.login, body.idempotency_key);
        if (!stored) return undefined;
        const { idempotency_key: _key, ...sent } = body;
        // Every field of the plan is required or defaulted, so `sent` names them all.
        refuseChangedReplay(
          {
            ...stored,
            anomaly_ids: stored.basis.flatMap((item) => (item.kind === 'anomaly' ? [item.anomaly_id] : [])),
            reasons: stored.basis.flatMap((item) => (item.kind === 'note' ? [item.text] : [])),
          },
          sent,
        );
        return stored.id;
      },
      write: async (tx) => {
        const enterprise = await getEnterprise(tx, actor, body.enterprise_id);
        const anomalies = await anomalyBasis(tx, actor, enterprise.id, body.anomaly_ids);
        const problems = [
          ...anomalies.problems,
          ...(await inspectorProblems(tx, body.inspectors, enterprise.domicile_code)),
        ];
        if (body.anomaly_ids.length === 0 && body.reasons.length === 0)
          problems.push({
            field: 'reasons',
            message: 'name at least one risk reason or anomaly the inspection rests on',
          });
        if (problems.length > 0) throw invalid('The inspection cannot be planned as it stands.', problems);
        const basis: BasisItem[] = [
          ...anomalies.items,
          ...body.reasons.map((text) => ({ kind: 'note' as const, text })),
        ];
        const created = await repo.insertInspection(tx, {
          enterprise_id: enterprise.id,
          ...unit,
          planned_on: body.planned_on,
          purpose: body.purpose,
          basis: JSON.stringify(basis),
          inspectors: body.inspectors,
          status: 'planned',
          visited_on: null,
          findings: null,
          outcome: null,
          idempotency_key: body.idempotency_key,
          created_by: actor.login,
        });
        await recordAudit(tx, audit, {
          action: 'inspection.plan',
          objectType: 'inspection',
          objectId: created,
          after: {
            enterprise_id: enterprise.id,
            ...unit,
            planned_on: body.planned_on,
            basis,
            inspectors: body.inspectors,
          },
        });
        return created;
      },
    },
  );
  return { inspection: await getInspection(db, actor, result.value), replayed: result.replayed };
}

/** Records the visit: when, what was found, the outcome. Checked against the version the official saw. */
export async function recordVisit(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  body: VisitBody,
  now: Date = new Date(),
) {
  actingUnit(actor);
  const visible = await visibleInspection(db, actor, id);
  assertWriter(actor, visible, 'line', 'Recording the visit of this inspection');
  if (body.visited_on < visible.planned_on)
    throw invalidField('visited_on', `is before the planned date ${visible.planned_on}`);
  const today = dateInShanghai(now);
  if (body.visited_on > today) throw invalidField('visited_on', `is after today (${today}): record a visit once made`);
  await db.transaction().execute(async (tx) => {
    const current = await repo.lockInspection(tx, id);
    if (!current) throw notFound(`Inspection ${id}`);
    if (current.version !== body.expected_version)
      throw conflict(`The inspection changed since you read it (version ${current.version}): reload and try again.`, [
        { field: 'expected_version', message: `is ${body.expected_version}, the inspection is at ${current.version}` },
      ]);
    if (current.status !== 'planned')
      throw conflict('The visit is recorded already; a finding after it is a violation of its own.');
    const visit = { visited_on: body.visited_on, findings: body.findings, outcome: body.outcome };
    await repo.recordVisit(tx, id, current.version, visit);
    await repo.insertTransition(tx, {
      subject_type: 'inspection',
      subject_id: id,
      from_status: 'planned',
      to_status: 'visited',
      note: `${body.outcome}: ${body.findings}`.slice(0, 2000),
      moved_by: actor.login,
    });
    await recordAudit(tx, audit, {
      action: 'inspection.visit',
      objectType: 'inspection',
      objectId: id,
      before: { status: current.status, version: current.version },
      after: { status: 'visited', version: current.version + 1, ...visit },
    });
  });
  return getInspection(db, actor, id);
}

/**
 * Reassigns a planned inspection to other officials (the whole list), with a note why. The new officials must be
 * competent as at planning; a visited inspection keeps the officials who went.
 */
export async function reassignInspectors(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  body: ReassignBody,
) {
  actingUnit(actor);
  const visible = await visibleInspection(db, actor, id);
  // The plan is its department's: that department, at its division or above, reassigns it.
  assertWriter(actor, visible, 'line', 'Reassigning this inspection');
  const enterprise = await getEnterprise(db, actor, visible.enterprise_id);
  const problems = await inspectorProblems(db, body.inspectors, enterprise.domicile_code);
  if (problems.length > 0) throw invalid('The inspection cannot be reassigned as asked.', problems);
  await db.transaction().execute(async (tx) => {
    const current = await repo.lockInspection(tx, id);
    if (!current) throw notFound(`Inspection ${id}`);
    if (current.version !== body.expected_version)
      throw conflict(`The inspection changed since you read it (version ${current.version}): reload and try again.`, [
        { field: 'expected_version', message: `is ${body.expected_version}, the inspection is at ${current.version}` },
      ]);
    if (current.status !== 'planned')
      throw conflict('The inspection was visited: the officials who went stay on the record.');
    if (current.inspectors.join('\n') === body.inspectors.join('\n'))
      throw invalidField('inspectors', 'are the officials assigned already');
    await repo.reassignInspectors(tx, id, current.version, body.inspectors);
    await repo.insertTransition(tx, {
      subject_type: 'inspection',
      subject_id: id,
      from_status: 'planned',
      to_status: 'planned',
      note: `inspectors ${current.inspectors.join(', ')} → ${body.inspectors.join(', ')}: ${body.note}`.slice(0, 2000),
      moved_by: actor.login,
    });
    await recordAudit(tx, audit, {
      action: 'inspection.reassign',
      objectType: 'inspection',
      objectId: id,
      before: { inspectors: current.inspectors, version: current.version },
      after: { inspectors: body.inspectors, version: current.version + 1, note: body.note },
    });
  });
  return getInspection(db, actor, id);
}
