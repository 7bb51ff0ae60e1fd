import { z } from 'zod';
import { kg, uuid } from './common.ts';
import { categoryCode } from './indicators.ts';

/**
 * Implementation reports (Art. 9): enterprises report the monthly and annual implementation of their indicators
 * to the county of their domicile; each level compiles its children and reports upward, to the ministries.
 * Every figure is whole kg of REO.
 */

/** `YYYY-MM` for a monthly report, `YYYY` for an annual one. */
export const reportPeriod = z
  .string()
  .regex(/^(20[0-9]{2})(-(0[1-9]|1[0-2]))?$/, 'must be YYYY-MM (a month) or YYYY (a year)');

/** The levels that report: an enterprise, then each tier of the division tree, up to the nation. */
export const reportLevels = ['enterprise', 'county', 'prefecture', 'province', 'nation'] as const;
export type ReportLevel = (typeof reportLevels)[number];
/** The nation's pseudo division code: the ministries' compilation. */
export const NATION_CODE = '000000';

/** Where a report stands (the status board). `late` means due and not in after the deadline. */
export const reportStatuses = ['not_due', 'due', 'late', 'submitted', 'returned', 'compiled', 'forwarded'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

/** One category of an enterprise report, pre-filled from the flow records and the quota ledger. */
export const reportLine = z.object({
  category: categoryCode,
  /** Production in the period as reported (equal to the flows unless explained). */
  production_reo_kg: kg,
  /** Production from January to the end of the period, as reported. */
  cumulative_reo_kg: kg,
  /** Allocated to the enterprise for the year, net of Art. 14 reductions. */
  allocated_reo_kg: kg,
  /** allocated − cumulative; negative when the indicator is exceeded. */
  remaining_reo_kg: z.number().int(),
  /** cumulative / allocated in ppm (null when nothing is allocated). */
  utilisation_ppm: z.number().int().nullable(),
  /** What the flow records give for the period and the year to date. */
  flow_reo_kg: kg,
  flow_cumulative_reo_kg: kg,
  /** The quota ledger's consumption for the year, as of when the report was made. */
  ledger_consumed_reo_kg: z.number().int(),
  /** Why the reported figure departs from the flows (required when it does). */
  explanation: z.string().nullable(),
});
export type ReportLine = z.infer<typeof reportLine>;

/** A figure the enterprise reports for a category; every other figure is derived. */
export const reportFigure = z.strictObject({
  category: categoryCode,
  production_reo_kg: kg,
  explanation: z.string().trim().min(4, 'must say why, in at least 4 characters').max(2000).optional(),
});

export const reportSubmitBody = z.strictObject({
  period: reportPeriod,
  /** One per category the draft lists; omitted categories are taken as the flows give them. */
  figures: z.array(reportFigure).max(20).default([]),
  /** The version this one corrects (required once a version exists). */
  replaces: uuid.optional(),
  /** Client-made: the same key again returns the first answer. */
  idempotency_key: z.string().min(8).max(100),
});
export type ReportSubmitBody = z.infer<typeof reportSubmitBody>;

export const signatureView = z.object({
  algorithm: z.literal('SM2-with-SM3'),
  content_sm3: z.string(),
  signature: z.string(),
  signer: z.string(),
  public_key_pem: z.string(),
});

export const returnView = z.object({ reason: z.string(), returned_by: z.string(), returned_at: z.string() });

export const reportView = z.object({
  id: uuid,
  enterprise_id: uuid,
  enterprise_name: z.string(),
  domicile_code: z.string(),
  period: z.string(),
  period_kind: z.enum(['month', 'year']),
  version: z.number().int(),
  replaces: uuid.nullable(),
  lines: z.array(reportLine),
  late: z.boolean(),
  deadline: z.string(),
  submitted_by: z.string(),
  submitted_at: z.string(),
  signature: signatureView,
  returned: returnView.nullable(),
  superseded_by: uuid.nullable(),
});
export type ReportView = z.infer<typeof reportView>;

export const reportDraft = z.object({
  enterprise_id: uuid,
  enterprise_name: z.string(),
  period: z.string(),
  period_kind: z.enum(['month', 'year']),
  deadline: z.string(),
  lines: z.array(reportLine),
  latest: reportView.nullable(),
});
export type ReportDraft = z.infer<typeof reportDraft>;

export const returnBody = z.strictObject({
  reason: z.string().trim().min(4, 'must say what to correct, in at least 4 characters').max(2000),
});

/** Totals per category of a compilation: sums of its children's figures, never edited. */
export const totalLine = z.object({
  category: categoryCode,
  production_reo_kg: kg,
  cumulative_reo_kg: kg,
  allocated_reo_kg: kg,
  remaining_reo_kg: z.number().int(),
  utilisation_ppm: z.number().int().nullable(),
  flow_reo_kg: kg,
  flow_cumulative_reo_kg: kg,
  ledger_consumed_reo_kg: z.number().int(),
});
export type TotalLine = z.infer<typeof totalLine>;

/** A child in a compilation: an enterprise's report (county) or a lower level's compilation. */
export const compiledChild = z.object({
  kind: z.enum(['report', 'compilation']),
  id: uuid,
  version: z.number().int(),
  code: z.string(),
  name: z.string(),
  late: z.boolean(),
  lines: z.array(totalLine),
});
export const absentChild = z.object({
  kind: z.enum(['enterprise', 'division']),
  code: z.string(),
  name: z.string(),
  status: z.enum(['missing', 'late']),
  reason: z.string(),
});
export type AbsentChild = z.infer<typeof absentChild>;

export const compilationView = z.object({
  id: uuid,
  division_code: z.string(),
  division_name: z.string(),
  level: z.enum(reportLevels),
  period: z.string(),
  period_kind: z.enum(['month', 'year']),
  version: z.number().int(),
  replaces: uuid.nullable(),
  totals: z.array(totalLine),
  children: z.array(compiledChild),
  absent: z.array(absentChild),
  compiled_by: z.string(),
  compiled_at: z.string(),
  deadline: z.string(),
  signature: signatureView,
  forwarded_at: z.string().nullable(),
  forwarded_late: z.boolean().nullable(),
  returned: returnView.nullable(),
  superseded_by: uuid.nullable(),
});
export type CompilationView = z.infer<typeof compilationView>;

/** What compiling would give now: children in, children absent (with their status), totals. */
export const compilationDraft = z.object({
  division_code: z.string(),
  division_name: z.string(),
  level: z.enum(reportLevels),
  period: z.string(),
  deadline: z.string(),
  totals: z.array(totalLine),
  children: z.array(compiledChild),
  absent: z.array(absentChild.omit({ reason: true })),
  /** Children whose report is returned for correction: compiling waits for them. */
  returned: z.array(z.object({ code: z.string(), name: z.string(), reason: z.string() })),
  latest: compilationView.nullable(),
});

export const compileBody = z.strictObject({
  division_code: z.string().regex(/^[0-9]{6}$/, 'must be a 6-digit division code (000000 for the nation)'),
  period: reportPeriod,
  /** Why each missing or late child is missing or late, by its code (credit code or division code). */
  reasons: z.record(z.string(), z.string().trim().min(2).max(1000)).default({}),
  replaces: uuid.optional(),
  idempotency_key: z.string().min(8).max(100),
});

/** One node of the status board: an enterprise or a division, for a period. */
export const boardNode = z.object({
  kind: z.enum(['enterprise', 'division']),
  code: z.string(),
  /** Enterprise id (enterprise nodes) — the link to its reports. */
  id: z.string().nullable(),
  name: z.string(),
  level: z.enum(reportLevels),
  status: z.enum(reportStatuses),
  late: z.boolean(),
  deadline: z.string(),
  submitted_at: z.string().nullable(),
  version: z.number().int().nullable(),
  document_id: uuid.nullable(),
  /** Enterprises under this node by status (for an enterprise node, itself). */
  enterprises: z.record(z.string(), z.number().int()),
  has_children: z.boolean(),
});
export type BoardNode = z.infer<typeof boardNode>;

export const boardView = z.object({
  period: z.string(),
  node: boardNode,
  children: z.array(boardNode),
  path: z.array(z.object({ code: z.string(), name: z.string() })),
});
export type BoardView = z.infer<typeof boardView>;

export const deadlineRule = z.object({
  level: z.enum(['enterprise', 'county', 'prefecture', 'province']),
  period_kind: z.enum(['month', 'year']),
  /** The deadline falls in the month this many months after the period ends (1 = the following month). */
  month_offset: z.number().int().min(1).max(3),
  /** The day of that month (calendar day), or the n-th working day on the official calendar. */
  day: z.number().int().min(1).max(31),
  unit: z.enum(['calendar_day', 'working_day']),
});
export type DeadlineRule = z.infer<typeof deadlineRule>;
export const deadlineRuleView = deadlineRule.extend({ set_by: z.string(), set_at: z.string() });

export const reminderView = z.object({
  id: z.string(),
  target_type: z.enum(['enterprise', 'division']),
  target_code: z.string(),
  period: z.string(),
  message: z.string(),
  sent_by: z.string(),
  sent_at: z.string(),
});
export const reminderResult = z.object({ sent: z.number().int(), already_sent_today: z.number().int() });

/** Reported vs flow-derived vs ledger, per child and category. */
export const reconciliationRow = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['enterprise', 'division']),
  category: categoryCode,
  reported_reo_kg: z.number().int().nullable(),
  flow_reo_kg: z.number().int(),
  reported_cumulative_reo_kg: z.number().int().nullable(),
  flow_cumulative_reo_kg: z.number().int(),
  /** The ledger's consumption for the year so far, against what the flows of the whole year so far give. */
  ledger_consumed_reo_kg: z.number().int(),
  flow_year_reo_kg: z.number().int(),
  report_vs_flow_reo_kg: z.number().int().nullable(),
  ledger_vs_flow_reo_kg: z.number().int(),
  beyond_tolerance: z.boolean(),
});
export const reconciliationView = z.object({
  period: z.string(),
  division_code: z.string(),
  tolerance_ppm: z.number().int(),
  tolerance_min_kg: z.number().int(),
  rows: z.array(reconciliationRow),
});
export type ReconciliationView = z.infer<typeof reconciliationView>;
