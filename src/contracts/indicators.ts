import { z } from 'zod';
import { isoDate, kg, uuid } from './common.ts';

export const categoryCodes = [
  'mining_rock',
  'mining_ion_adsorption',
  'separation',
  'separation_domestic',
  'separation_imported',
  'separation_monazite',
] as const;
export const categoryCode = z.enum(categoryCodes);
export type CategoryCodeName = z.infer<typeof categoryCode>;

export const weights = z
  .strictObject({
    capacity: z.number().int().min(0).max(1000),
    technical: z.number().int().min(0).max(1000),
    environment: z.number().int().min(0).max(1000),
    safety: z.number().int().min(0).max(1000),
  })
  .refine((value) => value.capacity + value.technical + value.environment + value.safety > 0, {
    message: 'at least one weight must be positive',
  });

/** The Art. 5 factors the indicators were formulated from. */
export const planMemo = z.strictObject({
  economic_goals: z.string().trim().min(1).max(4000),
  reserves_and_variety: z.string().trim().min(1).max(4000),
  industry_development: z.string().trim().min(1).max(4000),
  ecological_protection: z.string().trim().min(1).max(4000),
  market_demand: z.string().trim().min(1).max(4000),
});

export const planCreateBody = z.strictObject({
  year: z.number().int().min(2000).max(2100),
  memo: planMemo,
  weights,
  penalty_reduction_ppm: z.number().int().min(0).max(1_000_000),
  sub_allocation_working_days: z.number().int().min(1).max(60).default(10),
});

export const categoryTotal = z.strictObject({ category: categoryCode, total_reo_kg: kg });
export const categoryTotals = z
  .array(categoryTotal)
  .min(1)
  .max(categoryCodes.length)
  .superRefine((totals, context) => {
    const seen = new Set<string>();
    totals.forEach((item, index) => {
      if (seen.has(item.category))
        context.addIssue({ code: 'custom', path: [index, 'category'], message: `${item.category} is listed twice` });
      seen.add(item.category);
    });
    if (seen.has('separation') && [...seen].some((category) => category.startsWith('separation_'))) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: 'give separation either as one total or split by feed, not both',
      });
    }
  });

export const batchCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(50),
  kind: z.enum(['regular', 'reserve']).default('regular'),
  totals: categoryTotals,
});
export const batchTotalsBody = z.strictObject({ expected_version: z.number().int().min(1), totals: categoryTotals });
export const batchApproveBody = z.strictObject({
  approval_document_no: z.string().trim().min(1).max(100),
  approval_date: isoDate,
});

export const batchStatus = z.enum(['draft', 'cosigned', 'submitted', 'approved', 'allocated', 'issued']);
export const batch = z.object({
  id: uuid,
  plan_id: uuid,
  seq: z.number().int(),
  name: z.string(),
  kind: z.enum(['regular', 'reserve']),
  status: batchStatus,
  totals: z.array(z.object({ category: categoryCode, total_reo_kg: kg })),
  cosigns: z.array(z.object({ authority_id: z.string(), user_id: z.string(), signed_at: z.string() })),
  drafted_by: z.string(),
  submitted_at: z.string().nullable(),
  approval_document_no: z.string().nullable(),
  approval_date: z.string().nullable(),
  version: z.number().int(),
});
export type Batch = z.infer<typeof batch>;

export const plan = z.object({
  id: uuid,
  year: z.number().int(),
  memo: planMemo,
  weights: z.object({ capacity: z.number(), technical: z.number(), environment: z.number(), safety: z.number() }),
  penalty_reduction_ppm: z.number().int(),
  sub_allocation_working_days: z.number().int(),
  created_by: z.string(),
  created_at: z.string(),
  batches: z.array(batch),
});
export type Plan = z.infer<typeof plan>;
export const yearParam = z.object({ year: z.coerce.number().int().min(2000).max(2100) });
