import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/executor.ts';

/**
 * The SQL of `flow_summary` (migration 0018, ADR 0010): what the live flow lines of an enterprise-month add up to
 * per product, kind and direction (and, for a transform's outputs, per the event's input products). The ingest
 * adds each chunk's lines and takes out the lines of the events it supersedes, in one upsert; the rebuild
 * recomputes rows from the lines with the same aggregation.
 */

const KEY = sql`enterprise_id, period, product_code, kind, direction, inputs`;

/**
 * The summary rows of the lines that `where` selects (over `flow_line l`), with a column `gone` that says which
 * lines no longer count. `where` must select whole events, as an event's input products are read from its lines.
 */
function aggregated(where: RawBuilder<unknown>, gone: RawBuilder<unknown>) {
  return sql`
    WITH l AS (
      SELECT l.enterprise_id, l.event_id, l.period, l.product_code, l.kind, l.direction, l.mass_kg, l.reo_kg, ${gone} AS gone
      FROM flow_line l WHERE ${where}),
    ins AS (
      SELECT enterprise_id, event_id, array_agg(DISTINCT product_code ORDER BY product_code) AS inputs
      FROM l WHERE kind = 'transform' AND direction = -1 GROUP BY enterprise_id, event_id)
    SELECT l.enterprise_id, l.period, l.product_code, l.kind, l.direction,
           CASE WHEN l.kind = 'transform' AND l.direction = 1 THEN coalesce(ins.inputs, '{}') ELSE '{}' END AS inputs,
           count(*) FILTER (WHERE NOT l.gone) AS line_count,
           coalesce(sum(l.mass_kg) FILTER (WHERE NOT l.gone), 0) AS mass_kg,
           coalesce(sum(l.reo_kg) FILTER (WHERE NOT l.gone), 0) AS reo_kg,
           count(*) FILTER (WHERE l.gone) AS superseded_lines
    FROM l LEFT JOIN ins ON ins.enterprise_id = l.enterprise_id AND ins.event_id = l.event_id
    GROUP BY 1, 2, 3, 4, 5, 6`;
}

const isSuperseded = sql`EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id)`;

/**
 * Adds one chunk to the summaries, in one statement: the lines of its new events count, and the lines of the events
 * it supersedes stop counting (moved to `superseded_lines`). Called after the chunk's lines are stored, in the same
 * transaction. Rows are upserted in key order, so two submissions of one enterprise lock them in the same order;
 * two enterprises never share a row.
 */
export async function addToSummaries(
  tx: Executor,
  enterpriseId: string,
  newEvents: readonly string[],
  supersededEvents: readonly string[],
): Promise<number> {
  if (newEvents.length === 0 && supersededEvents.length === 0) return 0;
  const added = aggregated(
    sql`l.enterprise_id = ${enterpriseId} AND l.event_id = ANY(${newEvents}::text[])`,
    sql`false`,
  );
  const withdrawn = aggregated(
    sql`l.enterprise_id = ${enterpriseId} AND l.event_id = ANY(${supersededEvents}::text[])`,
    sql`false`,
  );
  const result = await sql`
    INSERT INTO flow_summary AS s (${KEY}, line_count, mass_kg, reo_kg, superseded_lines)
    SELECT ${KEY}, sum(line_count)::bigint, sum(mass_kg)::bigint, sum(reo_kg)::bigint, sum(superseded_lines)::bigint
    FROM (
      SELECT ${KEY}, line_count, mass_kg, reo_kg, 0 AS superseded_lines FROM (${added}) a
      UNION ALL
      SELECT ${KEY}, -line_count, -mass_kg, -reo_kg, line_count FROM (${withdrawn}) w
    ) d
    GROUP BY ${KEY} ORDER BY ${KEY}
    ON CONFLICT (${KEY}) DO UPDATE SET
      line_count = s.line_count + excluded.line_count, mass_kg = s.mass_kg + excluded.mass_kg,
      reo_kg = s.reo_kg + excluded.reo_kg, superseded_lines = s.superseded_lines + excluded.superseded_lines`.execute(
    tx,
  );
  return Number(result.numAffectedRows ?? 0n);
}

export interface SummaryDifference {
  enterprise_id: string;
  period: string;
  product_code: string;
  kind: string;
  direction: number;
  inputs: string[];
  /** `line_count/mass_kg/reo_kg/superseded_lines` as stored (null: no row) and as the lines give them. */
  stored: string | null;
  expected: string | null;
}

const periodFilter = (column: RawBuilder<unknown>, period: string | null) =>
  period === null ? sql`true` : sql`${column} = ${period}::date`;

/** Takes the summaries for the rebuild: ingest waits (it upserts them), reads go on. */
export async function lockSummaries(tx: Executor): Promise<void> {
  await sql`LOCK TABLE flow_summary IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
}

/** Where the stored summaries of a month (or all) differ from what the lines give. Rows of zeros count as absent. */
export async function summaryDifferences(tx: Executor, period: string | null): Promise<SummaryDifference[]> {
  const figures = (alias: string) =>
    sql.raw(
      `${alias}.line_count || '/' || ${alias}.mass_kg || '/' || ${alias}.reo_kg || '/' || ${alias}.superseded_lines`,
    );
  const rows = await sql<SummaryDifference>`
    WITH expected AS (${aggregated(periodFilter(sql`l.period`, period), isSuperseded)}),
    stored AS (
      SELECT * FROM flow_summary WHERE ${periodFilter(sql`period`, period)}
        AND (line_count, mass_kg, reo_kg, superseded_lines) <> (0, 0, 0, 0))
    SELECT coalesce(s.enterprise_id, e.enterprise_id) AS enterprise_id, coalesce(s.period, e.period)::text AS period,
           coalesce(s.product_code, e.product_code) AS product_code, coalesce(s.kind, e.kind) AS kind,
           coalesce(s.direction, e.direction) AS direction, coalesce(s.inputs, e.inputs) AS inputs,
           ${figures('s')} AS stored, ${figures('e')} AS expected
    FROM stored s FULL JOIN expected e
      ON (s.enterprise_id, s.period, s.product_code, s.kind, s.direction, s.inputs)
       = (e.enterprise_id, e.period, e.product_code, e.kind, e.direction, e.inputs)
    WHERE s.enterprise_id IS NULL OR e.enterprise_id IS NULL
       OR (s.line_count, s.mass_kg, s.reo_kg, s.superseded_lines) <> (e.line_count, e.mass_kg, e.reo_kg, e.superseded_lines)
    ORDER BY 2, 1, 3, 4, 5, 6`.execute(tx);
  return rows.rows;
}

/** Replaces the summaries of a month (or all) by what the lines give; returns the rows written. */
export async function rewriteSummaries(tx: Executor, period: string | null): Promise<number> {
  await sql`DELETE FROM flow_summary WHERE ${periodFilter(sql`period`, period)}`.execute(tx);
  const inserted = await sql`
    INSERT INTO flow_summary (${KEY}, line_count, mass_kg, reo_kg, superseded_lines)
    SELECT ${KEY}, line_count, mass_kg, reo_kg, superseded_lines
    FROM (${aggregated(periodFilter(sql`l.period`, period), isSuperseded)}) e ORDER BY ${KEY}`.execute(tx);
  return Number(inserted.numAffectedRows ?? 0n);
}

/** The summaries' line count of an enterprise-month (all lines, superseded ones too), of one kind or all. */
export async function lineCountOf(
  db: Executor,
  enterpriseId: string,
  period: string,
  kind: string | undefined,
): Promise<number> {
  const rows = await sql<{ total: number }>`
    SELECT coalesce(sum(line_count + superseded_lines), 0)::float8 AS total FROM flow_summary
    WHERE enterprise_id = ${enterpriseId} AND period = ${period}::date ${kind ? sql`AND kind = ${kind}` : sql``}`.execute(
    db,
  );
  return rows.rows[0]?.total ?? 0;
}
