/**
 * The shapes of the flow, declaration, trace, certificate and anomaly API, inferred from the shared zod
 * contracts. Type-only imports: nothing of zod reaches the browser bundle.
 */
import type { z } from 'zod';
import type {
  anomalyRules,
  anomalyStatuses,
  anomalyView,
  declarationStatus,
  declarationView,
  FlowEventInput,
  FlowKind,
  FlowLine,
  flowEventView,
  RowError,
  SubmissionResult,
} from '../../../contracts/flows.ts';
import type { BatchNodeView, lineageEdge, movementView, traceBack, traceForward } from '../../../contracts/trace.ts';

export type { FlowEventInput, FlowKind, FlowLine, RowError, SubmissionResult };
export type FlowEventView = z.infer<typeof flowEventView>;
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

/** What POST /declarations answers: the new seal. */
export interface SealResult {
  readonly enterprise_id: string;
  readonly period: string;
  readonly version: number;
  readonly events_sm3: string;
  readonly event_count: number;
  readonly late: boolean;
  readonly sealed_by: string;
  readonly sealed_at: string;
}

/*
 * The certificate shapes are declared in the trace routes (src/server/modules/trace/trace.routes.ts) and not
 * exported through src/contracts yet, so they are written out here to match.
 */
interface Party {
  readonly name: string;
  readonly credit_code: string;
}

export interface CertificateContent {
  readonly batch: {
    readonly code: string;
    readonly product: string;
    readonly maker: Party;
    readonly made_at: string;
    readonly mass_kg: number;
    readonly reo_kg: number;
  };
  readonly origins: readonly {
    readonly code: string;
    readonly product: string;
    readonly kind: string;
    readonly maker: Party;
    readonly reo_kg: number;
    readonly share_ppm: number;
  }[];
  readonly declarations: readonly {
    readonly credit_code: string;
    readonly period: string;
    readonly version: number | null;
    readonly events_sm3: string | null;
  }[];
}

export interface Certificate {
  readonly code: string;
  readonly content: CertificateContent;
  readonly content_sm3: string;
  readonly qr_svg: string;
  readonly verify_path: string;
}

export type VerificationStatus = 'verified' | 'not_yet_sealed' | 'altered';

export interface CertificateVerification {
  readonly code: string;
  readonly issued_at: string;
  readonly content: CertificateContent;
  readonly status: VerificationStatus;
  readonly declarations: readonly {
    readonly credit_code: string;
    readonly period: string;
    readonly sealed_version: number | null;
    readonly status: VerificationStatus;
  }[];
}

/** GET /anomalies/{id}: the anomaly with its status history (shape of src/server/modules/checks/checks.routes.ts). */
export interface AnomalyTransition {
  readonly from_status: AnomalyStatus;
  readonly to_status: AnomalyStatus;
  readonly note: string;
  readonly actor: string;
  readonly created_at: string;
}
export type AnomalyDetail = AnomalyView & { readonly transitions: readonly AnomalyTransition[] };

/** POST /checks/runs. */
export interface CheckRunResult {
  readonly period: string;
  readonly anomalies_found: number;
  /** Of those, found for the first time by this run. */
  readonly anomalies_new: number;
  readonly by_rule: Readonly<Record<string, number>>;
}
