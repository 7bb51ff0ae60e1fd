import type { z } from 'zod';
import type { anomalyTransitionBody, anomalyView } from '../../../contracts/flows.ts';
import type { Page } from '../../../contracts/common.ts';
import type { Executor } from '../../db/executor.ts';
import type { AnomalyStatus } from '../../db/schema.ts';
import { conflict, invalidField, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import * as repo from './anomalies.repository.ts';

type AnomalyView = z.infer<typeof anomalyView>;

/** Which status an anomaly may move to from each: officials explain, confirm, close, or reopen. */
const allowed: Record<AnomalyStatus, readonly AnomalyStatus[]> = {
  open: ['explained', 'confirmed', 'closed'],
  explained: ['open', 'confirmed', 'closed'],
  confirmed: ['closed'],
  closed: ['open'],
};

type Row = NonNullable<Awaited<ReturnType<typeof repo.findAnomaly>>>;
function view(row: Row): AnomalyView {
  const { product_code, ...rest } = row;
  return {
    ...rest,
    product: product_code,
    rule: row.rule as AnomalyView['rule'],
    period: row.period.slice(0, 7),
    detected_at: row.detected_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function listAnomalies(
  db: Executor,
  actor: Actor,
  query: {
    period?: string | undefined;
    rule?: string | undefined;
    status?: string | undefined;
    enterprise_id?: string | undefined;
    page: number;
    page_size: number;
  },
): Promise<Page<AnomalyView>> {
  const { rows, total } = await repo.listAnomalies(db, scopeOf(actor), {
    period: query.period ? `${query.period}-01` : undefined,
    rule: query.rule,
    status: query.status,
    enterpriseId: query.enterprise_id,
    limit: query.page_size,
    offset: (query.page - 1) * query.page_size,
  });
  return { items: rows.map(view), total, page: query.page, page_size: query.page_size };
}

export async function getAnomaly(db: Executor, actor: Actor, id: string) {
  const row = await repo.findAnomaly(db, scopeOf(actor), id);
  if (!row) throw notFound(`Anomaly ${id}`);
  const transitions = await repo.transitionsOf(db, id);
  return {
    ...view(row),
    transitions: transitions.map((item) => ({ ...item, created_at: item.created_at.toISOString() })),
  };
}

/** Moves an anomaly's status, with a note, checked against the version the official saw; audited. */
export async function transitionAnomaly(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  body: z.infer<typeof anomalyTransitionBody>,
) {
  const visible = await repo.findAnomaly(db, scopeOf(actor), id);
  if (!visible) throw notFound(`Anomaly ${id}`);
  await db.transaction().execute(async (tx) => {
    const current = await repo.lockAnomaly(tx, id);
    if (!current) throw notFound(`Anomaly ${id}`);
    if (current.version !== body.expected_version)
      throw conflict(`The anomaly changed since you read it (version ${current.version}): reload and try again.`, [
        { field: 'expected_version', message: `is ${body.expected_version}, the anomaly is at ${current.version}` },
      ]);
    if (!allowed[current.status].includes(body.status))
      throw invalidField(
        'status',
        `cannot go from ${current.status} to ${body.status}; allowed: ${allowed[current.status].join(', ')}`,
      );
    await repo.updateStatus(tx, id, body.status, current.version);
    await repo.insertTransition(tx, {
      anomaly_id: id,
      from_status: current.status,
      to_status: body.status,
      note: body.note,
      actor: actor.login,
    });
    await recordAudit(tx, audit, {
      action: 'anomaly.transition',
      objectType: 'anomaly',
      objectId: id,
      before: { status: current.status, version: current.version },
      after: { status: body.status, version: current.version + 1, note: body.note },
    });
  });
  return getAnomaly(db, actor, id);
}
