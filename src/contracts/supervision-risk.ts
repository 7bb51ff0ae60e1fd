import { z } from 'zod';
import { divisionCode, uuid } from './common.ts';

/**
 * The risk-ranked inspection list (Art. 12, docs/supervision.md "Risk-ranked list"): the weights each factor
 * carries, set per jurisdiction, and the list itself — every designated enterprise of a division with its score,
 * its rank and the reasons that make it up.
 */

/** The anomaly rules weighed one by one. Filings and report-vs-flow differences are factors of their own. */
export const riskAnomalyRules = [
  'mass_balance',
  'unmatched_shipment',
  'quantity_mismatch',
  'non_designated_party',
  'quota_exceeded',
  'yield_out_of_bounds',
] as const;
export type RiskAnomalyRule = (typeof riskAnomalyRules)[number];

export const riskFactors = [
  'open_anomalies',
  'late_filings',
  'missing_filings',
  'utilisation_ahead',
  'report_vs_flows',
  'past_violations',
  'final_penalties',
] as const;
export type RiskFactor = (typeof riskFactors)[number];

/** Whole numbers only; their ranges are checked by the service, which names the field (422). */
const whole = z.number().int();

export const riskWeights = z.strictObject({
  /** Points per open anomaly, by rule. */
  anomaly: z.strictObject({
    mass_balance: whole,
    unmatched_shipment: whole,
    quantity_mismatch: whole,
    non_designated_party: whole,
    quota_exceeded: whole,
    yield_out_of_bounds: whole,
  }),
  /** Points per flow declaration (Art. 10) or monthly implementation report (Art. 9) filed late. */
  late_filing: whole,
  /** Points per flow declaration or monthly implementation report not filed by its deadline. */
  missing_filing: whole,
  /** Points per percentage point a category's utilisation runs ahead of the elapsed year beyond the threshold. */
  utilisation_point: whole,
  /** Percentage points of utilisation ahead of the elapsed year that count for nothing (0–100). */
  utilisation_threshold_points: whole,
  /** Points per open report-vs-flows or ledger-vs-flows difference (reconciliation anomalies). */
  report_vs_flows: whole,
  /** Points per violation found in the look-back window. */
  past_violation: whole,
  /** Points per final administrative penalty (fine, suspension) decided in the look-back window. */
  final_penalty: whole,
  /** How many years before the list's year violations and penalties count (0–10; 0: the year itself only). */
  lookback_years: whole,
  /** How many of the latest ended months of the year count for late and missing filings (1–12). */
  filing_months: whole,
});
export type RiskWeights = z.infer<typeof riskWeights>;

export const riskWeightsQuery = z.object({ division: divisionCode.optional() });

export const riskWeightsView = z.object({
  /** The division asked about. */
  division_code: z.string(),
  /** Where the weights in force come from: the division's own, an ancestor's (nearest first), or the defaults. */
  source: z.enum(['own', 'inherited', 'default']),
  source_division_code: z.string().nullable(),
  source_version: z.number().int(),
  /** The version of the division's own weights (0: none yet): send it as `expected_version` to change them. */
  own_version: z.number().int(),
  weights: riskWeights,
  note: z.string(),
  set_by: z.string().nullable(),
  set_at: z.string().nullable(),
});
export type RiskWeightsView = z.infer<typeof riskWeightsView>;

export const riskWeightsBody = z.strictObject({
  division_code: divisionCode,
  /** The division's own version as read (0 when it had none): a stale one is refused (409). */
  expected_version: z.number().int().min(0),
  weights: riskWeights,
  note: z.string().trim().max(1000).default(''),
});
export type RiskWeightsBody = z.infer<typeof riskWeightsBody>;

export const riskQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100),
  division: divisionCode.optional(),
});

export const riskReason = z.object({
  factor: z.enum(riskFactors),
  /** The anomaly rule (open_anomalies) or indicator category (utilisation_ahead); null for the other factors. */
  detail: z.string().nullable(),
  /** The raw figure counted: anomalies, filings, percentage points beyond the threshold, violations, penalties. */
  figure: z.number().int(),
  weight: z.number().int(),
  /** figure × weight: the reasons' points sum to the score exactly. */
  points: z.number().int(),
  /** The anomalies counted (open_anomalies, report_vs_flows; at most 50): what an inspection plan may cite. */
  anomaly_ids: z.array(uuid),
  /** The figures behind the sentence, for a UI that words it itself. */
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  text: z.object({ zh: z.string(), en: z.string() }),
});
export type RiskReason = z.infer<typeof riskReason>;

export const riskInspection = z.object({
  id: uuid,
  status: z.enum(['planned', 'visited']),
  planned_on: z.string(),
  visited_on: z.string().nullable(),
});

export const riskItem = z.object({
  /** 1 + the number of enterprises with a higher score (equal scores share a rank). */
  rank: z.number().int(),
  enterprise_id: uuid,
  enterprise_name: z.string(),
  domicile_code: z.string(),
  score: z.number().int(),
  reasons: z.array(riskReason),
  /** The latest inspection planned for the year, if any. */
  inspection: riskInspection.nullable(),
  /** An inspection of the year is planned and not yet visited. */
  inspection_open: z.boolean(),
});
export type RiskItem = z.infer<typeof riskItem>;

export const riskView = z.object({
  year: z.number().int(),
  division_code: z.string(),
  /** The instant the facts were read at (the app clock). */
  as_of: z.string(),
  /** How much of the year has passed (Beijing dates), in parts per million. */
  elapsed_ppm: z.number().int(),
  weights: riskWeightsView,
  items: z.array(riskItem),
});
export type RiskView = z.infer<typeof riskView>;
