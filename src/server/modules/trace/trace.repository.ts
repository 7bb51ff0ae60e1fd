import { sql } from 'kysely';
import { prepared } from '../../db/database.ts';
import type { Executor } from '../../db/executor.ts';
import type { Scope } from '../auth/index.ts';

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

/**
 * Who may trace a batch `b` made by `m`, as a condition in the statement that reads it: the ministries; officials
 * whose division holds its maker or one of its holders; an enterprise that made or held it. The holders are looked
 * up per batch (OFFSET 0 keeps the EXISTS from being turned into a hash of every holding).
 */
function mayTrace(scope: Scope) {
  switch (scope.kind) {
    case 'national':
      return sql`true`;
    case 'none':
      return sql`false`;
    case 'enterprise':
      return sql`(b.maker_id = ${scope.enterpriseId}
        OR EXISTS (SELECT 1 FROM batch_holding h WHERE h.batch_id = b.id AND h.enterprise_id = ${scope.enterpriseId}
                   OFFSET 0))`;
    case 'division':
      return sql`(starts_with(m.domicile_code, ${scope.prefix})
        OR EXISTS (SELECT 1 FROM batch_holding h JOIN enterprise he ON he.id = h.enterprise_id
                   WHERE h.batch_id = b.id AND starts_with(he.domicile_code, ${scope.prefix}) OFFSET 0))`;
  }
}

/** The batch, if the scope may trace it. */
export async function visibleNode(db: Executor, scope: Scope, id: number): Promise<BatchNode | undefined> {
  const rows = await sql<BatchNode>`
    SELECT ${nodeColumns} FROM flow_batch b JOIN enterprise m ON m.id = b.maker_id
    WHERE b.id = ${id} AND ${mayTrace(scope)}`.execute(db);
  return rows.rows[0];
}

/** Batches of a code (optionally of one maker) the scope may trace, the first 20. */
export async function findBatch(
  db: Executor,
  scope: Scope,
  makerCode: string | undefined,
  code: string,
): Promise<BatchNode[]> {
  const rows = await sql<BatchNode>`
    SELECT ${nodeColumns} FROM flow_batch b JOIN enterprise m ON m.id = b.maker_id
    WHERE b.code = ${code} ${makerCode ? sql`AND m.credit_code = ${makerCode}` : sql``} AND ${mayTrace(scope)}
    ORDER BY b.id LIMIT 20`.execute(db);
  return rows.rows;
}

/*
 * A trace is one statement: the batch with the scope's condition, the edge walk, the origins (or the movements)
 * and the nodes' details, returned as JSON in one row, so a trace costs one round trip whatever its size.
 *
 * Every lookup of a big table is a LATERAL subquery with OFFSET 0 keyed on the row before it: it cannot be
 * flattened into a join, so each step is an indexed lookup whatever the planner believes about the table. Written
 * as a plain join, a table never analysed was planned as a merge join over the whole edge index (ADR 0009).
 */

const nodeJson = sql`json_build_object('id', b.id, 'code', b.code, 'product_code', b.product_code,
  'origin_kind', b.origin_kind, 'maker_id', b.maker_id, 'maker_name', m.name, 'maker_code', m.credit_code,
  'maker_domicile', m.domicile_code, 'made_by_event', b.made_by_event, 'made_at', b.made_at,
  'mass_kg', b.mass_kg, 'reo_kg', b.reo_kg)`;

/** The traced batch if the scope may trace it, then its edges one way (`up`: to ancestors), each once. */
function walk(scope: Scope, batchId: number, direction: 'up' | 'down') {
  const [from, to] = direction === 'up' ? [sql`child_id`, sql`parent_id`] : [sql`parent_id`, sql`child_id`];
  return sql`target AS (
      SELECT b.id FROM flow_batch b JOIN enterprise m ON m.id = b.maker_id WHERE b.id = ${batchId} AND ${mayTrace(scope)}),
    edge (child_id, parent_id, reo_kg) AS (
      SELECT x.child_id, x.parent_id, x.reo_kg FROM target CROSS JOIN LATERAL (
        SELECT child_id, parent_id, reo_kg FROM batch_edge WHERE ${from} = target.id OFFSET 0) x
      UNION
      SELECT x.child_id, x.parent_id, x.reo_kg FROM edge CROSS JOIN LATERAL (
        SELECT y.child_id, y.parent_id, y.reo_kg FROM batch_edge y WHERE y.${from} = edge.${to} OFFSET 0) x)`;
}

/** The details of the batches in `ids` (a CTE of one column `id`), as a JSON array. */
const nodesOf = sql`(SELECT json_agg(${nodeJson}) FROM ids CROSS JOIN LATERAL (
    SELECT * FROM flow_batch x WHERE x.id = ids.id OFFSET 0) b JOIN enterprise m ON m.id = b.maker_id)`;

const edgesJson = sql`(SELECT coalesce(json_agg(json_build_object('parent_id', parent_id, 'child_id', child_id,
    'reo_kg', reo_kg)), '[]') FROM edge)`;

interface NodeJson extends Omit<BatchNode, 'made_at'> {
  made_at: string;
}

const fromJson = (node: NodeJson): BatchNode => ({ ...node, made_at: new Date(node.made_at) });

export interface Lineage {
  /** The traced batch first, then every other batch of the lineage. */
  nodes: BatchNode[];
  edges: EdgeRow[];
}

export interface LineageUp extends Lineage {
  /** Origin shares, heaviest first. */
  origins: OriginRow[];
}

/** The batch's lineage up to its mines and imports, with its origin shares; undefined if not there or not visible. */
export async function lineageUp(db: Executor, scope: Scope, batchId: number): Promise<LineageUp | undefined> {
  const rows = await sql<{ nodes: NodeJson[] | null; edges: EdgeRow[]; origins: OriginRow[] }>`${prepared}
    WITH RECURSIVE ${walk(scope, batchId, 'up')},
    origin AS (
      SELECT o.origin_id, o.reo_kg FROM target CROSS JOIN LATERAL (
        SELECT origin_id, reo_kg FROM batch_origin WHERE batch_id = target.id OFFSET 0) o),
    ids (id) AS (SELECT id FROM target UNION SELECT origin_id FROM origin UNION SELECT parent_id FROM edge)
    SELECT ${nodesOf} AS nodes, ${edgesJson} AS edges,
      (SELECT coalesce(json_agg(json_build_object('origin_id', origin_id, 'reo_kg', reo_kg)
         ORDER BY reo_kg DESC, origin_id), '[]') FROM origin) AS origins`.execute(db);
  const row = rows.rows[0];
  if (!row?.nodes) return undefined;
  return { nodes: ordered(row.nodes.map(fromJson), batchId), edges: row.edges, origins: row.origins };
}

export interface LineageDown extends Lineage {
  /** Shipments, receipts and exports of the lineage's batches (not superseded), in time order. */
  movements: MovementRow[];
}

/** The batch's lineage down to what was made of it, with where it went; undefined if not there or not visible. */
export async function lineageDown(db: Executor, scope: Scope, batchId: number): Promise<LineageDown | undefined> {
  const rows = await sql<{
    nodes: NodeJson[] | null;
    edges: EdgeRow[];
    movements: (Omit<MovementRow, 'event_time'> & { event_time: string })[];
  }>`${prepared}
    WITH RECURSIVE ${walk(scope, batchId, 'down')},
    ids (id) AS (SELECT id FROM target UNION SELECT child_id FROM edge),
    moves AS (
      SELECT l.batch_id, l.enterprise_id, e.name AS enterprise_name, e.credit_code AS enterprise_code, l.kind,
             l.event_id, l.event_time, l.mass_kg, l.reo_kg, l.counterparty_id,
             coalesce(c.name, l.counterparty_name) AS counterparty_name, l.country
      FROM ids CROSS JOIN LATERAL (
        SELECT x.batch_id, x.enterprise_id, x.kind, x.event_id, x.event_time, x.mass_kg, x.reo_kg, x.counterparty_id,
               x.counterparty_name, x.country
        FROM flow_line x WHERE x.batch_id = ids.id AND x.kind IN ('ship', 'receive', 'export') OFFSET 0) l
      JOIN enterprise e ON e.id = l.enterprise_id LEFT JOIN enterprise c ON c.id = l.counterparty_id
      WHERE NOT EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id))
    SELECT ${nodesOf} AS nodes, ${edgesJson} AS edges,
      (SELECT coalesce(json_agg(row_to_json(moves) ORDER BY event_time, event_id), '[]') FROM moves) AS movements`.execute(
    db,
  );
  const row = rows.rows[0];
  if (!row?.nodes) return undefined;
  return {
    nodes: ordered(row.nodes.map(fromJson), batchId),
    edges: row.edges,
    movements: row.movements.map((move) => ({ ...move, event_time: new Date(move.event_time) })),
  };
}

/** The traced batch first, the others by id. */
function ordered(list: BatchNode[], first: number): BatchNode[] {
  return list.sort((a, b) => (a.id === first ? -1 : b.id === first ? 1 : a.id - b.id));
}

export interface OriginRow {
  origin_id: number;
  reo_kg: number;
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
