import type { z } from 'zod';
import type { flowEventView, flowListQuery, flowPage, SubmissionResult } from '../../../contracts/flows.ts';
import type { Executor } from '../../db/executor.ts';
import { invalidField, notFound } from '../../shared/errors.ts';
import { toKg } from '../../shared/quantity.ts';
import type { Actor } from '../auth/index.ts';
import { getEnterprise } from '../registry/index.ts';
import * as reads from './flows.reads.ts';
import { lineCountOf } from './summaries.repository.ts';

type FlowEventView = z.infer<typeof flowEventView>;

/**
 * An enterprise's flow lines of one month (404 outside the caller's scope), newest first. `after` (the previous
 * page's `next`) reads the next page by keyset; `total` is the month's line count from its summary, or, filtered
 * by batch, the count of that batch's lines.
 */
export async function listFlows(
  db: Executor,
  actor: Actor,
  query: z.infer<typeof flowListQuery>,
): Promise<z.infer<typeof flowPage>> {
  await getEnterprise(db, actor, query.enterprise_id);
  const filter = {
    enterpriseId: query.enterprise_id,
    period: `${query.period}-01`,
    kind: query.kind,
    batch: query.batch,
  };
  const found = await reads.flowLines(db, {
    ...filter,
    limit: query.page_size,
    offset: (query.page - 1) * query.page_size,
    after: query.after === undefined ? undefined : decodeCursor(query.after),
  });
  const rows = found.slice(0, query.page_size);
  const last = rows.at(-1);
  const total =
    filter.batch === undefined
      ? await lineCountOf(db, filter.enterpriseId, filter.period, filter.kind)
      : await reads.batchLineCount(db, { ...filter, batch: filter.batch });
  return {
    items: rows.map(viewOf),
    total,
    page: query.page,
    page_size: query.page_size,
    next:
      found.length > query.page_size && last
        ? encodeCursor({ timeUs: last.time_us, eventId: last.event_id, lineNo: last.line_no })
        : null,
  };
}

/** A cursor is opaque to clients: base64url of [time in µs, event id, line number]. */
function encodeCursor(cursor: reads.FlowLineCursor): string {
  return Buffer.from(JSON.stringify([cursor.timeUs, cursor.eventId, cursor.lineNo])).toString('base64url');
}

function decodeCursor(text: string): reads.FlowLineCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3) {
      const [timeUs, eventId, lineNo] = value as unknown[];
      if (typeof timeUs === 'string' && /^-?\d{1,20}$/.test(timeUs) && typeof eventId === 'string')
        if (typeof lineNo === 'number' && Number.isSafeInteger(lineNo)) return { timeUs, eventId, lineNo };
    }
  } catch {
    // Not JSON: refused below like any other malformed cursor.
  }
  throw invalidField('query.after', 'is not the `next` of a page of this list: start again from the first page');
}

function viewOf(row: reads.FlowLineRow): FlowEventView {
  return {
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
