-- Issue 23: what the live flow lines of an enterprise-month add up to, kept as the lines are written (ADR 0010).
-- One row per enterprise, month, product, kind and direction; for a transform's outputs also per the event's
-- input products (`inputs`: sorted, distinct), from which the separation feed is read with the product
-- catalogue as it is at read time (the same rule as over the lines). Superseded events do not count in the
-- figures; their lines are counted apart (`superseded_lines`), so the flow list's total needs no scan.
-- Invariant: never behind its lines. Written in the same transaction as the lines by the ingest (one upsert
-- per chunk); `monazite summaries rebuild` recomputes it from the lines and reports any difference.
CREATE TABLE flow_summary (
  enterprise_id uuid NOT NULL,
  period date NOT NULL,
  product_code text NOT NULL,
  kind text NOT NULL,
  direction smallint NOT NULL,
  inputs text[] NOT NULL DEFAULT '{}',
  line_count bigint NOT NULL,
  mass_kg bigint NOT NULL,
  reo_kg bigint NOT NULL,
  superseded_lines bigint NOT NULL DEFAULT 0,
  -- No CHECK (… >= 0): PostgreSQL checks the row an upsert proposes before it finds the conflict, and a chunk's
  -- delta is negative where it supersedes more than it adds. The rebuild verifies the figures instead.
  PRIMARY KEY (enterprise_id, period, product_code, kind, direction, inputs)
);
-- The dashboard and reconciliation read a year of many enterprises at once.
CREATE INDEX flow_summary_period_idx ON flow_summary (period, enterprise_id);

-- The lines already stored (the same aggregation as flows/summaries.repository.ts `expectedRows`).
INSERT INTO flow_summary (enterprise_id, period, product_code, kind, direction, inputs, line_count, mass_kg, reo_kg,
                          superseded_lines)
WITH l AS (
  SELECT l.enterprise_id, l.event_id, l.period, l.product_code, l.kind, l.direction, l.mass_kg, l.reo_kg,
         EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id) AS gone
  FROM flow_line l),
ins AS (
  SELECT enterprise_id, event_id, array_agg(DISTINCT product_code ORDER BY product_code) AS inputs
  FROM l WHERE kind = 'transform' AND direction = -1 GROUP BY enterprise_id, event_id)
SELECT l.enterprise_id, l.period, l.product_code, l.kind, l.direction,
       CASE WHEN l.kind = 'transform' AND l.direction = 1 THEN coalesce(ins.inputs, '{}') ELSE '{}' END,
       count(*) FILTER (WHERE NOT l.gone), coalesce(sum(l.mass_kg) FILTER (WHERE NOT l.gone), 0),
       coalesce(sum(l.reo_kg) FILTER (WHERE NOT l.gone), 0), count(*) FILTER (WHERE l.gone)
FROM l LEFT JOIN ins ON ins.enterprise_id = l.enterprise_id AND ins.event_id = l.event_id
GROUP BY 1, 2, 3, 4, 5, 6;

-- The flow list pages by keyset (newest first) within an enterprise-month: replaces (period, enterprise_id),
-- whose leading columns it keeps for the month-range reads of the checks.
DROP INDEX flow_line_period_idx;
CREATE INDEX flow_line_period_idx ON flow_line (period, enterprise_id, event_time DESC, event_id, line_no);
