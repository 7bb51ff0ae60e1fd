import type { Executor } from '../../db/executor.ts';
import * as repo from './flows.repository.ts';
import type { Finding } from './flows.rules.ts';
import type { PreparedEvent } from './ingest.prepare.ts';
import { addConsumption, info, key, type Chunk } from './ingest.state.ts';

/**
 * Amendments: an event that corrects earlier ones names them (`amends`) and says why. The earlier events stay
 * stored but stop counting: their holdings and quota consumption are reversed, and what they made may be
 * re-made by the correction, as long as nothing downstream has used it.
 */

export interface Amendment {
  readonly lines: repo.StoredLine[];
  readonly madeBatches: Set<number>;
}

/** Checks an amendment's targets: stored, yours, not superseded; what they made not used since. */
export async function amend(
  tx: Executor,
  chunk: Chunk,
  event: PreparedEvent,
  findings: Finding[],
): Promise<Amendment | undefined> {
  const targets = event.input.amends ?? [];
  const stored = await repo.storedEvents(tx, chunk.self, targets);
  targets.forEach((target, index) => {
    const found = stored.get(target);
    if (!found) findings.push({ field: `amends.${index}`, message: `${target} is not an event you recorded` });
    else if (found.superseded || chunk.state.supersededHere.has(target))
      findings.push({ field: `amends.${index}`, message: `${target} has already been corrected by another amendment` });
  });
  if (findings.length > 0) return undefined;
  const lines = await repo.linesOfEvents(tx, chunk.self, targets);
  const made = lines.filter((line) => line.direction === 1 && line.kind !== 'receive');
  const madeIds = made.map((line) => line.batch_id);
  const used = await repo.batchesUsedElsewhere(
    tx,
    madeIds,
    targets.map((eventId) => ({ enterpriseId: chunk.self, eventId })),
  );
  for (const line of made)
    if (used.has(line.batch_id))
      findings.push({
        field: 'amends',
        message: `event ${line.event_id} made a batch that later events use: amend those first`,
      });
  for (const line of lines) {
    if (line.direction === 0 || chunk.holdings.has(line.batch_id)) continue;
    const held = await repo.holdingsOf(tx, chunk.self, [line.batch_id]);
    chunk.holdings.set(line.batch_id, { ...(held.get(line.batch_id) ?? { mass: 0, reo: 0 }) });
  }
  for (const batch of await repo.batchesById(tx, madeIds))
    chunk.batches.set(key(batch.maker_id, batch.code), info(batch));
  return findings.length > 0 ? undefined : { lines, madeBatches: new Set(madeIds) };
}

/** Withdraws the amended events: their holdings and consumption are reversed, and they are marked superseded. */
export function commitAmendment(chunk: Chunk, event: PreparedEvent, amendment: Amendment): void {
  const { products } = chunk.state.context;
  for (const target of event.input.amends ?? []) {
    chunk.state.supersededHere.add(target);
    chunk.writes.superseded.push([chunk.self, target, event.eventId, event.input.reason ?? '']);
  }
  const byEvent = new Map<string, repo.StoredLine[]>();
  for (const line of amendment.lines) {
    if (line.direction !== 0) chunk.move(line.batch_id, -line.direction, line.mass_kg, line.reo_kg);
    byEvent.set(line.event_id, [...(byEvent.get(line.event_id) ?? []), line]);
  }
  for (const lines of byEvent.values()) {
    const asPrepared = lines.map((line) => ({
      role: line.kind === 'transform' ? (line.direction === 1 ? 'output' : 'input') : 'single',
      product: products.get(line.product_code)!,
      reoKg: line.reo_kg,
    }));
    addConsumption(chunk.state.consumption, lines[0]!.period, lines[0]!.kind, asPrepared, -1);
  }
}
