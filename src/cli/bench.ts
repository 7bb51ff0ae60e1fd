import { performance } from 'node:perf_hooks';
import { allocate, proportionalSplit, type Holder } from '../server/modules/allocation/allocation.rules.ts';

/** A deterministic pseudo-random sequence (mulberry32), so every run measures the same data. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Holders shaped like the register: a few large groups' plants, many small ones, some ineligible or penalised. */
export function syntheticHolders(count: number, seed = 7): Holder[] {
  const next = random(seed);
  const score = () => 40 + Math.floor(next() * 61);
  return Array.from({ length: count }, (_, index) => ({
    id: `E${String(index).padStart(6, '0')}`,
    cap_reo_kg: Math.floor((next() < 0.05 ? 20_000_000 : 2_000_000) * (0.5 + next() * 2)),
    technical_score: score(),
    environment_score: score(),
    safety_score: score(),
    facts: {
      designated: next() > 0.02,
      mining_licence_valid: next() > 0.03,
      safety_licence_valid: next() > 0.03,
      discharge_permit_ok: next() > 0.02,
      idle: next() < 0.02,
    },
    prior_year_penalties: next() < 0.03 ? 1 : 0,
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(runs: number, task: () => void): number[] {
  task(); // warm-up
  return Array.from({ length: runs }, () => {
    const start = performance.now();
    task();
    return performance.now() - start;
  });
}

export interface AllocationBench {
  holders: number;
  allocate_ms_p50: number;
  allocate_ms_max: number;
  proportional_ms_p50: number;
  allocate_vs_proportional: number;
}

/** The allocation engine on `count` holders against a plain proportional split of the same total. */
export function benchAllocation(count: number, runs: number): AllocationBench {
  const holders = syntheticHolders(count);
  const eligibleCapacity = holders.reduce((sum, holder) => sum + holder.cap_reo_kg, 0);
  const total = Math.floor(eligibleCapacity * 0.6);
  const input = {
    category: 'mining_rock' as const,
    total_reo_kg: total,
    weights: { capacity: 60, technical: 15, environment: 15, safety: 10 },
    penalty_reduction_ppm: 100_000,
    holders,
  };
  const engine = time(runs, () => void allocate(input));
  const capacities = holders.map((holder) => holder.cap_reo_kg);
  const plain = time(runs, () => void proportionalSplit(total, capacities));
  const engineMedian = median(engine);
  const plainMedian = median(plain);
  return {
    holders: count,
    allocate_ms_p50: round(engineMedian),
    allocate_ms_max: round(Math.max(...engine)),
    proportional_ms_p50: round(plainMedian),
    allocate_vs_proportional: round(engineMedian / plainMedian),
  };
}

const round = (value: number) => Math.round(value * 100) / 100;
