import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';

/**
 * The checks' SQL: each rule is one set-based query over a month of flow lines (superseded events left out),
 * so a month is read a few times in sequence, never event by event.
 */

const live = sql`NOT EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id)`;

export interface BalanceRow {
  enterprise_id: string;
  product_code: string;
  opening_mass: number;
  opening_reo: number;
  in_mass: number;
  in_reo: number;
  out_mass: number;
  out_reo: number;
  closing_mass: number;
  closing_reo: number;
  counted: boolean;
  /** Lines summed: each line's REO was rounded to a whole kg, so REO may be off by half a kg per line. */
  lines: number;
}

/**
 * Per enterprise and product: the previous month's closing count (the opening stock), what came in, what went
 * out, and this month's count.
 */
export async function balances(db: Executor, period: string, previous: string): Promise<BalanceRow[]> {
  const rows = await sql<BalanceRow>`
    WITH cur AS (
      SELECT l.enterprise_id, l.product_code,
             sum(CASE WHEN l.direction = 1 THEN l.mass_kg ELSE 0 END) AS in_mass,
             sum(CASE WHEN l.direction = 1 THEN l.reo_kg ELSE 0 END) AS in_reo,
             sum(CASE WHEN l.direction = -1 THEN l.mass_kg ELSE 0 END) AS out_mass,
             sum(CASE WHEN l.direction = -1 THEN l.reo_kg ELSE 0 END) AS out_reo,
             sum(CASE WHEN l.direction = 0 THEN l.mass_kg ELSE 0 END) AS closing_mass,
             sum(CASE WHEN l.direction = 0 THEN l.reo_kg ELSE 0 END) AS closing_reo,
             bool_or(l.direction = 0) AS counted, count(*) AS lines
      FROM flow_line l WHERE l.period = ${period} AND ${live}
      GROUP BY l.enterprise_id, l.product_code),
    prev AS (
      SELECT l.enterprise_id, l.product_code, sum(l.mass_kg) AS mass, sum(l.reo_kg) AS reo, count(*) AS lines
      FROM flow_line l WHERE l.period = ${previous} AND l.kind = 'stock_count' AND ${live}
      GROUP BY l.enterprise_id, l.product_code)
    SELECT coalesce(cur.enterprise_id, prev.enterprise_id) AS enterprise_id,
           coalesce(cur.product_code, prev.product_code) AS product_code,
           coalesce(prev.mass, 0)::float8 AS opening_mass, coalesce(prev.reo, 0)::float8 AS opening_reo,
           coalesce(cur.in_mass, 0)::float8 AS in_mass, coalesce(cur.in_reo, 0)::float8 AS in_reo,
           coalesce(cur.out_mass, 0)::float8 AS out_mass, coalesce(cur.out_reo, 0)::float8 AS out_reo,
           coalesce(cur.closing_mass, 0)::float8 AS closing_mass, coalesce(cur.closing_reo, 0)::float8 AS closing_reo,
           coalesce(cur.counted, false) AS counted,
           (coalesce(cur.lines, 0) + coalesce(prev.lines, 0))::float8 AS lines
    FROM cur FULL JOIN prev ON prev.enterprise_id = cur.enterprise_id AND prev.product_code = cur.product_code`.execute(
    db,
  );
  return rows.rows;
}

export interface MatchRow {
  shipper_id: string;
  receiver_id: string;
  batch_id: number;
  batch_code: string;
  waybill: string;
  shipped_mass: number;
  received_mass: number;
  ship_events: string[];
  receive_events: string[];
}

/**
 * Shipments and receipts of the same batch between the same two enterprises under the same waybill, summed on
 * each side over all months; only keys with a line in this month are returned.
 */
export async function shipmentMatches(db: Executor, period: string): Promise<MatchRow[]> {
  const rows = await sql<MatchRow>`
    WITH keys AS (
      SELECT DISTINCT CASE WHEN l.kind = 'ship' THEN l.enterprise_id ELSE l.counterparty_id END AS shipper_id,
             CASE WHEN l.kind = 'ship' THEN l.counterparty_id ELSE l.enterprise_id END AS receiver_id,
             l.batch_id, coalesce(l.waybill_no, '') AS waybill
      FROM flow_line l WHERE l.period = ${period} AND l.kind IN ('ship', 'receive') AND ${live}),
    sides AS (
      SELECT k.shipper_id, k.receiver_id, k.batch_id, k.waybill, l.kind, l.mass_kg, l.event_id
      FROM keys k JOIN flow_line l ON l.batch_id = k.batch_id AND coalesce(l.waybill_no, '') = k.waybill
        AND ((l.kind = 'ship' AND l.enterprise_id = k.shipper_id AND l.counterparty_id = k.receiver_id)
          OR (l.kind = 'receive' AND l.enterprise_id = k.receiver_id AND l.counterparty_id = k.shipper_id))
      WHERE ${live})
    SELECT s.shipper_id, s.receiver_id, s.batch_id::float8 AS batch_id, b.code AS batch_code, s.waybill,
           coalesce(sum(s.mass_kg) FILTER (WHERE s.kind = 'ship'), 0)::float8 AS shipped_mass,
           coalesce(sum(s.mass_kg) FILTER (WHERE s.kind = 'receive'), 0)::float8 AS received_mass,
           coalesce(array_agg(s.event_id) FILTER (WHERE s.kind = 'ship'), '{}') AS ship_events,
           coalesce(array_agg(s.event_id) FILTER (WHERE s.kind = 'receive'), '{}') AS receive_events
    FROM sides s JOIN flow_batch b ON b.id = s.batch_id
    GROUP BY s.shipper_id, s.receiver_id, s.batch_id, b.code, s.waybill`.execute(db);
  return rows.rows;
}

export interface PartyRow {
  enterprise_id: string;
  party_id: string;
  role: 'counterparty' | 'self';
  scope: string;
  events: string[];
}

/**
 * Art. 7: flows with a counterparty that was not a designated enterprise on the day; and mining output or
 * separation by an enterprise not designated for it.
 */
export async function undesignatedParties(db: Executor, period: string): Promise<PartyRow[]> {
  // Lines are first folded to who dealt with whom on which day, so designations are looked up per
  // (party, day), not per line.
  const rows = await sql<PartyRow>`
    WITH lines AS (
      SELECT l.enterprise_id, l.event_id, l.kind, l.counterparty_id, (l.event_time AT TIME ZONE 'Asia/Shanghai')::date AS day,
             l.direction, p.category AS product_category
      FROM flow_line l JOIN product p ON p.code = l.product_code
      WHERE l.period = ${period} AND ${live}),
    checked AS (
      SELECT enterprise_id, counterparty_id AS party_id, 'counterparty' AS role, 'any' AS scope, event_id, day
      FROM lines WHERE kind IN ('ship', 'receive')
      UNION ALL
      SELECT enterprise_id, enterprise_id, 'self', 'mining', event_id, day FROM lines WHERE kind = 'produce'
      UNION ALL
      SELECT enterprise_id, enterprise_id, 'self', 'separation', event_id, day FROM lines
      WHERE kind = 'transform' AND direction = -1 AND product_category = 'mineral'),
    dealings AS (
      SELECT enterprise_id, party_id, role, scope, day, array_agg(DISTINCT event_id) AS events
      FROM checked GROUP BY enterprise_id, party_id, role, scope, day)
    SELECT c.enterprise_id, c.party_id, c.role, c.scope, array_agg(e.event_id ORDER BY e.event_id) AS events
    FROM dealings c CROSS JOIN LATERAL unnest(c.events) AS e (event_id)
    WHERE NOT EXISTS (
      SELECT 1 FROM designation d WHERE d.enterprise_id = c.party_id AND (c.scope = 'any' OR d.scope = c.scope)
        AND d.effective_on <= c.day AND (d.revoked_on IS NULL OR d.revoked_on > c.day))
    GROUP BY c.enterprise_id, c.party_id, c.role, c.scope`.execute(db);
  return rows.rows;
}

export interface YieldRow {
  enterprise_id: string;
  event_id: string;
  in_reo: number;
  out_reo: number;
}

export async function transformYields(db: Executor, period: string): Promise<YieldRow[]> {
  const rows = await sql<YieldRow>`
    SELECT l.enterprise_id, l.event_id,
           sum(CASE WHEN l.direction = -1 THEN l.reo_kg ELSE 0 END)::float8 AS in_reo,
           sum(CASE WHEN l.direction = 1 THEN l.reo_kg ELSE 0 END)::float8 AS out_reo
    FROM flow_line l WHERE l.period = ${period} AND l.kind = 'transform' AND ${live}
    GROUP BY l.enterprise_id, l.event_id`.execute(db);
  return rows.rows;
}

/** A few of an enterprise's events of the month of given kinds (evidence for findings that have no single event). */
export async function sampleEvents(
  db: Executor,
  period: string,
  enterpriseIds: readonly string[],
  kinds: readonly string[],
) {
  if (enterpriseIds.length === 0) return [];
  const rows = await sql<{ enterprise_id: string; event_id: string }>`
    SELECT enterprise_id, event_id FROM (
      SELECT l.enterprise_id, l.event_id, row_number() OVER (PARTITION BY l.enterprise_id ORDER BY l.event_time DESC) AS n
      FROM flow_line l
      WHERE l.period = ${period} AND l.enterprise_id = ANY(${enterpriseIds}::uuid[]) AND l.line_no = 0
        AND l.kind = ANY(${kinds}::text[])) ranked
    WHERE n <= 20`.execute(db);
  return rows.rows;
}

export interface NewAnomaly {
  key: string;
  rule: string;
  enterprise_id: string;
  period: string;
  product_code: string | null;
  summary: string;
  details: Record<string, unknown>;
  evidence: { enterprise_id: string; event_id: string }[];
}

/** Inserts findings not recorded before (by key); returns how many were new. */
export async function insertAnomalies(db: Executor, anomalies: readonly NewAnomaly[]): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < anomalies.length; start += 500) {
    const slice = anomalies.slice(start, start + 500);
    const result = await db
      .insertInto('anomaly')
      .values(
        slice.map((item) => ({
          ...item,
          details: JSON.stringify(item.details),
          evidence: JSON.stringify(item.evidence),
        })),
      )
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .execute();
    inserted += result.length;
  }
  return inserted;
}
