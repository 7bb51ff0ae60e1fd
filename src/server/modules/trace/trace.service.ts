import type { z } from 'zod';
import type { BatchNodeView, movementView, traceBack, traceForward } from '../../../contracts/trace.ts';
import type { Executor } from '../../db/executor.ts';
import { notFound } from '../../shared/errors.ts';
import { scopeOf, type Actor, type Scope } from '../auth/index.ts';
import * as repo from './trace.repository.ts';
import { pathsFrom, shareOfPpm } from './trace.rules.ts';

/**
 * Traces. Who may trace a batch: the ministries; officials whose division holds its maker or one of its
 * holders; an enterprise that made or held it. Anyone else gets 404. Going forward, an enterprise sees the
 * lineage and quantities, but not who other enterprises' customers are.
 */

function view(node: repo.BatchNode): BatchNodeView {
  return {
    id: node.id,
    code: node.code,
    product: node.product_code,
    origin_kind: node.origin_kind,
    maker: { name: node.maker_name, credit_code: node.maker_code },
    made_by_event: node.made_by_event,
    made_at: node.made_at.toISOString(),
    mass_kg: node.mass_kg,
    reo_kg: node.reo_kg,
  };
}

async function visibleBatch(db: Executor, scope: Scope, batchId: number): Promise<repo.BatchNode> {
  const node = await repo.visibleNode(db, scope, batchId);
  if (!node) throw notFound(`Batch ${batchId}`);
  return node;
}

/** Batches of a code (optionally of one maker) the caller may trace. */
export async function findBatches(
  db: Executor,
  actor: Actor,
  code: string,
  makerCode?: string,
): Promise<BatchNodeView[]> {
  return (await repo.findBatch(db, scopeOf(actor), makerCode, code)).map(view);
}

export async function getBatch(db: Executor, actor: Actor, batchId: number): Promise<BatchNodeView> {
  return view(await visibleBatch(db, scopeOf(actor), batchId));
}

/** The lineage up from a batch the scope may trace (one statement), or 404. */
export async function lineageUp(db: Executor, scope: Scope, batchId: number): Promise<repo.LineageUp> {
  const lineage = await repo.lineageUp(db, scope, batchId);
  if (!lineage) throw notFound(`Batch ${batchId}`);
  return lineage;
}

/** Back to the mines and imports: each origin's exact kg of REO, and the path that brought it. */
export async function traceBackward(db: Executor, actor: Actor, batchId: number): Promise<z.infer<typeof traceBack>> {
  return backwardView(await lineageUp(db, scopeOf(actor), batchId));
}

export function backwardView(lineage: repo.LineageUp): z.infer<typeof traceBack> {
  const { nodes, edges, origins } = lineage;
  const batch = nodes[0]!;
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const paths = pathsFrom(
    batch.id,
    edges.map((edge) => ({ from: edge.child_id, to: edge.parent_id, reoKg: edge.reo_kg })),
  );
  return {
    batch: view(batch),
    origins: origins.map((origin) => ({
      batch: view(byId.get(origin.origin_id)!),
      reo_kg: origin.reo_kg,
      share_ppm: shareOfPpm(origin.reo_kg, batch.reo_kg),
      path: paths.get(origin.origin_id) ?? [batch.id],
    })),
    nodes: nodes.map(view),
    edges,
  };
}

type Movement = z.infer<typeof movementView>;

/** Forward to every batch made from this one, every holder and every export, with the path to each. */
export async function traceForwardOf(
  db: Executor,
  actor: Actor,
  batchId: number,
): Promise<z.infer<typeof traceForward>> {
  const scope = scopeOf(actor);
  const lineage = await repo.lineageDown(db, scope, batchId);
  if (!lineage) throw notFound(`Batch ${batchId}`);
  return forwardView(lineage, scope.kind === 'enterprise' ? scope.enterpriseId : null);
}

/** The forward trace as `self` (an enterprise, or null for officials) may see it. */
export function forwardView(lineage: repo.LineageDown, self: string | null): z.infer<typeof traceForward> {
  const { nodes, edges } = lineage;
  const batch = nodes[0]!;
  const paths = pathsFrom(
    batch.id,
    edges.map((edge) => ({ from: edge.parent_id, to: edge.child_id, reoKg: edge.reo_kg })),
  );
  const movements: Movement[] = lineage.movements.map((move) => {
    // An enterprise sees its own records and those of who traded with it; others' customers stay unnamed.
    const known = self === null || move.enterprise_id === self || move.counterparty_id === self;
    return {
      batch_id: move.batch_id,
      kind: move.kind,
      event_id: known ? move.event_id : '',
      event_time: move.event_time.toISOString(),
      enterprise: known ? { name: move.enterprise_name, credit_code: move.enterprise_code } : null,
      counterparty_name: known ? move.counterparty_name : null,
      country: move.country,
      mass_kg: move.mass_kg,
      reo_kg: move.reo_kg,
      path: paths.get(move.batch_id) ?? [batch.id],
    };
  });
  return { batch: view(batch), nodes: nodes.map(view), edges, movements };
}
