import { z } from 'zod';
import { isoDate, pageOf, uuid } from './common.ts';

/** Supervision and enforcement (Arts. 12–16): inspections, evidence, violations, decisions, upward reports. */

export const idempotencyKey = z
  .string()
  .trim()
  .min(8, 'must be at least 8 characters (a client-made unique key)')
  .max(100);
const text = (max: number) => z.string().trim().min(1).max(max);

export const supervisingDepartments = ['industry_it', 'natural_resources'] as const;
export const inspectionStatuses = ['planned', 'visited'] as const;
export const inspectionOutcomes = ['no_violation', 'violation_found', 'obstructed'] as const;
export const decisionKinds = ['correction_order', 'fine', 'suspension', 'referral'] as const;
export const decisionStatuses = ['open', 'complied', 'closed'] as const;

export const legalBasis = z.object({ citation: z.string(), zh: z.string(), en: z.string() });
export const violationTypeView = z.object({ type: z.string(), legal_basis: legalBasis });

/** One risk reason an inspection was planned on, as it stood when planned. */
export const basisItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('anomaly'),
    anomaly_id: uuid,
    rule: z.string(),
    period: z.string(),
    summary: z.string(),
  }),
  z.object({ kind: z.literal('note'), text: z.string() }),
]);
export type BasisItem = z.infer<typeof basisItem>;

export const inspectionCreateBody = z.strictObject({
  enterprise_id: uuid,
  planned_on: isoDate,
  purpose: text(2000),
  /** Anomalies of the enterprise the plan rests on. */
  anomaly_ids: z.array(uuid).max(50).default([]),
  /** Other risk reasons, in words. */
  reasons: z.array(text(1000)).max(20).default([]),
  /** Logins of the officials assigned (industry & IT or natural resources, at or above the domicile). */
  inspectors: z.array(text(100)).min(1).max(10),
  idempotency_key: idempotencyKey,
});
export type InspectionCreateBody = z.infer<typeof inspectionCreateBody>;

export const visitBody = z.strictObject({
  expected_version: z.number().int().min(1),
  visited_on: isoDate,
  findings: text(10_000),
  outcome: z.enum(inspectionOutcomes),
});
export type VisitBody = z.infer<typeof visitBody>;

export const reassignBody = z.strictObject({
  expected_version: z.number().int().min(1),
  /** The officials assigned from now on (the whole list, replacing the old one). */
  inspectors: z.array(text(100)).min(1).max(10),
  note: text(2000),
});
export type ReassignBody = z.infer<typeof reassignBody>;

export const evidenceView = z.object({
  id: uuid,
  inspection_id: uuid,
  file_name: z.string(),
  content_type: z.string(),
  size_bytes: z.number().int(),
  sha256: z.string(),
  sm3: z.string(),
  uploaded_by: z.string(),
  uploaded_at: z.string(),
});
export type EvidenceView = z.infer<typeof evidenceView>;

export const transitionView = z.object({
  from_status: z.string(),
  to_status: z.string(),
  note: z.string(),
  moved_by: z.string(),
  moved_at: z.string(),
});

export const inspectionView = z.object({
  id: uuid,
  enterprise_id: uuid,
  enterprise_name: z.string(),
  division_code: z.string(),
  department: z.enum(supervisingDepartments),
  planned_on: z.string(),
  purpose: z.string(),
  basis: z.array(basisItem),
  inspectors: z.array(z.string()),
  status: z.enum(inspectionStatuses),
  visited_on: z.string().nullable(),
  findings: z.string().nullable(),
  outcome: z.enum(inspectionOutcomes).nullable(),
  version: z.number().int(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type InspectionView = z.infer<typeof inspectionView>;
export const inspectionDetail = inspectionView.extend({
  evidence: z.array(evidenceView),
  transitions: z.array(transitionView),
});

export const inspectionQuery = z.strictObject({
  enterprise_id: uuid.optional(),
  status: z.enum(inspectionStatuses).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(20),
});

export const evidenceQuery = z.strictObject({
  name: z.string().trim().min(1).max(255).describe('the file name, kept with the evidence'),
});

export const violationCreateBody = z.strictObject({
  enterprise_id: uuid,
  inspection_id: uuid.optional(),
  anomaly_id: uuid.optional(),
  /** One of GET /supervision/violation-types; an unknown type has no legal basis and is refused. */
  type: z.string().trim().min(1).max(60),
  description: text(10_000),
  found_on: isoDate,
  idempotency_key: idempotencyKey,
});
export type ViolationCreateBody = z.infer<typeof violationCreateBody>;

export const violationView = z.object({
  id: uuid,
  enterprise_id: uuid,
  enterprise_name: z.string(),
  inspection_id: uuid.nullable(),
  anomaly_id: uuid.nullable(),
  division_code: z.string(),
  department: z.enum(supervisingDepartments),
  type: z.string(),
  legal_basis: legalBasis,
  description: z.string(),
  found_on: z.string(),
  recorded_by: z.string(),
  recorded_at: z.string(),
});
export type ViolationView = z.infer<typeof violationView>;

export const violationQuery = z.strictObject({
  enterprise_id: uuid.optional(),
  type: z.string().max(60).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(20),
});

/** Yuan as decided: a whole, positive number (no fen). */
export const yuan = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const decisionCreateBody = z.strictObject({
  kind: z.enum(decisionKinds),
  document_no: text(100),
  decided_on: isoDate,
  /** A final administrative penalty (a fine or suspension with no appeal pending): counted by Art. 14. */
  final: z.boolean(),
  correction_due_on: isoDate.optional(),
  fine_yuan: yuan.optional(),
  suspension_from: isoDate.optional(),
  suspension_to: isoDate.optional(),
  /** The public security organ a case is referred to (Art. 16). */
  referred_to: text(200).optional(),
  idempotency_key: idempotencyKey,
});
export type DecisionCreateBody = z.infer<typeof decisionCreateBody>;

export const decisionView = z.object({
  id: uuid,
  violation_id: uuid,
  violation_type: z.string(),
  enterprise_id: uuid,
  enterprise_name: z.string(),
  division_code: z.string(),
  department: z.enum(supervisingDepartments),
  kind: z.enum(decisionKinds),
  document_no: z.string(),
  legal_basis: z.string(),
  decided_on: z.string(),
  final: z.boolean(),
  /** The day the penalty became final (Art. 14 counts it in that year's penalties), or null. */
  final_on: z.string().nullable(),
  correction_due_on: z.string().nullable(),
  fine_yuan: z.number().int().nullable(),
  suspension_from: z.string().nullable(),
  suspension_to: z.string().nullable(),
  referred_to: z.string().nullable(),
  status: z.enum(decisionStatuses),
  /** A correction order past its deadline and not complied with. */
  overdue: z.boolean(),
  version: z.number().int(),
  reported_to_code: z.string().nullable(),
  reported_upward_at: z.string().nullable(),
  reported_upward_by: z.string().nullable(),
  /** The date the decision was set aside on reconsideration or by a court (then closed, never final). */
  revoked_on: z.string().nullable(),
  decided_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type DecisionView = z.infer<typeof decisionView>;
export const decisionDetail = decisionView.extend({ transitions: z.array(transitionView) });

export const decisionQuery = z.strictObject({
  enterprise_id: uuid.optional(),
  violation_id: uuid.optional(),
  kind: z.enum(decisionKinds).optional(),
  status: z.enum(decisionStatuses).optional(),
  overdue: z.enum(['true', 'false']).optional().describe('true: only correction orders past their deadline'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(20),
});
export const decisionPage = pageOf(decisionView).extend({
  /** Overdue correction orders among all the caller may see (whatever the filters). */
  overdue_count: z.number().int(),
});

export const decisionTransitionBody = z.strictObject({
  expected_version: z.number().int().min(1),
  status: z.enum(decisionStatuses),
  note: text(2000),
});
export type DecisionTransitionBody = z.infer<typeof decisionTransitionBody>;

export const finalityOutcomes = ['final', 'revoked'] as const;
export const finalityBody = z.strictObject({
  expected_version: z.number().int().min(1),
  /** final: the time for appeal passed or the penalty was upheld; revoked: set aside on appeal. */
  outcome: z.enum(finalityOutcomes),
  /** Taking effect on this date (Beijing): the day the penalty became final or was set aside. */
  effective_on: isoDate,
  note: text(2000),
});
export type FinalityBody = z.infer<typeof finalityBody>;

export const reportUpwardBody = z.strictObject({ expected_version: z.number().int().min(1) });

export const reportedQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(20),
});
