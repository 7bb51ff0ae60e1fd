import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';

/**
 * Production as the flow records give it (Art. 8's consumption, month by month): mining output by ore type,
 * and separated output of transforms fed with mineral products, by feed. The same rules as the ledger postings
 * (flows.rules.ts `miningCategory`, `separationFeedCategory`), over live lines (superseded events left out).
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
  const only = enterpriseIds === null ? sql`` : sql`AND l.enterprise_id = ANY(${[...enterpriseIds]}::uuid[])`;
  const rows = await sql<ProductionRow>`
    WITH live AS (
      SELECT l.enterprise_id, l.period, l.event_id, l.kind, l.direction, l.reo_kg, p.category AS product_category,
             p.ore_type
      FROM flow_line l JOIN product p ON p.code = l.product_code
      WHERE l.period BETWEEN ${from} AND ${to} AND l.kind IN ('produce', 'transform') ${only}
        AND NOT EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id)),
    separations AS (
      SELECT enterprise_id, period,
             CASE WHEN coalesce(bool_and(ore_type = 'imported') FILTER (WHERE direction = -1), false) THEN 'separation_imported'
                  WHEN coalesce(bool_and(ore_type = 'monazite') FILTER (WHERE direction = -1), false) THEN 'separation_monazite'
                  ELSE 'separation_domestic' END AS feed,
             coalesce(sum(reo_kg) FILTER (WHERE direction = 1 AND product_category = 'separated'), 0) AS reo_kg
      FROM live WHERE kind = 'transform'
      GROUP BY enterprise_id, period, event_id
      HAVING bool_or(direction = -1 AND product_category = 'mineral'))
    SELECT enterprise_id, period::text AS period,
           CASE WHEN ore_type = 'ion_adsorption' THEN 'mining_ion_adsorption' ELSE 'mining_rock' END AS category,
           sum(reo_kg)::float8 AS reo_kg
    FROM live WHERE kind = 'produce' AND product_category = 'mineral' AND ore_type IS DISTINCT FROM 'imported'
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT enterprise_id, period::text, 'separation|' || feed, sum(reo_kg)::float8
    FROM separations WHERE reo_kg > 0 GROUP BY 1, 2, 3`.execute(db);
  return rows.rows;
}
