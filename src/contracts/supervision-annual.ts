import { z } from 'zod';
import { categoryCodes } from './indicators.ts';
import { decisionKinds, idempotencyKey, inspectionOutcomes, supervisingDepartments } from './supervision.ts';

/**
 * The provincial annual supervision report (Art. 12 ¶3): what a province's industry & IT and natural resources
 * departments report to MIIT and MNR by the end of December — inspections, violations by type, decisions, and the
 * execution of the indicators by enterprise — generated from the year's records; a submitted version is frozen.
 */

export const provinceParam = z.object({
  province: z.string().regex(/^[0-9]{2}0000$/, 'must be a province-level division code (two digits and 0000)'),
  year: z.coerce.number().int().min(2000, 'must be 2000 or later').max(2999),
});

/** Each figure of the report, as generated. `as_of` is the Beijing date the records were read on. */
export const annualReportContent = z.object({
  province_code: z.string(),
  province_name: z.string(),
  year: z.number().int(),
  /** The year's records are those dated from `from` to `to` (Beijing dates). */
  from: z.string(),
  to: z.string(),
  as_of: z.string(),
  generated_at: z.string(),
  inspections: z.object({
    /** Planned in the year (by planned date). */
    planned: z.number().int(),
    /** Visited in the year (by visit date). */
    visited: z.number().int(),
    /** Planned in the year and not visited yet. */
    pending: z.number().int(),
    /** Visits of the year by outcome. */
    outcomes: z.object({
      no_violation: z.number().int(),
      violation_found: z.number().int(),
      obstructed: z.number().int(),
    }),
    /** Every inspection planned or visited in the year, by enterprise. */
    items: z.array(
      z.object({
        inspection_id: z.string(),
        enterprise_id: z.string(),
        enterprise_name: z.string(),
        credit_code: z.string(),
        division_code: z.string(),
        department: z.enum(supervisingDepartments),
        planned_on: z.string(),
        visited_on: z.string().nullable(),
        outcome: z.enum(inspectionOutcomes).nullable(),
      }),
    ),
  }),
  violations: z.object({
    /** Found in the year (by the date found). */
    total: z.number().int(),
    /** Every violation type, with its legal basis (zero counts included). */
    by_type: z.array(
      z.object({
        type: z.string(),
        label: z.string(),
        citation: z.string(),
        legal_basis: z.string(),
        count: z.number().int(),
      }),
    ),
  }),
  decisions: z.object({
    /** Decided in the year (by decision date). */
    total: z.number().int(),
    /** Per kind: how many, their follow-up state as of `as_of`, the fines' sum and the final penalties. */
    by_kind: z.array(
      z.object({
        kind: z.enum(decisionKinds),
        label: z.string(),
        count: z.number().int(),
        open: z.number().int(),
        complied: z.number().int(),
        closed: z.number().int(),
        /** Correction orders still open after their deadline (0 for the other kinds). */
        overdue: z.number().int(),
        /** Set aside on reconsideration or by a court (counted in `count` and `closed`). */
        revoked: z.number().int(),
        /** Whole yuan: the sum of the fines not set aside (0 for the other kinds). */
        fine_yuan: z.number().int(),
        /** Final administrative penalties (fines and suspensions only). */
        final: z.number().int(),
      }),
    ),
    /** The fines not set aside: how many, and their sum in whole yuan. */
    fines: z.object({ count: z.number().int(), total_yuan: z.number().int() }),
    final_penalties: z.array(
      z.object({
        decision_id: z.string(),
        enterprise_id: z.string(),
        enterprise_name: z.string(),
        kind: z.enum(decisionKinds),
        document_no: z.string(),
        decided_on: z.string(),
        fine_yuan: z.number().int().nullable(),
      }),
    ),
  }),
  indicators: z.object({
    /** Every enterprise domiciled in the province and designated on some day of the year. */
    enterprises: z.array(
      z.object({
        enterprise_id: z.string(),
        enterprise_name: z.string(),
        credit_code: z.string(),
        domicile_code: z.string(),
        lines: z.array(
          z.object({
            category: z.enum(categoryCodes),
            /** Issued and adjusted, less Art. 14 reductions (the quota ledger). */
            allocated_reo_kg: z.number().int(),
            /** Output of the year as the flow records give it. */
            produced_reo_kg: z.number().int(),
            /** Consumption posted against the quota in the ledger. */
            consumed_reo_kg: z.number().int(),
            /** allocated − produced. */
            remaining_reo_kg: z.number().int(),
            /** produced ÷ allocated in ppm; null when nothing is allocated. */
            utilisation_ppm: z.number().int().nullable(),
          }),
        ),
      }),
    ),
    /** Sums of the lines per category. */
    totals: z.array(
      z.object({
        category: z.enum(categoryCodes),
        allocated_reo_kg: z.number().int(),
        produced_reo_kg: z.number().int(),
        consumed_reo_kg: z.number().int(),
        remaining_reo_kg: z.number().int(),
        utilisation_ppm: z.number().int().nullable(),
      }),
    ),
  }),
});
export type AnnualReportContent = z.infer<typeof annualReportContent>;

export const annualReportStatuses = ['not_due', 'due', 'late', 'submitted'] as const;
export type AnnualReportStatus = (typeof annualReportStatuses)[number];

const submission = z.object({
  id: z.string(),
  version: z.number().int(),
  replaces: z.string().nullable(),
  superseded_by: z.string().nullable(),
  comment: z.string(),
  late: z.boolean(),
  department: z.enum(supervisingDepartments),
  submitted_by: z.string(),
  submitted_at: z.string(),
  signature: z.object({
    algorithm: z.string(),
    content_sm3: z.string(),
    signature: z.string(),
    signer: z.string(),
    public_key_pem: z.string(),
  }),
});

export const annualReportView = z.object({
  province_code: z.string(),
  province_name: z.string(),
  year: z.number().int(),
  /** Where the province stands: not due before 1 December, due in December, late after it, or submitted. */
  status: z.enum(annualReportStatuses),
  /** 31 December, 23:59:59.999 Beijing time. */
  deadline: z.string(),
  /** Submitted after the deadline (judged by the first version), or not submitted and past it. */
  late: z.boolean(),
  /** The report is addressed to MIIT and MNR. */
  addressed_to: z.array(z.string()),
  /** `draft`: generated now from the records; `submitted`: a frozen version (then `submission` says which). */
  kind: z.enum(['draft', 'submitted']),
  submission: submission.nullable(),
  /** Every submitted version, oldest first. */
  versions: z.array(
    z.object({
      id: z.string(),
      version: z.number().int(),
      submitted_by: z.string(),
      submitted_at: z.string(),
      late: z.boolean(),
    }),
  ),
  content: annualReportContent,
});
export type AnnualReportView = z.infer<typeof annualReportView>;

export const annualReportQuery = z.strictObject({
  /** `draft`: the live draft even after submission; a number: that version. Default: the latest version, else the draft. */
  version: z
    .union([z.literal('draft'), z.coerce.number().int().min(1)])
    .optional()
    .describe('draft, or a version number; default: the latest submitted version, else the draft'),
});

export const annualReportSubmitBody = z.strictObject({
  /** 0 for the first submission; the latest version to correct it (a new version replacing that one). */
  expected_version: z.number().int().min(0),
  /** A note for the ministries; required for a correction (what it corrects and why). */
  comment: z.string().trim().max(2000).default(''),
  idempotency_key: idempotencyKey,
});
export type AnnualReportSubmitBody = z.infer<typeof annualReportSubmitBody>;

export const annualReportListQuery = z.strictObject({
  year: z.coerce.number().int().min(2000, 'must be 2000 or later').max(2999),
});

export const annualReportStatusView = z.object({
  province_code: z.string(),
  province_name: z.string(),
  year: z.number().int(),
  status: z.enum(annualReportStatuses),
  deadline: z.string(),
  late: z.boolean(),
  /** The latest version, if any. */
  version: z.number().int().nullable(),
  report_id: z.string().nullable(),
  submitted_by: z.string().nullable(),
  submitted_at: z.string().nullable(),
});
export const annualReportList = z.object({
  year: z.number().int(),
  deadline: z.string(),
  items: z.array(annualReportStatusView),
});

export const annualExportQuery = annualReportQuery.extend({ format: z.enum(['xlsx', 'pdf', 'csv']) });
