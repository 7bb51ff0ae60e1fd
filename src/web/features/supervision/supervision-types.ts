/**
 * The shapes of the supervision API (Arts. 12–16), inferred from the shared zod contracts. Type-only imports:
 * nothing of zod reaches the browser bundle.
 */
import type { z } from 'zod';
import type {
  BasisItem,
  DecisionCreateBody,
  decisionDetail,
  decisionKinds,
  decisionPage,
  decisionStatuses,
  DecisionTransitionBody,
  DecisionView,
  EvidenceView,
  inspectionDetail,
  InspectionCreateBody,
  inspectionOutcomes,
  inspectionStatuses,
  InspectionView,
  transitionView,
  ViolationCreateBody,
  violationTypeView,
  ViolationView,
  VisitBody,
} from '../../../contracts/supervision.ts';

export type {
  BasisItem,
  DecisionCreateBody,
  DecisionTransitionBody,
  DecisionView,
  EvidenceView,
  InspectionCreateBody,
  InspectionView,
  ViolationCreateBody,
  ViolationView,
  VisitBody,
};
export type InspectionDetail = z.infer<typeof inspectionDetail>;
export type DecisionDetail = z.infer<typeof decisionDetail>;
export type DecisionPage = z.infer<typeof decisionPage>;
export type TransitionView = z.infer<typeof transitionView>;
export type ViolationTypeView = z.infer<typeof violationTypeView>;
export type InspectionStatus = (typeof inspectionStatuses)[number];
export type InspectionOutcome = (typeof inspectionOutcomes)[number];
export type DecisionKind = (typeof decisionKinds)[number];
export type DecisionStatus = (typeof decisionStatuses)[number];

/** Repeated from the contract (typed against it) so no zod code enters the bundle. */
export const inspectionStatusList = ['planned', 'visited'] as const satisfies readonly InspectionStatus[];
export const inspectionOutcomeList = [
  'no_violation',
  'violation_found',
  'obstructed',
] as const satisfies readonly InspectionOutcome[];
export const decisionKindList = [
  'correction_order',
  'fine',
  'suspension',
  'referral',
] as const satisfies readonly DecisionKind[];
export const decisionStatusList = ['open', 'complied', 'closed'] as const satisfies readonly DecisionStatus[];

/** Where a decision may go from each status (as the server's rules allow; the server has the last word). */
export const decisionMoves: Record<DecisionStatus, readonly DecisionStatus[]> = {
  open: ['complied', 'closed'],
  complied: ['closed', 'open'],
  closed: [],
};

/** Only fines and suspensions are administrative penalties, and only they may be final (Art. 14). */
export function mayBeFinal(kind: DecisionKind): boolean {
  return kind === 'fine' || kind === 'suspension';
}

/** The most an evidence file may weigh (the server's limit, docs/supervision.md). */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

/** A client-made idempotency key for one form: a retry sends the same, any answer starts a new one. */
export function newIdempotencyKey(tag: string): string {
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return `web-${tag}-${random}`;
}
