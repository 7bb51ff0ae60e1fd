/**
 * The shapes of the flow, declaration, trace, certificate and anomaly API, inferred from the shared zod
 * contracts. Type-only imports: nothing of zod reaches the browser bundle.
 */
import type { z } from 'zod';
import type {
  anomalyDetail,
  anomalyRules,
  anomalyStatuses,
  anomalyView,
  checkRun,
  declarationSeal,
  declarationStatus,
  declarationView,
  FlowEventInput,
  FlowKind,
  FlowLine,
  flowEventView,
  flowPage,
  RowError,
  SubmissionResult,
} from '../../../contracts/flows.ts';
import type {
  BatchNodeView,
  certificate,
  certificateContent,
  certificateVerification,
  lineageEdge,
  movementView,
  traceBack,
  traceForward,
  verificationStatus,
} from '../../../contracts/trace.ts';

export type { FlowEventInput, FlowKind, FlowLine, RowError, SubmissionResult };
export type FlowEventView = z.infer<typeof flowEventView>;
export type FlowPage = z.infer<typeof flowPage>;
export type DeclarationView = z.infer<typeof declarationView>;
export type DeclarationStatus = z.infer<typeof declarationStatus>;
export type DeclarationSeal = DeclarationView['seals'][number];
export type BatchNode = BatchNodeView;
export type LineageEdge = z.infer<typeof lineageEdge>;
export type TraceBack = z.infer<typeof traceBack>;
export type TraceForward = z.infer<typeof traceForward>;
export type Movement = z.infer<typeof movementView>;
export type AnomalyRule = (typeof anomalyRules)[number];
export type AnomalyStatus = (typeof anomalyStatuses)[number];
export type AnomalyView = z.infer<typeof anomalyView>;

/** The kinds, in the order people meet them; typed against the contract so a new kind is noticed here. */
export const flowKindList = [
  'produce',
  'transform',
  'ship',
  'receive',
  'import',
  'export',
  'stock_count',
  'loss',
] as const satisfies readonly FlowKind[];

export const declarationStatusList = [
  'open',
  'due',
  'sealed',
  'late',
  'missing',
] as const satisfies readonly DeclarationStatus[];

export const anomalyRuleList = [
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
] as const satisfies readonly AnomalyRule[];

export const anomalyStatusList = [
  'open',
  'explained',
  'confirmed',
  'closed',
] as const satisfies readonly AnomalyStatus[];

/** Where an anomaly may go from each status (as the checks module allows; the server has the last word). */
export const anomalyNextStatuses: Record<AnomalyStatus, readonly AnomalyStatus[]> = {
  open: ['explained', 'confirmed', 'closed'],
  explained: ['open', 'confirmed', 'closed'],
  confirmed: ['closed'],
  closed: ['open'],
};

export type SealResult = z.infer<typeof declarationSeal>;
export type CertificateContent = z.infer<typeof certificateContent>;
export type Certificate = z.infer<typeof certificate>;
export type CertificateVerification = z.infer<typeof certificateVerification>;
export type VerificationStatus = z.infer<typeof verificationStatus>;
export type AnomalyDetail = z.infer<typeof anomalyDetail>;
export type AnomalyTransition = AnomalyDetail['transitions'][number];
export type CheckRunResult = z.infer<typeof checkRun>;
