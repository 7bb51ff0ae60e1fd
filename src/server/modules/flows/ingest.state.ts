import type * as repo from './flows.repository.ts';
import { miningCategory, separationFeedCategory, separationOutputReo, type ProductFacts } from './flows.rules.ts';
import type { IngestContext } from './ingest.prepare.ts';

/** What a submission's validation holds while it reads a chunk: batches, holdings, origins, and the writes. */

export interface BatchInfo {
  id: number;
  makerId: string;
  code: string;
  product: string;
  madeByEvent: string;
}

/** Consumption by `year:category`, positive for new production, negative for withdrawn (amended) production. */
export type ConsumptionDeltas = Map<string, number>;

export interface ChunkState {
  readonly context: IngestContext;
  readonly submissionId: string;
  readonly consumption: ConsumptionDeltas;
  /** Event ids already seen in this submission, with their content hash. */
  readonly seen: Map<string, string>;
  /** Events superseded earlier in this submission. */
  readonly supersededHere: Set<string>;
}

export function newChunkState(context: IngestContext, submissionId: string): ChunkState {
  return { context, submissionId, consumption: new Map(), seen: new Map(), supersededHere: new Set() };
}

export const key = (makerId: string, code: string) => `${makerId}\u0000${code}`;

export class Chunk {
  readonly batches = new Map<string, BatchInfo>();
  readonly heldByCode = new Map<string, BatchInfo[]>();
  readonly holdings = new Map<number, { mass: number; reo: number }>();
  readonly origins = new Map<number, Map<number, number>>();
  readonly writes: repo.ChunkWrites = {
    batches: [],
    remadeBatchIds: [],
    remadeBatches: [],
    lines: [],
    edges: [],
    origins: [],
    holdings: new Map(),
    superseded: [],
  };
  newIds: number[] = [];

  constructor(readonly state: ChunkState) {}

  get self(): string {
    return this.state.context.enterpriseId;
  }

  /** A batch received in this chunk can be named by its code alone in the events after it. */
  received(batch: BatchInfo): void {
    const list = this.heldByCode.get(batch.code) ?? [];
    if (!list.some((item) => item.id === batch.id)) list.push(batch);
    this.heldByCode.set(batch.code, list);
  }

  holding(batchId: number): { mass: number; reo: number } {
    const held = this.holdings.get(batchId) ?? { mass: 0, reo: 0 };
    this.holdings.set(batchId, held);
    return held;
  }

  move(batchId: number, sign: number, mass: number, reo: number): void {
    const held = this.holding(batchId);
    held.mass += sign * mass;
    held.reo += sign * reo;
    const id = `${batchId}`;
    const delta = this.writes.holdings.get(id) ?? { batchId, enterpriseId: this.self, mass: 0, reo: 0 };
    delta.mass += sign * mass;
    delta.reo += sign * reo;
    this.writes.holdings.set(id, delta);
  }
}

export function info(row: repo.BatchRow): BatchInfo {
  return {
    id: row.id,
    makerId: row.maker_id,
    code: row.code,
    product: row.product_code,
    madeByEvent: row.made_by_event,
  };
}

/**
 * Adds (sign 1) or withdraws (−1) the quota a flow consumes: mining output by ore type; separation output by
 * feed (`separation|<feed category>`, settled against the enterprise's accounts when posted).
 */
export function addConsumption(
  consumption: ConsumptionDeltas,
  period: string,
  kind: string,
  lines: readonly { role: string; product: ProductFacts; reoKg: number }[],
  sign: 1 | -1,
): void {
  const year = Number(period.slice(0, 4));
  const add = (category: string, reo: number) => {
    if (reo === 0) return;
    const id = `${year}:${category}`;
    consumption.set(id, (consumption.get(id) ?? 0) + sign * reo);
  };
  if (kind === 'produce')
    for (const line of lines) {
      const category = miningCategory(line.product);
      if (category) add(category, line.reoKg);
    }
  if (kind !== 'transform') return;
  const inputs = lines.filter((line) => line.role === 'input');
  const outputs = lines.filter((line) => line.role === 'output');
  const separated = separationOutputReo(inputs, outputs);
  if (separated > 0) add(`separation|${separationFeedCategory(inputs.map((line) => line.product))}`, separated);
}
