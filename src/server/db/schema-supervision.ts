import type { ColumnType } from 'kysely';
import type { AnnualReportContent } from '../../contracts/supervision-annual.ts';
import type { BasisItem } from '../../contracts/supervision.ts';
import type { RiskWeights } from '../../contracts/supervision-risk.ts';

/** The supervision tables (module supervision, Arts. 12–16), merged into `Database` in schema.ts. */

type Identity = ColumnType<string, never, never>;
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DefaultId = ColumnType<string, string | undefined, never>;
type DateOnly = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string, string>;

export type SupervisingDepartment = 'industry_it' | 'natural_resources';
export type InspectionStatus = 'planned' | 'visited';
export type InspectionOutcome = 'no_violation' | 'violation_found' | 'obstructed';
export type DecisionKind = 'correction_order' | 'fine' | 'suspension' | 'referral';
export type DecisionStatus = 'open' | 'complied' | 'closed';

export interface InspectionTable {
  id: DefaultId;
  enterprise_id: string;
  division_code: string;
  department: SupervisingDepartment;
  planned_on: DateOnly;
  purpose: string;
  basis: Json<BasisItem[]>;
  inspectors: string[];
  status: InspectionStatus;
  visited_on: DateOnly | null;
  findings: string | null;
  outcome: InspectionOutcome | null;
  version: ColumnType<number, number | undefined, number>;
  idempotency_key: string;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface EvidenceContentTable {
  sm3: string;
  sha256: string;
  content_type: string;
  size_bytes: number;
  content: ColumnType<Uint8Array, Buffer, never>;
  stored_at: DefaultTimestamp;
}

export interface EvidenceFileTable {
  id: DefaultId;
  inspection_id: string;
  content_sm3: string;
  file_name: string;
  uploaded_by: string;
  uploaded_at: DefaultTimestamp;
}

export interface ViolationTable {
  id: DefaultId;
  enterprise_id: string;
  inspection_id: string | null;
  anomaly_id: string | null;
  division_code: string;
  department: SupervisingDepartment;
  type: string;
  legal_basis: string;
  description: string;
  found_on: DateOnly;
  idempotency_key: string;
  recorded_by: string;
  recorded_at: DefaultTimestamp;
}

export interface DecisionTable {
  id: DefaultId;
  violation_id: string;
  enterprise_id: string;
  division_code: string;
  department: SupervisingDepartment;
  kind: DecisionKind;
  document_no: string;
  legal_basis: string;
  decided_on: DateOnly;
  final: boolean;
  correction_due_on: DateOnly | null;
  fine_yuan: Int8 | null;
  suspension_from: DateOnly | null;
  suspension_to: DateOnly | null;
  referred_to: string | null;
  status: DecisionStatus;
  version: ColumnType<number, number | undefined, number>;
  reported_to_code: string | null;
  reported_upward_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  reported_upward_by: string | null;
  /** The date the penalty became final (the decision's own date when final when made): Art. 14 counts by it. */
  final_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set aside on reconsideration or by a court: the decision is closed and never final. */
  revoked_on: ColumnType<string | null, string | null | undefined, string | null>;
  idempotency_key: string;
  decided_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SupervisionTransitionTable {
  id: Identity;
  subject_type: 'inspection' | 'decision';
  subject_id: string;
  from_status: string;
  to_status: string;
  note: string;
  moved_by: string;
  moved_at: DefaultTimestamp;
}

/** A submitted version of a province's annual supervision report (Art. 12 ¶3): frozen, signed, append-only. */
export interface SupervisionAnnualReportTable {
  id: DefaultId;
  province_code: string;
  year: number;
  version: number;
  replaces_id: string | null;
  content: Json<AnnualReportContent>;
  content_sm3: string;
  signature: string;
  signer: string;
  comment: string;
  deadline: ColumnType<Date, Date, never>;
  late: boolean;
  department: SupervisingDepartment;
  submitted_by: string;
  submitted_at: ColumnType<Date, Date, never>;
  idempotency_key: string;
}

export interface RiskWeightTable {
  id: Identity;
  division_code: string;
  version: number;
  weights: Json<RiskWeights>;
  note: ColumnType<string, string | undefined, never>;
  set_by: string;
  set_at: DefaultTimestamp;
}

export interface SupervisionTables {
  inspection: InspectionTable;
  evidence_content: EvidenceContentTable;
  evidence_file: EvidenceFileTable;
  violation: ViolationTable;
  decision: DecisionTable;
  supervision_transition: SupervisionTransitionTable;
  risk_weight: RiskWeightTable;
  supervision_annual_report: SupervisionAnnualReportTable;
}
