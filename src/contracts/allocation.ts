import { z } from 'zod';
import { categoryCode, weights } from './indicators.ts';
import { kg, uuid } from './common.ts';

const facts = z.strictObject({
  designated: z.boolean(),
  mining_licence_valid: z.boolean(),
  safety_licence_valid: z.boolean(),
  discharge_permit_ok: z.boolean(),
  idle: z.boolean(),
});

export const engineHolder = z.strictObject({
  id: z.string().min(1).max(100),
  name: z.string().max(200).optional(),
  cap_reo_kg: kg,
  technical_score: z.number().int().min(0).max(100),
  environment_score: z.number().int().min(0).max(100),
  safety_score: z.number().int().min(0).max(100),
  facts,
  prior_year_penalties: z.number().int().min(0).max(1000),
});

/** The engine's input: what `monazite allocate --input FILE` reads and POST /allocation/what-if takes. */
export const engineInput = z.strictObject({
  category: categoryCode,
  total_reo_kg: kg,
  weights,
  penalty_reduction_ppm: z.number().int().min(0).max(1_000_000),
  holders: z.array(engineHolder).min(1).max(20_000),
});
export type EngineInput = z.infer<typeof engineInput>;

/** A final administrative penalty of the prior year behind an Art. 14 reduction (decided by a supervising department). */
export const penaltyDecision = z.object({
  decision_id: uuid,
  document_no: z.string(),
  kind: z.enum(['fine', 'suspension', 'correction_order', 'referral']),
  decided_on: z.string(),
});
export type PenaltyDecision = z.infer<typeof penaltyDecision>;

export const holderResult = z.object({
  id: z.string(),
  name: z.string().optional(),
  reo_kg: kg,
  eligible: z.boolean(),
  reasons: z.array(z.string()),
  cap_reo_kg: kg,
  capped: z.boolean(),
  contributions: z.array(z.object({ factor: z.string(), basis_share_ppm: z.number().int(), reo_kg: kg })),
  unpenalised_reo_kg: kg,
  penalty_reduction_reo_kg: z.number().int(),
  /** In a run's share explanation: the decisions (document numbers) the Art. 14 reduction rests on. */
  penalty_decisions: z.array(penaltyDecision).optional(),
});
export const engineResult = z.object({ category: categoryCode, total_reo_kg: kg, holders: z.array(holderResult) });

export const compareBody = z.strictObject({ a: engineInput, b: engineInput });
export const comparison = z.object({
  a: engineResult,
  b: engineResult,
  rows: z.array(
    z.object({
      id: z.string(),
      name: z.string().optional(),
      a_reo_kg: kg,
      b_reo_kg: kg,
      difference_reo_kg: z.number().int(),
    }),
  ),
});

export const level = z.enum(['national', 'group']);
export const inputQuery = z.strictObject({
  batch_id: uuid,
  category: categoryCode,
  level,
  group_id: z.string().optional(),
});

export const manualShare = z.strictObject({ holder_id: z.string().min(1), reo_kg: kg });
/**
 * Why the shares differ from the engine's result on the register and the plan's parameters: required when they
 * do (a manual allocation, or the engine with other weights or reduction rate), optional otherwise. Trimmed, at
 * most 1000 characters: checked by the service (`reasonFor`), which answers 422 naming `reason`.
 */
const reason = z.string().optional();
export const runCreateBody = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('engine'),
    batch_id: uuid,
    category: categoryCode,
    level,
    group_id: z.string().optional(),
    /** Override the plan's parameters for this run. */
    weights: weights.optional(),
    penalty_reduction_ppm: z.number().int().min(0).max(1_000_000).optional(),
    reason,
  }),
  z.strictObject({
    mode: z.literal('manual'),
    batch_id: uuid,
    category: categoryCode,
    level,
    group_id: z.string().optional(),
    shares: z.array(manualShare).min(1).max(20_000),
    reason,
  }),
]);
export type RunCreate = z.infer<typeof runCreateBody>;

export const runStatus = z.enum(['proposed', 'approved', 'issued', 'withdrawn']);
export const share = z.object({
  holder_kind: z.enum(['group', 'enterprise']),
  holder_id: z.string(),
  name: z.string(),
  reo_kg: kg,
  explanation: z.unknown(),
});
export const run = z.object({
  id: uuid,
  batch_id: uuid,
  category: categoryCode,
  level,
  group_id: z.string().nullable(),
  mode: z.enum(['engine', 'manual']),
  status: runStatus,
  total_reo_kg: kg,
  created_by: z.string(),
  created_at: z.string(),
  approved_by: z.string().nullable(),
  issued_at: z.string().nullable(),
  /** National run: by when its groups must sub-allocate; group run: by when it was due. */
  due_on: z.string().nullable(),
  /** A group run proposed after its due date. */
  filed_late: z.boolean(),
  /** Why the shares differ from the engine's result (null when they are the engine's). */
  reason: z.string().nullable(),
  shares: z.array(share),
});
export type Run = z.infer<typeof run>;
export const runQuery = z.strictObject({ batch_id: uuid.optional(), status: runStatus.optional() });

export const notice = z.object({
  id: uuid,
  run_id: uuid,
  recipient_kind: z.enum(['enterprise', 'authority']),
  recipient_id: z.string(),
  recipient_name: z.string(),
  forwarded_from: z.string().nullable(),
  title: z.string(),
  body: z.unknown(),
  sent_at: z.string(),
  read_at: z.string().nullable(),
});
export const receiptsQuery = z.strictObject({ unread_after_days: z.coerce.number().int().min(0).max(365).default(0) });

export const quotaLine = z.object({
  category: z.string(),
  allocated_reo_kg: z.number().int(),
  reduced_reo_kg: z.number().int(),
  consumed_reo_kg: z.number().int(),
  remaining_reo_kg: z.number().int(),
  utilisation_ppm: z.number().int().nullable(),
  over_balance: z.boolean(),
});
export const quota = z.object({
  enterprise_id: uuid,
  year: z.number().int(),
  elapsed_ppm: z.number().int(),
  lines: z.array(quotaLine),
});
export const quotaQuery = z.strictObject({ year: z.coerce.number().int().min(2000).max(2100) });
export const ledgerEntry = z.object({
  id: z.number().int(),
  kind: z.string(),
  category: z.string(),
  direction: z.enum(['in', 'out']),
  reo_kg: kg,
  reference: z.string(),
  memo: z.string(),
  over_balance: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
});
export const adjustmentBody = z.strictObject({
  /** Client-made key: the same adjustment sent again is recorded once. */
  key: z
    .string()
    .min(8)
    .max(100)
    .describe('Idempotency key (client-made): the same adjustment sent again is recorded once.'),
  year: z.number().int().min(2000).max(2100),
  category: categoryCode,
  enterprise_id: uuid,
  kind: z.enum(['adjust', 'reduce']),
  /** Positive: from the national pool to the enterprise; negative: back to the pool. Reductions are positive. */
  reo_kg: z
    .number()
    .int()
    .refine((value) => value !== 0, 'must not be zero'),
  memo: z.string().trim().min(1).max(500),
});
