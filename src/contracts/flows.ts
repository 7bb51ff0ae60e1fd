import { z } from 'zod';
import { checkCreditCode } from './credit-code.rules.ts';
import { kg, pageOf, uuid } from './common.ts';

/**
 * Flow events (Art. 10), the one shape every way in (JSON API, CSV/XLSX file, EPCIS capture) is turned
 * into before the one validation. Quantities are integers: kg of mass, kg of REO, grade in ppm.
 */
export const flowKinds = [
  'produce',
  'transform',
  'ship',
  'receive',
  'import',
  'export',
  'stock_count',
  'loss',
] as const;
export type FlowKind = (typeof flowKinds)[number];

/** The most events one JSON request may carry; larger submissions go through a file upload or EPCIS. */
export const MAX_EVENTS_PER_REQUEST = 5_000;
/** The most input or output batches one transform may have. */
export const MAX_TRANSFORM_LINES = 500;

export const creditCode = z
  .string()
  .length(18, 'must be an 18-character unified social credit code')
  .refine(
    (code) => checkCreditCode(code) === null,
    'is not a valid unified social credit code (GB 32100 check character)',
  );

/** A lot code as its maker writes it; with the maker's credit code it names one batch nationally. */
export const batchCode = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/,
    'must be 1–64 letters, digits, or . _ - / (starting with a letter or digit)',
  );

const positiveKg = z
  .number()
  .int('must be a whole number of kg')
  .min(1, 'must be at least 1 kg')
  .max(Number.MAX_SAFE_INTEGER);
const reoKg = z
  .number()
  .int('must be a whole number of kg')
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER);
const gradePpm = z.number().int('must be a whole number of ppm').min(1).max(1_000_000, 'cannot exceed 1,000,000 ppm');

/** One batch line: what batch, of what product, how much. `reo_kg` is computed when absent, and checked when given. */
export const flowLine = z.strictObject({
  batch: batchCode,
  /** The credit code of the enterprise that made the batch, when it is not the one recording the event. */
  batch_maker: creditCode.optional(),
  product: z.string().regex(/^[A-Z0-9_]{2,32}$/, 'must be a product code of the catalogue'),
  mass_kg: positiveKg,
  grade_ppm: gradePpm.optional(),
  reo_kg: reoKg.optional(),
});
export type FlowLine = z.infer<typeof flowLine>;

export const flowDocuments = z.strictObject({
  invoice_no: z.string().trim().min(1).max(64).optional(),
  waybill_no: z.string().trim().min(1).max(64).optional(),
  customs_declaration_no: z.string().trim().min(1).max(64).optional(),
});

/** An event time must say its zone: 2026-03-05T08:30:00+08:00. */
const eventTime = z.iso.datetime({
  offset: true,
  local: false,
  message: 'must be an ISO 8601 time with a zone offset, e.g. 2026-03-05T08:30:00+08:00',
});

const common = {
  event_id: z.string().trim().min(1).max(128),
  event_time: eventTime,
  /** When given, the credit code of the recording enterprise; it must be the caller's own. */
  enterprise: creditCode.optional(),
  documents: flowDocuments.optional(),
  /** Amendments (a sealed month): the event ids this event corrects, and why. */
  amends: z.array(z.string().trim().min(1).max(128)).min(1).max(100).optional(),
  reason: z.string().trim().min(1).max(2000).optional(),
};

const single = { ...common, ...flowLine.shape };

export const transformEdge = z.strictObject({
  from_batch: batchCode,
  to_batch: batchCode,
  reo_kg: positiveKg,
});

export const flowEventInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('produce'), ...single }),
  z.strictObject({ kind: z.literal('ship'), ...single, counterparty: creditCode }),
  z.strictObject({ kind: z.literal('receive'), ...single, counterparty: creditCode }),
  z.strictObject({
    kind: z.literal('import'),
    ...single,
    counterparty_name: z.string().trim().min(1).max(200),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code'),
  }),
  z.strictObject({
    kind: z.literal('export'),
    ...single,
    counterparty_name: z.string().trim().min(1).max(200),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code'),
  }),
  z.strictObject({ kind: z.literal('stock_count'), ...single }),
  z.strictObject({ kind: z.literal('loss'), ...single, reason: z.string().trim().min(1).max(2000) }),
  z.strictObject({
    kind: z.literal('transform'),
    ...common,
    inputs: z.array(flowLine).min(1).max(MAX_TRANSFORM_LINES),
    outputs: z.array(flowLine).min(1).max(MAX_TRANSFORM_LINES),
    /** REO kg from each input batch into each output batch; may be left out when there is one input or one output. */
    edges: z
      .array(transformEdge)
      .max(MAX_TRANSFORM_LINES * 4)
      .optional(),
  }),
]);
export type FlowEventInput = z.infer<typeof flowEventInput>;

export const flowSubmissionBody = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_REQUEST),
});

/** One rejected row: where (`row`: 1-based position in the submission or line in the file), which field, why. */
export const rowError = z.object({
  row: z.number().int(),
  event_id: z.string().optional(),
  field: z.string(),
  message: z.string(),
});
export type RowError = z.infer<typeof rowError>;

export const submissionResult = z.object({
  submission_id: uuid,
  enterprise_id: uuid,
  source: z.enum(['api', 'file', 'epcis', 'cli']),
  received: z.number().int(),
  /** Events stored by this submission. */
  accepted: z.number().int(),
  /** Events already stored with the same content (replays): nothing changed. */
  unchanged: z.number().int(),
  /** Rows refused (proceed mode only; in rollback mode any error refuses the whole submission). */
  rejected: z.number().int(),
  errors: z.array(rowError),
  /** True when this exact submission was made before: this is the first answer, and nothing changed. */
  replayed: z.boolean(),
  created_at: z.string(),
});
export type SubmissionResult = z.infer<typeof submissionResult>;

export const flowEventView = z.object({
  event_id: z.string(),
  line_no: z.number().int(),
  kind: z.enum(flowKinds),
  direction: z.enum(['in', 'out', 'count']),
  event_time: z.string(),
  period: z.string(),
  batch: z.string(),
  batch_maker: z.string(),
  product: z.string(),
  mass_kg: kg,
  grade_ppm: z.number().int().nullable(),
  reo_kg: kg,
  counterparty: z.string().nullable(),
  counterparty_name: z.string().nullable(),
  documents: flowDocuments,
  amends: z.array(z.string()).nullable(),
  reason: z.string().nullable(),
  superseded: z.boolean(),
  submission_id: uuid,
});

export const flowListQuery = z.object({
  enterprise_id: uuid,
  period: z.string().regex(/^\d{4}-\d{2}$/, 'must be a month, YYYY-MM'),
  kind: z.enum(flowKinds).optional(),
  batch: batchCode.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
  /**
   * The `next` of the previous page: the page after it, read by keyset (no OFFSET over the month). Without it,
   * `page` skips (page − 1) × page_size lines, as before.
   */
  after: z.string().min(1).max(300).optional(),
});

/** A page of flow lines: `total` comes from the month's summary (no count over the lines, but with `batch`). */
export const flowPage = pageOf(flowEventView).extend({
  /** Pass as `after` (with the same filters) for the next page; null on the last page. */
  next: z.string().nullable(),
});

export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM');

export const declarationStatus = z.enum(['open', 'due', 'sealed', 'late', 'missing']);
export const declarationView = z.object({
  enterprise_id: uuid,
  enterprise_name: z.string(),
  period: z.string(),
  status: declarationStatus,
  deadline: z.string(),
  event_count: z.number().int(),
  amendments_since_seal: z.number().int(),
  seals: z.array(
    z.object({
      version: z.number().int(),
      events_sm3: z.string(),
      event_count: z.number().int(),
      sealed_at: z.string(),
      sealed_by: z.string(),
      late: z.boolean(),
    }),
  ),
});
export type DeclarationView = z.infer<typeof declarationView>;

export const anomalyRules = [
  'mass_balance',
  'unmatched_shipment',
  'quantity_mismatch',
  'non_designated_party',
  'quota_exceeded',
  'yield_out_of_bounds',
  'declaration_late',
  'declaration_missing',
  'report_vs_flows',
  'ledger_vs_flows',
] as const;
export const anomalyStatuses = ['open', 'explained', 'confirmed', 'closed'] as const;
export const anomalyView = z.object({
  id: uuid,
  rule: z.enum(anomalyRules),
  enterprise_id: uuid,
  enterprise_name: z.string(),
  domicile_code: z.string(),
  period: z.string(),
  product: z.string().nullable(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  evidence: z.array(z.object({ enterprise_id: uuid, event_id: z.string() })),
  status: z.enum(anomalyStatuses),
  version: z.number().int(),
  detected_at: z.string(),
  updated_at: z.string(),
});
export const anomalyTransitionBody = z.strictObject({
  expected_version: z.number().int().min(1),
  status: z.enum(anomalyStatuses),
  note: z.string().trim().min(1).max(4000),
});

export const anomalyDetail = anomalyView.extend({
  transitions: z.array(
    z.object({
      from_status: z.enum(anomalyStatuses),
      to_status: z.enum(anomalyStatuses),
      note: z.string(),
      actor: z.string(),
      created_at: z.string(),
    }),
  ),
});

export const checkRun = z.object({
  period: z.string(),
  anomalies_found: z.number().int(),
  /** Of those, found for the first time by this run. */
  anomalies_new: z.number().int(),
  by_rule: z.record(z.string(), z.number().int()),
});

/** What sealing a month answers: the new seal. */
export const declarationSeal = z.object({
  enterprise_id: uuid,
  period: z.string(),
  version: z.number().int(),
  events_sm3: z.string(),
  event_count: z.number().int(),
  late: z.boolean(),
  sealed_by: z.string(),
  sealed_at: z.string(),
});
