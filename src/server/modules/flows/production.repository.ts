import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';

/**
 * Production as the flow records give it (Art. 8's consumption, month by month): mining output by ore type,
 * and separated output of transforms fed with mineral products, by feed. The same rules as the ledger postings
 * (flows.rules.ts `miningCategory`, `separationFeedCategory`), over live lines (superseded events left out).
 * Read from the summaries (`flow_summary`, ADR 0010), never from the lines: a transform's outputs are summed per
 * the event's input products, whose ore types and categories give the feed with the catalogue as it is now.
 */
export interface ProductionRow {
  readonly enterprise_id: string;
  /** `YYYY-MM-01`. */
  readonly period: string;
  /** `mining_rock`, `mining_ion_adsorption`, or `separation|<feed category>` (the feed split the ledger resolves). */
  readonly category: string;
  readonly reo_kg: number;
}

export async function monthlyProduction(
  db: Executor,
  from: string,
  to: string,
  enterpriseIds: readonly string[] | null,
): Promise<ProductionRow[]> {
  if (enterpriseIds !== null && enterpriseIds.length === 0) return [];
  const only = enterpriseIds === null ? sql`` : sql`AND s.enterprise_id = ANY(${[...enterpriseIds]}::uuid[])`;
  const rows = await sql<ProductionRow>`
    WITH live AS (
      SELECT s.enterprise_id, s.period, s.kind, s.direction, s.inputs, s.line_count, s.reo_kg,
             p.category AS product_category, p.ore_type
      FROM flow_summary s JOIN product p ON p.code = s.product_code
      WHERE s.period BETWEEN ${from} AND ${to} AND s.kind IN ('produce', 'transform') ${only}),
    feeds AS MATERIALIZED (
      SELECT f.inputs,
             CASE WHEN coalesce(bool_and(p.ore_type = 'imported'), false) THEN 'separation_imported'
                  WHEN coalesce(bool_and(p.ore_type = 'monazite'), false) THEN 'separation_monazite'
                  ELSE 'separation_domestic' END AS feed
      FROM (SELECT DISTINCT inputs FROM live WHERE kind = 'transform' AND direction = 1) f
      CROSS JOIN LATERAL unnest(f.inputs) AS i (code) JOIN product p ON p.code = i.code
      GROUP BY f.inputs
      HAVING bool_or(p.category = 'mineral'))
    SELECT enterprise_id, period::text AS period,
           CASE WHEN ore_type = 'ion_adsorption' THEN 'mining_ion_adsorption' ELSE 'mining_rock' END AS category,
           sum(reo_kg)::float8 AS reo_kg
    FROM live WHERE kind = 'produce' AND product_category = 'mineral' AND ore_type IS DISTINCT FROM 'imported'
    GROUP BY 1, 2, 3
    HAVING sum(line_count) > 0
    UNION ALL
    SELECT l.enterprise_id, l.period::text, 'separation|' || f.feed, sum(l.reo_kg)::float8
    FROM live l JOIN feeds f ON f.inputs = l.inputs
    WHERE l.kind = 'transform' AND l.direction = 1 AND l.product_category = 'separated'
    GROUP BY 1, 2, 3
    HAVING sum(l.reo_kg) > 0`.execute(db);
  return rows.rows;
}
