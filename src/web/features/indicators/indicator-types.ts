/**
 * The shapes of the indicators, allocation and ledger API, inferred from the shared zod contracts.
 * Type-only imports: nothing of zod reaches the browser bundle.
 */
import type { z } from 'zod';
import type {
  comparison,
  engineInput,
  engineHolder,
  engineResult,
  holderResult,
  ledgerEntry,
  notice,
  quota,
  quotaLine,
  run,
  runStatus,
} from '../../../contracts/allocation.ts';
import type { batch, batchStatus, categoryCode, plan, planCreateBody } from '../../../contracts/indicators.ts';

export type Plan = z.infer<typeof plan>;
export type PlanCreate = z.input<typeof planCreateBody>;
export type Batch = z.infer<typeof batch>;
export type BatchStatus = z.infer<typeof batchStatus>;
export type Category = z.infer<typeof categoryCode>;
export type CategoryTotal = Batch['totals'][number];
export type Weights = Plan['weights'];
export type Run = z.infer<typeof run>;
export type RunStatus = z.infer<typeof runStatus>;
export type Share = Run['shares'][number];
export type EngineInput = z.infer<typeof engineInput>;
export type EngineHolder = z.infer<typeof engineHolder>;
export type EngineResult = z.infer<typeof engineResult>;
export type HolderResult = z.infer<typeof holderResult>;
export type Comparison = z.infer<typeof comparison>;
export type Notice = z.infer<typeof notice>;
export type Quota = z.infer<typeof quota>;
export type QuotaLine = z.infer<typeof quotaLine>;
export type LedgerEntry = z.infer<typeof ledgerEntry>;

/** What a share's explanation holds: the engine's result (or the manual figure) for the holder, with its name. */
export type Explanation = Partial<HolderResult> & {
  readonly name?: string;
  /** Where the run departs from the engine: what the engine gives the holder. */
  readonly engine_reo_kg?: number;
};

/** The categories a batch can carry, in the order forms and tables list them. */
export const categories: readonly Category[] = [
  'mining_rock',
  'mining_ion_adsorption',
  'separation',
  'separation_domestic',
  'separation_imported',
  'separation_monazite',
];

/** The batch lifecycle of Art. 5, in order. */
export const batchSteps: readonly BatchStatus[] = ['draft', 'cosigned', 'submitted', 'approved', 'allocated', 'issued'];

/** Batches whose totals may be allocated. */
export const allocatableStatuses: readonly BatchStatus[] = ['approved', 'allocated', 'issued'];

/** The four engine factors. */
export const factors = ['capacity', 'technical', 'environment', 'safety'] as const;
export type Factor = (typeof factors)[number];

/** Parts per million as a percentage with up to four decimals: 100000 → "10". */
export function ppmToPercent(ppm: number): string {
  return String(Number((ppm / 10_000).toFixed(4)));
}

/** A percentage typed by a user → whole ppm. */
export function percentToPpm(percent: number): number {
  return Math.round(percent * 10_000);
}
