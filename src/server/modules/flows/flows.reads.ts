import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { FlowKindName } from '../../db/schema.ts';

/** Read queries of the flow records (lists and lookups for the API and the screens). */

export interface FlowLineRow {
  event_id: string;
  line_no: number;
  kind: FlowKindName;
  direction: number;
  event_time: Date;
  period: string;
  batch_code: string;
  maker_code: string;
  product_code: string;
  mass_kg: string;
  grade_ppm: number | null;
  reo_kg: string;
  counterparty_code: string | null;
  counterparty_name: string | null;
  counterparty_enterprise_name: string | null;
  invoice_no: string | null;
  waybill_no: string | null;
  customs_no: string | null;
  amends: string[] | null;
  reason: string | null;
  superseded: boolean;
  submission_id: string;
}

/** Where a page ends: the last line's time (µs since the epoch, exact), event id and line number. */
export interface FlowLineCursor {
  readonly timeUs: string;
  readonly eventId: string;
  readonly lineNo: number;
}

/**
 * A page of an enterprise-month's lines, newest first (`event_time DESC, event_id, line_no`), one more than asked
 * (so the caller knows whether another page follows). With `after`, by keyset on flow_line_period_idx: the scan
 * starts at the cursor, however deep into the month it is; without it, `offset` lines are skipped.
 */
export async function flowLines(
  db: Executor,
  filter: {
    enterpriseId: string;
    period: string;
    kind: string | undefined;
    batch: string | undefined;
    limit: number;
    offset: number;
    after: FlowLineCursor | undefined;
  },
): Promise<(FlowLineRow & { time_us: string })[]> {
  const { after } = filter;
  const at = after ? sql`(timestamptz 'epoch' + ${`${after.timeUs} microseconds`}::interval)` : sql``;
  const rows = await sql<FlowLineRow & { time_us: string }>`
    SELECT l.event_id, l.line_no, l.kind, l.direction, l.event_time, l.period::text AS period, b.code AS batch_code,
           m.credit_code AS maker_code, l.product_code, l.mass_kg, l.grade_ppm, l.reo_kg,
           c.credit_code AS counterparty_code, l.counterparty_name, c.name AS counterparty_enterprise_name,
           l.invoice_no, l.waybill_no, l.customs_no, l.amends, l.reason, l.submission_id,
           EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id) AS superseded,
           ((extract(epoch FROM l.event_time) * 1000000)::numeric(30, 0))::text AS time_us
    FROM flow_line l
    JOIN flow_batch b ON b.id = l.batch_id
    JOIN enterprise m ON m.id = b.maker_id
    LEFT JOIN enterprise c ON c.id = l.counterparty_id
    WHERE ${where(filter)}
      ${after ? sql`AND l.event_time <= ${at} AND (l.event_time < ${at} OR (l.event_id, l.line_no) > (${after.eventId}, ${after.lineNo}))` : sql``}
    ORDER BY l.event_time DESC, l.event_id, l.line_no
    LIMIT ${filter.limit + 1} ${after ? sql`` : sql`OFFSET ${filter.offset}`}`.execute(db);
  return rows.rows;
}

const where = (filter: { enterpriseId: string; period: string; kind: string | undefined; batch: string | undefined }) =>
  sql`l.period = ${filter.period} AND l.enterprise_id = ${filter.enterpriseId}
    ${filter.kind ? sql`AND l.kind = ${filter.kind}` : sql``}
    ${filter.batch ? sql`AND b.code = ${filter.batch}` : sql``}`;

/** How many lines of an enterprise-month have this batch code (a batch's lines: a short index read). */
export async function batchLineCount(
  db: Executor,
  filter: { enterpriseId: string; period: string; kind: string | undefined; batch: string },
): Promise<number> {
  const count = await sql<{ total: number }>`
    SELECT count(*)::int AS total FROM flow_line l JOIN flow_batch b ON b.id = l.batch_id WHERE ${where(filter)}`.execute(
    db,
  );
  return count.rows[0]?.total ?? 0;
}

export async function submissionById(db: Executor, id: string) {
  return db.selectFrom('flow_submission').select(['enterprise_id', 'result']).where('id', '=', id).executeTakeFirst();
}
