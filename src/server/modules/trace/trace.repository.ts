import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';

/**
 * The SQL of traceability. Origin shares are carried forward when a batch is made (batch_origin), so a
 * backward trace reads them by index; the lineage graph is an edge walk that joins on indexed columns only.
 */

export interface BatchNode {
  id: number;
  code: string;
  product_code: string;
  origin_kind: 'mine' | 'import' | 'transform';
  maker_id: string;
  maker_name: string;
  maker_code: string;
  maker_domicile: string;
  made_by_event: string;
  made_at: Date;
  mass_kg: number;
  reo_kg: number;
}

export interface EdgeRow {
  parent_id: number;
  child_id: number;
  reo_kg: number;
}

const nodeColumns = sql`b.id::float8 AS id, b.code, b.product_code, b.origin_kind, b.maker_id, m.name AS maker_name,
  m.credit_code AS maker_code, m.domicile_code AS maker_domicile, b.made_by_event, b.made_at,
  b.mass_kg::float8 AS mass_kg, b.reo_kg::float8 AS reo_kg`;

export async function nodes(db: Executor, ids: readonly number[]): Promise<BatchNode[]> {
  if (ids.length === 0) return [];
  const rows = await sql<BatchNode>`
    SELECT ${nodeColumns} FROM flow_batch b JOIN enterprise m ON m.id = b.maker_id
    WHERE b.id = ANY(${ids}::bigint[])`.execute(db);
  return rows.rows;
}

export async function findBatch(db: Executor, makerCode: string | undefined, code: string): Promise<BatchNode[]> {
  const rows = await sql<BatchNode>`
    SELECT ${nodeColumns} FROM flow_batch b JOIN enterprise m ON m.id = b.maker_id
    WHERE b.code = ${code} ${makerCode ? sql`AND m.credit_code = ${makerCode}` : sql``}
    ORDER BY b.id LIMIT 20`.execute(db);
  return rows.rows;
}

/*
 * The edge walks look up each frontier batch's edges by index, whatever the planner believes about the table:
 * the LATERAL subquery with OFFSET 0 cannot be flattened into a join, so the recursive step is a nested loop of
 * indexed lookups. Written as a plain join, a table never analysed was planned as a merge join over the whole
 * edge index (ADR 0009).
 */

/** The edges above a batch (to its ancestors), each once. */
export async function edgesUp(db: Executor, batchId: number): Promise<EdgeRow[]> {
  const rows = await sql<EdgeRow>`
    WITH RECURSIVE up (child_id, parent_id, reo_kg) AS (
      SELECT child_id, parent_id, reo_kg FROM batch_edge WHERE child_id = ${batchId}
      UNION
      SELECT e.child_id, e.parent_id, e.reo_kg FROM up CROSS JOIN LATERAL (
        SELECT x.child_id, x.parent_id, x.reo_kg FROM batch_edge x WHERE x.child_id = up.parent_id OFFSET 0) e)
    SELECT parent_id::float8 AS parent_id, child_id::float8 AS child_id, reo_kg::float8 AS reo_kg FROM up`.execute(db);
  return rows.rows;
}

/** The edges below a batch (to its descendants), each once. */
export async function edgesDown(db: Executor, batchId: number): Promise<EdgeRow[]> {
  const rows = await sql<EdgeRow>`
    WITH RECURSIVE down (child_id, parent_id, reo_kg) AS (
      SELECT child_id, parent_id, reo_kg FROM batch_edge WHERE parent_id = ${batchId}
      UNION
      SELECT e.child_id, e.parent_id, e.reo_kg FROM down CROSS JOIN LATERAL (
        SELECT x.child_id, x.parent_id, x.reo_kg FROM batch_edge x WHERE x.parent_id = down.child_id OFFSET 0) e)
    SELECT parent_id::float8 AS parent_id, child_id::float8 AS child_id, reo_kg::float8 AS reo_kg FROM down`.execute(
    db,
  );
  return rows.rows;
}

export interface OriginRow {
  origin_id: number;
  reo_kg: number;
}

export async function origins(db: Executor, batchId: number): Promise<OriginRow[]> {
  const rows = await sql<OriginRow>`
    SELECT origin_id::float8 AS origin_id, reo_kg::float8 AS reo_kg FROM batch_origin WHERE batch_id = ${batchId}
    ORDER BY reo_kg DESC, origin_id`.execute(db);
  return rows.rows;
}

export interface MovementRow {
  batch_id: number;
  enterprise_id: string;
  enterprise_name: string;
  enterprise_code: string;
  kind: 'ship' | 'receive' | 'export';
  event_id: string;
  event_time: Date;
  mass_kg: number;
  reo_kg: number;
  counterparty_id: string | null;
  counterparty_name: string | null;
  country: string | null;
}

/** Where batches went: shipments, receipts and exports of them (not superseded). */
export async function movements(db: Executor, batchIds: readonly number[]): Promise<MovementRow[]> {
  if (batchIds.length === 0) return [];
  const rows = await sql<MovementRow>`
    SELECT l.batch_id::float8 AS batch_id, l.enterprise_id, e.name AS enterprise_name, e.credit_code AS enterprise_code,
           l.kind, l.event_id, l.event_time, l.mass_kg::float8 AS mass_kg, l.reo_kg::float8 AS reo_kg,
           l.counterparty_id, coalesce(c.name, l.counterparty_name) AS counterparty_name, l.country
    FROM flow_line l JOIN enterprise e ON e.id = l.enterprise_id LEFT JOIN enterprise c ON c.id = l.counterparty_id
    WHERE l.batch_id = ANY(${batchIds}::bigint[]) AND l.kind IN ('ship', 'receive', 'export')
      AND NOT EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id)
    ORDER BY l.event_time, l.event_id`.execute(db);
  return rows.rows;
}

/** Enterprises that hold or held a batch (for scope: who may see its trace). */
export async function holders(
  db: Executor,
  batchId: number,
): Promise<{ enterprise_id: string; domicile_code: string }[]> {
  const rows = await sql<{ enterprise_id: string; domicile_code: string }>`
    SELECT h.enterprise_id, e.domicile_code FROM batch_holding h JOIN enterprise e ON e.id = h.enterprise_id
    WHERE h.batch_id = ${batchId}`.execute(db);
  return rows.rows;
}
