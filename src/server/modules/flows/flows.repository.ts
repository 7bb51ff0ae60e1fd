import { sql } from 'kysely';
import type { CopyIn, CopyValue } from '../../db/database.ts';
import type { Executor } from '../../db/executor.ts';
import type { FlowSource } from '../../db/schema.ts';
import type { ProductFacts } from './flows.rules.ts';

/** The SQL of flow records: lookups a submission's validation needs, and its bulk writes. */

export async function productCatalogue(db: Executor): Promise<Map<string, ProductFacts>> {
  const rows = await db
    .selectFrom('product')
    .select(['code', 'category', 'ore_type', 'conversion', 'reo_factor_ppm', 'active'])
    .execute();
  return new Map(rows.map((row) => [row.code, row as ProductFacts]));
}

/** Credit code → enterprise id, for the whole register (a few thousand rows at most). */
export async function enterpriseIdsByCode(db: Executor): Promise<Map<string, string>> {
  const rows = await db.selectFrom('enterprise').select(['id', 'credit_code']).execute();
  return new Map(rows.map((row) => [row.credit_code, row.id]));
}

export async function creditCodeOf(db: Executor, enterpriseId: string): Promise<string | undefined> {
  const row = await db.selectFrom('enterprise').select('credit_code').where('id', '=', enterpriseId).executeTakeFirst();
  return row?.credit_code;
}

export async function sealedPeriods(db: Executor, enterpriseId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('declaration')
    .select('period')
    .distinct()
    .where('enterprise_id', '=', enterpriseId)
    .execute();
  return new Set(rows.map((row) => row.period));
}

export async function findSubmission(db: Executor, enterpriseId: string, contentSm3: string) {
  return db
    .selectFrom('flow_submission')
    .selectAll()
    .where('enterprise_id', '=', enterpriseId)
    .where('content_sm3', '=', contentSm3)
    .executeTakeFirst();
}

export async function insertSubmission(
  db: Executor,
  row: {
    id: string;
    enterprise_id: string;
    source: FlowSource;
    content_sm3: string;
    file_name: string | null;
    event_count: number;
    result: unknown;
    parameters: unknown;
    created_by: string;
  },
): Promise<boolean> {
  const inserted = await db
    .insertInto('flow_submission')
    .values({ ...row, result: JSON.stringify(row.result), parameters: JSON.stringify(row.parameters) })
    .onConflict((oc) => oc.columns(['enterprise_id', 'content_sm3']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export interface StoredEvent {
  event_id: string;
  content_sm3: string;
  period: string;
  superseded: boolean;
}

/** The events of these ids already stored for the enterprise (their first line), and whether superseded. */
export async function storedEvents(
  db: Executor,
  enterpriseId: string,
  eventIds: readonly string[],
): Promise<Map<string, StoredEvent>> {
  if (eventIds.length === 0) return new Map();
  const rows = await sql<StoredEvent>`
    SELECT l.event_id, l.content_sm3, l.period::text AS period,
           EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id) AS superseded
    FROM flow_line l
    WHERE l.enterprise_id = ${enterpriseId} AND l.line_no = 0 AND l.event_id = ANY(${eventIds}::text[])`.execute(db);
  return new Map(rows.rows.map((row) => [row.event_id, row]));
}

export interface BatchRow {
  id: number;
  maker_id: string;
  code: string;
  product_code: string;
  made_by_event: string;
  mass_kg: number;
  reo_kg: number;
}

const batchColumns = sql`b.id::float8 AS id, b.maker_id, b.code, b.product_code, b.made_by_event, b.mass_kg::float8 AS mass_kg, b.reo_kg::float8 AS reo_kg`;

/** Batches by (maker, code). */
export async function batchesByMakerAndCode(
  db: Executor,
  pairs: readonly { makerId: string; code: string }[],
): Promise<BatchRow[]> {
  if (pairs.length === 0) return [];
  const rows = await sql<BatchRow>`
    SELECT ${batchColumns}
    FROM flow_batch b
    JOIN unnest(${pairs.map((pair) => pair.makerId)}::uuid[], ${pairs.map((pair) => pair.code)}::text[]) AS k (maker_id, code)
      ON b.maker_id = k.maker_id AND b.code = k.code`.execute(db);
  return rows.rows;
}

export async function batchesById(db: Executor, ids: readonly number[]): Promise<BatchRow[]> {
  if (ids.length === 0) return [];
  const rows = await sql<BatchRow>`SELECT ${batchColumns} FROM flow_batch b WHERE b.id = ANY(${ids}::bigint[])`.execute(
    db,
  );
  return rows.rows;
}

/** Batches of these codes that the enterprise holds or held (made elsewhere and received). */
export async function heldBatchesByCode(
  db: Executor,
  enterpriseId: string,
  codes: readonly string[],
): Promise<BatchRow[]> {
  if (codes.length === 0) return [];
  const rows = await sql<BatchRow>`
    SELECT ${batchColumns}
    FROM flow_batch b JOIN batch_holding h ON h.batch_id = b.id AND h.enterprise_id = ${enterpriseId}
    WHERE b.code = ANY(${codes}::text[])`.execute(db);
  return rows.rows;
}

export async function holdingsOf(
  db: Executor,
  enterpriseId: string,
  batchIds: readonly number[],
): Promise<Map<number, { mass: number; reo: number }>> {
  if (batchIds.length === 0) return new Map();
  const rows = await sql<{ batch_id: number; mass_kg: number; reo_kg: number }>`
    SELECT batch_id::float8 AS batch_id, mass_kg::float8 AS mass_kg, reo_kg::float8 AS reo_kg FROM batch_holding
    WHERE enterprise_id = ${enterpriseId} AND batch_id = ANY(${batchIds}::bigint[])`.execute(db);
  return new Map(rows.rows.map((row) => [row.batch_id, { mass: row.mass_kg, reo: row.reo_kg }]));
}

export async function originsOf(db: Executor, batchIds: readonly number[]): Promise<Map<number, Map<number, number>>> {
  const result = new Map<number, Map<number, number>>();
  if (batchIds.length === 0) return result;
  const rows = await sql<{ batch_id: number; origin_id: number; reo_kg: number }>`
    SELECT batch_id::float8 AS batch_id, origin_id::float8 AS origin_id, reo_kg::float8 AS reo_kg FROM batch_origin
    WHERE batch_id = ANY(${batchIds}::bigint[])`.execute(db);
  for (const row of rows.rows) {
    const map = result.get(row.batch_id) ?? new Map<number, number>();
    map.set(row.origin_id, row.reo_kg);
    result.set(row.batch_id, map);
  }
  return result;
}

/** Whether any event other than the given ones (that are not superseded) names these batches. */
export async function batchesUsedElsewhere(
  db: Executor,
  batchIds: readonly number[],
  exceptEvents: readonly { enterpriseId: string; eventId: string }[],
): Promise<Set<number>> {
  if (batchIds.length === 0) return new Set();
  const rows = await sql<{ batch_id: number }>`
    SELECT DISTINCT l.batch_id::float8 AS batch_id FROM flow_line l
    WHERE l.batch_id = ANY(${batchIds}::bigint[])
      AND NOT EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id)
      AND NOT EXISTS (
        SELECT 1 FROM unnest(${exceptEvents.map((item) => item.enterpriseId)}::uuid[], ${exceptEvents.map((item) => item.eventId)}::text[]) AS x (enterprise_id, event_id)
        WHERE x.enterprise_id = l.enterprise_id AND x.event_id = l.event_id)`.execute(db);
  return new Set(rows.rows.map((row) => row.batch_id));
}

export interface StoredLine {
  event_id: string;
  line_no: number;
  kind: string;
  direction: number;
  batch_id: number;
  product_code: string;
  mass_kg: number;
  reo_kg: number;
  period: string;
}

export async function linesOfEvents(
  db: Executor,
  enterpriseId: string,
  eventIds: readonly string[],
): Promise<StoredLine[]> {
  if (eventIds.length === 0) return [];
  const rows = await sql<StoredLine>`
    SELECT event_id, line_no, kind, direction, batch_id::float8 AS batch_id, product_code,
           mass_kg::float8 AS mass_kg, reo_kg::float8 AS reo_kg, period::text AS period
    FROM flow_line WHERE enterprise_id = ${enterpriseId} AND event_id = ANY(${eventIds}::text[])
    ORDER BY event_id, line_no`.execute(db);
  return rows.rows;
}

/** `count` new batch ids from the table's identity sequence. */
export async function reserveBatchIds(db: Executor, count: number): Promise<number[]> {
  if (count === 0) return [];
  const rows = await sql<{ id: number }>`
    SELECT nextval(pg_get_serial_sequence('flow_batch', 'id'))::float8 AS id FROM generate_series(1, ${count})`.execute(
    db,
  );
  return rows.rows.map((row) => row.id);
}

export const lineColumns = [
  'enterprise_id',
  'event_id',
  'line_no',
  'submission_id',
  'kind',
  'direction',
  'event_time',
  'time_offset',
  'period',
  'batch_id',
  'product_code',
  'mass_kg',
  'grade_ppm',
  'reo_kg',
  'counterparty_id',
  'counterparty_name',
  'country',
  'invoice_no',
  'waybill_no',
  'customs_no',
  'amends',
  'reason',
  'content_sm3',
] as const;

export const batchColumnsForCopy = [
  'id',
  'maker_id',
  'code',
  'product_code',
  'origin_kind',
  'made_by_event',
  'made_at',
  'mass_kg',
  'reo_kg',
] as const;

export interface ChunkWrites {
  batches: CopyValue[][];
  /** Batches re-made by an amendment (same maker and code): replaced in place, with new edges and origins. */
  remadeBatchIds: number[];
  remadeBatches: CopyValue[][];
  lines: CopyValue[][];
  edges: CopyValue[][];
  origins: CopyValue[][];
  holdings: Map<string, { batchId: number; enterpriseId: string; mass: number; reo: number }>;
  superseded: CopyValue[][];
}

/** Writes one chunk: COPY for the rows, one upsert for the holdings. */
export async function writeChunk(tx: Executor, copy: CopyIn, writes: ChunkWrites): Promise<void> {
  if (writes.remadeBatchIds.length > 0) {
    const ids = writes.remadeBatchIds;
    await sql`DELETE FROM batch_origin WHERE batch_id = ANY(${ids}::bigint[])`.execute(tx);
    await sql`DELETE FROM batch_edge WHERE child_id = ANY(${ids}::bigint[])`.execute(tx);
    for (const row of writes.remadeBatches) {
      const [id, , , product, , event, madeAt, mass, reo] = row;
      await sql`UPDATE flow_batch SET product_code = ${product}, made_by_event = ${event}, made_at = ${madeAt},
                mass_kg = ${mass}, reo_kg = ${reo} WHERE id = ${id}`.execute(tx);
    }
  }
  await copy('flow_batch', batchColumnsForCopy, writes.batches);
  await copy('flow_line', lineColumns, writes.lines);
  await copy('batch_edge', ['child_id', 'parent_id', 'reo_kg'], writes.edges);
  await copy('batch_origin', ['batch_id', 'origin_id', 'reo_kg'], writes.origins);
  await copy('flow_superseded', ['enterprise_id', 'event_id', 'by_event_id', 'reason'], writes.superseded);
  // Zero deltas are written too: a row says the enterprise held the batch at some point (trace access).
  const deltas = [...writes.holdings.values()];
  if (deltas.length > 0) {
    await sql`
      INSERT INTO batch_holding (batch_id, enterprise_id, mass_kg, reo_kg)
      SELECT * FROM unnest(${deltas.map((item) => item.batchId)}::bigint[], ${deltas.map((item) => item.enterpriseId)}::uuid[],
                           ${deltas.map((item) => item.mass)}::bigint[], ${deltas.map((item) => item.reo)}::bigint[])
      ON CONFLICT (batch_id, enterprise_id) DO UPDATE
        SET mass_kg = batch_holding.mass_kg + excluded.mass_kg, reo_kg = batch_holding.reo_kg + excluded.reo_kg`.execute(
      tx,
    );
  }
}
