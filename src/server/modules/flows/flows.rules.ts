import type { FlowEventInput, FlowKind, FlowLine } from '../../../contracts/flows.ts';
import { replayDifferences } from '../../shared/idempotency.rules.ts';
import { apportion } from '../../shared/quantity.ts';

/**
 * The pure rules of flow records: REO conversion, which way a line moves a holding, transform edges and
 * the origin shares a new batch inherits, and what production consumes of the quota.
 */

export const PPM = 1_000_000n;

export interface ProductFacts {
  readonly code: string;
  readonly category: 'mineral' | 'separated';
  readonly ore_type: string | null;
  readonly conversion: 'assay' | 'factor';
  readonly reo_factor_ppm: number | null;
  readonly active: boolean;
}

/** A rule's finding about one field of one event. `field` is relative to the event (`inputs.1.reo_kg`). */
export interface Finding {
  readonly field: string;
  readonly message: string;
}

/** mass × ppm / 10^6, rounded half up, exactly. */
export function ppmOf(massKg: number, ppm: number): number {
  return Number((BigInt(massKg) * BigInt(ppm) + PPM / 2n) / PPM);
}

/** What REO a line carries: computed from the product's conversion, or checked against it when given. */
export function lineReo(line: FlowLine, product: ProductFacts, path: string): { reoKg: number } | Finding {
  const ppm = product.conversion === 'factor' ? product.reo_factor_ppm : (line.grade_ppm ?? null);
  if (ppm === null) {
    if (line.reo_kg !== undefined) return { reoKg: line.reo_kg };
    return {
      field: `${path}grade_ppm`,
      message: `is required: ${product.code} converts to REO by assay, so give the grade or the REO kg`,
    };
  }
  const computed = ppmOf(line.mass_kg, ppm);
  if (line.reo_kg === undefined) return { reoKg: computed };
  // Rounding of the two figures may differ by a kilogram; anything more is a different quantity.
  if (Math.abs(line.reo_kg - computed) > 1)
    return {
      field: `${path}reo_kg`,
      message: `${line.reo_kg} kg does not match ${line.mass_kg} kg × ${ppm} ppm = ${computed} kg REO`,
    };
  return { reoKg: line.reo_kg };
}

/** +1: the line adds to the recorder's holding of the batch; −1: takes from it; 0: counts it. */
export function directionOf(kind: FlowKind, role: 'single' | 'input' | 'output'): -1 | 0 | 1 {
  if (role === 'input') return -1;
  if (role === 'output') return 1;
  switch (kind) {
    case 'produce':
    case 'import':
    case 'receive':
      return 1;
    case 'ship':
    case 'export':
    case 'loss':
      return -1;
    case 'stock_count':
    case 'transform':
      return 0;
  }
}

/** Kinds whose (output) lines make a new batch. */
export function makesBatch(kind: FlowKind, role: 'single' | 'input' | 'output'): boolean {
  return role === 'output' || (role === 'single' && (kind === 'produce' || kind === 'import'));
}

/** The month an instant falls in, in Beijing: the first day, YYYY-MM-01. */
export function periodOf(instant: Date): string {
  const shifted = new Date(instant.getTime() + 8 * 3600_000);
  return `${shifted.toISOString().slice(0, 7)}-01`;
}

/** The zone offset an ISO time was written with: `+08:00`, `Z` → `+00:00`. */
export function offsetOf(isoTime: string): string {
  const match = /([+-]\d{2}:?\d{2}|Z)$/.exec(isoTime);
  if (!match?.[1] || match[1] === 'Z') return '+00:00';
  const raw = match[1];
  return raw.includes(':') ? raw : `${raw.slice(0, 3)}:${raw.slice(3)}`;
}

export interface Edge {
  readonly fromBatch: string;
  readonly toBatch: string;
  readonly reoKg: number;
}

/**
 * A transform's edges, checked: every edge joins one of its inputs to one of its outputs; each output gets
 * exactly its REO from its edges; no input gives more than it put in. Left out, they are implied when there
 * is one input (every output from it) or one output (each input's share, in proportion to its REO).
 */
export function transformEdges(
  inputs: readonly { batch: string; reoKg: number }[],
  outputs: readonly { batch: string; reoKg: number }[],
  given: readonly { from_batch: string; to_batch: string; reo_kg: number }[] | undefined,
): { edges: Edge[] } | { findings: Finding[] } {
  const findings: Finding[] = [];
  const totalIn = inputs.reduce((sum, line) => sum + line.reoKg, 0);
  const totalOut = outputs.reduce((sum, line) => sum + line.reoKg, 0);
  if (totalOut > totalIn)
    return {
      findings: [
        { field: 'outputs', message: `carry ${totalOut} kg REO, more than the ${totalIn} kg REO of the inputs` },
      ],
    };
  duplicates(inputs, 'inputs', findings);
  duplicates(outputs, 'outputs', findings);
  if (findings.length > 0) return { findings };
  let edges: Edge[];
  if (given && given.length > 0) {
    edges = given.map((edge) => ({ fromBatch: edge.from_batch, toBatch: edge.to_batch, reoKg: edge.reo_kg }));
  } else if (inputs.length === 1) {
    edges = outputs
      .filter((o) => o.reoKg > 0)
      .map((o) => ({ fromBatch: inputs[0]!.batch, toBatch: o.batch, reoKg: o.reoKg }));
  } else if (outputs.length === 1) {
    const output = outputs[0]!;
    const shares = apportion(
      BigInt(output.reoKg),
      inputs.map((line) => BigInt(line.reoKg)),
    );
    edges = inputs
      .map((line, index) => ({ fromBatch: line.batch, toBatch: output.batch, reoKg: Number(shares[index]) }))
      .filter((edge) => edge.reoKg > 0);
  } else {
    return {
      findings: [{ field: 'edges', message: 'are required when a transform has several inputs and several outputs' }],
    };
  }
  return checkEdges(inputs, outputs, edges);
}

function duplicates(lines: readonly { batch: string }[], path: string, findings: Finding[]): void {
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (seen.has(line.batch))
      findings.push({ field: `${path}.${index}.batch`, message: `${line.batch} is listed twice` });
    seen.add(line.batch);
  });
}

function checkEdges(
  inputs: readonly { batch: string; reoKg: number }[],
  outputs: readonly { batch: string; reoKg: number }[],
  edges: Edge[],
): { edges: Edge[] } | { findings: Finding[] } {
  const findings: Finding[] = [];
  const fromSum = new Map<string, number>();
  const toSum = new Map<string, number>();
  const pairs = new Set<string>();
  const inputBatches = new Set(inputs.map((line) => line.batch));
  const outputBatches = new Set(outputs.map((line) => line.batch));
  edges.forEach((edge, index) => {
    if (!inputBatches.has(edge.fromBatch))
      findings.push({
        field: `edges.${index}.from_batch`,
        message: `${edge.fromBatch} is not an input of this transform`,
      });
    if (!outputBatches.has(edge.toBatch))
      findings.push({
        field: `edges.${index}.to_batch`,
        message: `${edge.toBatch} is not an output of this transform`,
      });
    const pair = `${edge.fromBatch}\u0000${edge.toBatch}`;
    if (pairs.has(pair))
      findings.push({ field: `edges.${index}`, message: `${edge.fromBatch} → ${edge.toBatch} is listed twice` });
    pairs.add(pair);
    fromSum.set(edge.fromBatch, (fromSum.get(edge.fromBatch) ?? 0) + edge.reoKg);
    toSum.set(edge.toBatch, (toSum.get(edge.toBatch) ?? 0) + edge.reoKg);
  });
  inputs.forEach((line, index) => {
    const out = fromSum.get(line.batch) ?? 0;
    if (out > line.reoKg)
      findings.push({
        field: `inputs.${index}.reo_kg`,
        message: `gives ${out} kg REO to outputs but only ${line.reoKg} kg went in`,
      });
  });
  outputs.forEach((line, index) => {
    const into = toSum.get(line.batch) ?? 0;
    if (into !== line.reoKg)
      findings.push({
        field: `outputs.${index}.reo_kg`,
        message: `is ${line.reoKg} kg but its edges bring ${into} kg REO: they must be equal`,
      });
  });
  return findings.length > 0 ? { findings } : { edges };
}

/** Origin shares: REO kg of a batch by source batch (a mine output or an import). Sums to the batch's REO. */
export type Origins = ReadonlyMap<number, number>;

/**
 * The origins of a transform output: each edge brings its REO from the parent in the proportions of the
 * parent's own origins (largest remainder, so every share stays a whole kg and they sum exactly).
 */
export function inheritOrigins(edges: readonly { reoKg: number; parentOrigins: Origins }[]): Map<number, number> {
  const result = new Map<number, number>();
  for (const edge of edges) {
    const ids = [...edge.parentOrigins.keys()].sort((a, b) => a - b);
    const weights = ids.map((id) => BigInt(edge.parentOrigins.get(id) ?? 0));
    const shares = apportion(BigInt(edge.reoKg), weights);
    ids.forEach((id, index) => {
      const share = Number(shares[index] ?? 0n);
      if (share > 0) result.set(id, (result.get(id) ?? 0) + share);
    });
  }
  return result;
}

/**
 * The quota category production consumes (Art. 8): mining output by ore type; separation output (separated
 * products made from mineral feed) by feed, or the whole separation category when the plan does not split it.
 */
export function miningCategory(product: ProductFacts): 'mining_rock' | 'mining_ion_adsorption' | null {
  if (product.category !== 'mineral' || product.ore_type === 'imported') return null;
  return product.ore_type === 'ion_adsorption' ? 'mining_ion_adsorption' : 'mining_rock';
}

export function separationFeedCategory(
  feed: readonly ProductFacts[],
): 'separation_domestic' | 'separation_imported' | 'separation_monazite' {
  if (feed.length > 0 && feed.every((product) => product.ore_type === 'imported')) return 'separation_imported';
  if (feed.length > 0 && feed.every((product) => product.ore_type === 'monazite')) return 'separation_monazite';
  return 'separation_domestic';
}

/**
 * The ledger category a production category posts to: separation split by feed (`separation|<feed category>`)
 * goes to that feed category when the enterprise holds an account in it that year, else to `separation`.
 */
export function ledgerCategory(category: string, held: ReadonlySet<string>): string {
  if (!category.startsWith('separation|')) return category;
  const feed = category.slice('separation|'.length);
  return held.has(feed) ? feed : 'separation';
}

/** The kg REO of separated products a transform makes from mineral feed (0 when it is not a separation). */
export function separationOutputReo(
  inputs: readonly { product: ProductFacts }[],
  outputs: readonly { product: ProductFacts; reoKg: number }[],
): number {
  if (!inputs.some((line) => line.product.category === 'mineral')) return 0;
  return outputs.filter((line) => line.product.category === 'separated').reduce((sum, line) => sum + line.reoKg, 0);
}

/** The kinds that name a counterparty enterprise by credit code. */
export function hasCounterpartyCode(event: FlowEventInput): event is Extract<FlowEventInput, { counterparty: string }> {
  return event.kind === 'ship' || event.kind === 'receive';
}

/** The parameters a submission was made with, beside its content: a replay must be made with the same. */
export interface SubmissionParameters {
  readonly period: string | null;
  readonly on_error: 'rollback' | 'proceed';
}

/**
 * The parameters in which a replay differs from the submission it repeats (the keyed writes' rule, with a flow
 * submission's defaults for what the first one left out). A first submission stored before parameters were kept
 * (null) is matched by content alone.
 */
export function submissionReplayDifferences(
  first: Partial<SubmissionParameters> | null,
  again: SubmissionParameters,
): (keyof SubmissionParameters)[] {
  if (first === null || typeof first !== 'object') return [];
  const stored = { period: first.period ?? null, on_error: first.on_error ?? 'rollback' };
  return replayDifferences(stored, { ...again }) as (keyof SubmissionParameters)[];
}
