import type { z } from 'zod';
import type { flowEventView, flowListQuery, SubmissionResult } from '../../../contracts/flows.ts';
import type { Page } from '../../../contracts/common.ts';
import type { Executor } from '../../db/executor.ts';
import { notFound } from '../../shared/errors.ts';
import { toKg } from '../../shared/quantity.ts';
import type { Actor } from '../auth/index.ts';
import { getEnterprise } from '../registry/index.ts';
import * as reads from './flows.reads.ts';

type FlowEventView = z.infer<typeof flowEventView>;

/** An enterprise's flow lines of one month (404 outside the caller's scope), newest first. */
export async function listFlows(
  db: Executor,
  actor: Actor,
  query: z.infer<typeof flowListQuery>,
): Promise<Page<FlowEventView>> {
  await getEnterprise(db, actor, query.enterprise_id);
  const { rows, total } = await reads.flowLines(db, {
    enterpriseId: query.enterprise_id,
    period: `${query.period}-01`,
    kind: query.kind,
    batch: query.batch,
    limit: query.page_size,
    offset: (query.page - 1) * query.page_size,
  });
  return {
    items: rows.map((row) => ({
      event_id: row.event_id,
      line_no: row.line_no,
      kind: row.kind,
      direction: row.direction === 1 ? 'in' : row.direction === -1 ? 'out' : 'count',
      event_time: row.event_time.toISOString(),
      period: row.period.slice(0, 7),
      batch: row.batch_code,
      batch_maker: row.maker_code,
      product: row.product_code,
      mass_kg: toKg(row.mass_kg),
      grade_ppm: row.grade_ppm,
      reo_kg: toKg(row.reo_kg),
      counterparty: row.counterparty_code,
      counterparty_name: row.counterparty_name ?? row.counterparty_enterprise_name,
      documents: {
        ...(row.invoice_no ? { invoice_no: row.invoice_no } : {}),
        ...(row.waybill_no ? { waybill_no: row.waybill_no } : {}),
        ...(row.customs_no ? { customs_declaration_no: row.customs_no } : {}),
      },
      amends: row.amends,
      reason: row.reason,
      superseded: row.superseded,
      submission_id: row.submission_id,
    })),
    total,
    page: query.page,
    page_size: query.page_size,
  };
}

/** A submission's stored answer, for its enterprise and the officials over it. */
export async function getSubmission(db: Executor, actor: Actor, id: string) {
  const row = await reads.submissionById(db, id);
  if (!row) throw notFound(`Submission ${id}`);
  await getEnterprise(db, actor, row.enterprise_id).catch(() => {
    throw notFound(`Submission ${id}`);
  });
  return row.result as SubmissionResult;
}
