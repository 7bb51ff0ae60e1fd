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
  const [node] = await repo.nodes(db, [batchId]);
  if (!node || !(await mayTrace(db, scope, node))) throw notFound(`Batch ${batchId}`);
  return node;
}

async function mayTrace(db: Executor, scope: Scope, node: repo.BatchNode): Promise<boolean> {
  switch (scope.kind) {
    case 'national':
      return true;
    case 'none':
      return false;
    case 'enterprise':
      return (
        node.maker_id === scope.enterpriseId ||
        (await repo.holders(db, node.id)).some((h) => h.enterprise_id === scope.enterpriseId)
      );
    case 'division':
      return (
        node.maker_domicile.startsWith(scope.prefix) ||
        (await repo.holders(db, node.id)).some((holder) => holder.domicile_code.startsWith(scope.prefix))
      );
  }
}

/** Batches of a code (optionally of one maker) the caller may trace. */
export async function findBatches(
  db: Executor,
  actor: Actor,
  code: string,
  makerCode?: string,
): Promise<BatchNodeView[]> {
  const scope = scopeOf(actor);
  const found = await repo.findBatch(db, makerCode, code);
  const visible: BatchNodeView[] = [];
  for (const node of found) if (await mayTrace(db, scope, node)) visible.push(view(node));
  return visible;
}

export async function getBatch(db: Executor, actor: Actor, batchId: number): Promise<BatchNodeView> {
  return view(await visibleBatch(db, scopeOf(actor), batchId));
}

/** Back to the mines and imports: each origin's exact kg of REO, and the path that brought it. */
export async function traceBackward(db: Executor, actor: Actor, batchId: number): Promise<z.infer<typeof traceBack>> {
  const batch = await visibleBatch(db, scopeOf(actor), batchId);
  return backwardOf(db, batch);
}

export async function backwardOf(db: Executor, batch: repo.BatchNode): Promise<z.infer<typeof traceBack>> {
  const [edges, origins] = await Promise.all([repo.edgesUp(db, batch.id), repo.origins(db, batch.id)]);
  const ids = new Set<number>([batch.id, ...origins.map((origin) => origin.origin_id)]);
  for (const edge of edges) ids.add(edge.parent_id);
  const byId = new Map((await repo.nodes(db, [...ids])).map((node) => [node.id, node]));
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
    nodes: [...byId.values()].map(view),
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
  const batch = await visibleBatch(db, scope, batchId);
  const edges = await repo.edgesDown(db, batch.id);
  const ids = new Set<number>([batch.id]);
  for (const edge of edges) ids.add(edge.child_id);
  const [nodes, moves] = await Promise.all([repo.nodes(db, [...ids]), repo.movements(db, [...ids])]);
  const paths = pathsFrom(
    batch.id,
    edges.map((edge) => ({ from: edge.parent_id, to: edge.child_id, reoKg: edge.reo_kg })),
  );
  const self = scope.kind === 'enterprise' ? scope.enterpriseId : null;
  const movements: Movement[] = moves.map((move) => {
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
