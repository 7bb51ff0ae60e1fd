import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { EpcisTables } from './schema-epcis.ts';
import type { OversightTables } from './schema-oversight.ts';
import type { ReportingTables } from './schema-reporting.ts';
import type { SupervisionTables } from './schema-supervision.ts';

/** bigint columns arrive from `pg` as strings on both engines; quantities are converted with `toKg`. */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in when it is not given. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateOnly = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string, string>;

export interface DivisionTable {
  code: string;
  name: string;
  level: 'province' | 'prefecture' | 'county';
  parent_code: string | null;
}

export interface AuthorityTable {
  id: string;
  department: 'industry_it' | 'natural_resources' | 'development_reform';
  division_code: string | null;
  name: string;
}

export interface EnterpriseGroupTable {
  id: string;
  name: string;
}

export interface LicenceRecord {
  kind: 'mining' | 'safety' | 'discharge';
  number: string;
  valid_from: string;
  valid_to: string;
}

export interface SecurityProfileRecord {
  responsible_person: string;
  protection_level: number;
  last_assessment_on: string | null;
}

export interface EnterpriseTable {
  id: Generated<string>;
  credit_code: string;
  name: string;
  kind: 'mining' | 'separation' | 'both';
  domicile_code: string;
  group_id: string | null;
  mining_capacity_reo_kg_per_year: Int8;
  separation_capacity_reo_kg_per_year: Int8;
  technical_score: number;
  environment_score: number;
  safety_score: number;
  licences: Json<LicenceRecord[]>;
  security_profile: Json<SecurityProfileRecord>;
  version: Generated<number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface DesignationTable {
  id: Generated<string>;
  enterprise_id: string;
  scope: 'mining' | 'separation';
  document_no: string;
  effective_on: DateOnly;
  revoked_on: DateOnly | null;
  revocation_document_no: string | null;
  revocation_reason: string | null;
  created_at: DefaultTimestamp;
}

export interface ProductTable {
  code: string;
  name_zh: string;
  name_en: string;
  category: 'mineral' | 'separated';
  form: 'ore' | 'concentrate' | 'leachate' | 'carbonate' | 'oxide' | 'salt' | 'metal' | 'other';
  ore_type: 'rock' | 'ion_adsorption' | 'mixed' | 'imported' | 'monazite' | null;
  conversion: 'assay' | 'factor';
  reo_factor_ppm: number | null;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface RegistryRevisionTable {
  id: Generated<Int8>;
  entity: 'enterprise' | 'designation' | 'product';
  entity_id: string;
  version: number;
  data: Json<unknown>;
  changed_by: string;
  changed_at: DefaultTimestamp;
}

export type Role = 'ministry_official' | 'department_official' | 'enterprise_user' | 'oversight' | 'operator';

export interface AppUserTable {
  id: Generated<string>;
  login: string;
  display_name: string;
  password_hash: string;
  role: Role;
  authority_id: string | null;
  enterprise_id: string | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  active: Generated<boolean>;
  /** Two people for privileged accounts: a proposed account signs in only once approved. */
  grant_status: Generated<GrantStatus>;
  created_at: DefaultTimestamp;
  /** The authenticator's secret, sealed with SM4 (migration 0023); null when none is enrolled. */
  totp_secret_sealed: string | null;
  totp_enrolled_at: Timestamp | null;
  /** The time step of the last code accepted: a code is accepted once. */
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  /** A secret being enrolled, until a code from it confirms it. */
  totp_pending_sealed: string | null;
  /** Wrong codes in a row, across sessions and addresses, and until when codes are refused unchecked. */
  totp_failures: ColumnType<number, number | undefined, number>;
  totp_blocked_until: Timestamp | null;
  password_changed_at: DefaultTimestamp;
}

export interface RecoveryCodeTable {
  user_id: string;
  code_hash: string;
  created_at: DefaultTimestamp;
  used_at: Timestamp | null;
}

export interface PasswordHistoryTable {
  user_id: string;
  password_hash: string;
  set_at: DefaultTimestamp;
}

export type GrantStatus = 'pending' | 'approved' | 'refused';
/** The roles granted only by two people: the operator proposes, an official of the approving authority decides. */
export type PrivilegedRole = 'ministry_official' | 'department_official' | 'oversight';

export interface AccountGrantTable {
  id: Generated<string>;
  user_id: string;
  kind: 'create' | 'change' | 'second_factor_reset';
  role: PrivilegedRole;
  authority_id: string | null;
  previous_role: Role | null;
  previous_authority_id: string | null;
  previous_enterprise_id: string | null;
  approver_role: PrivilegedRole;
  approver_authority_id: string | null;
  proposed_by: string;
  proposed_at: DefaultTimestamp;
  status: Generated<GrantStatus>;
  decided_by: string | null;
  decided_at: Timestamp | null;
  reason: string | null;
}

export interface UserSessionTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  /** The notice of failed sign-ins the session was opened with (migration 0016). */
  failed_sign_ins: ColumnType<unknown, string | null | undefined, never>;
  /** Migration 0023: shown to the user by this id (the cookie's hash stays the key). */
  id: Generated<string>;
  stage: ColumnType<SessionStage, SessionStage | undefined, SessionStage>;
  second_factor_at: Timestamp | null;
  second_factor_failures: ColumnType<number, number | undefined, number>;
  last_seen_at: DefaultTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export type SessionStage = 'full' | 'second_factor' | 'enrol' | 'password_change';

/** Failed sign-ins by login tried and client address (migration 0016): the throttle and the notice. */
export interface LoginThrottleTable {
  login: string;
  ip: string;
  failures: ColumnType<number, number | undefined, number>;
  blocked_until: Timestamp | null;
  unreported: ColumnType<number, number | undefined, number>;
  last_failed_at: Timestamp;
}

export interface ApiTokenTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  token_hash: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface IdempotencyRecordTable {
  user_id: string;
  key: string;
  operation: string;
  request_hash: string;
  status_code: number;
  response: Json<unknown>;
  created_at: DefaultTimestamp;
}

/** Set once, when the sequencer seals a pending entry (migration 0020); null while the entry is pending. */
type SealColumn = ColumnType<string | null, null | undefined, string>;

export interface AuditEntryTable {
  /** The record number, in the order entries were recorded (not the chain's order; migration 0020). */
  id: Generated<string>;
  /** The chain's sequence: null while pending. */
  seq: ColumnType<string | null, null | undefined, string | number>;
  at: Timestamp;
  actor_id: string;
  actor_login: string;
  actor_role: string;
  action: string;
  object_type: string;
  object_id: string;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
  request_id: string;
  prev_hash: SealColumn;
  hash: SealColumn;
  /** When the sequencer sealed it; null while pending and on entries sealed before migration 0020. */
  sealed_at: ColumnType<Date | null, null | undefined, Date | string>;
  /** Where the request came from (migration 0007); null on older entries and on the system's own. */
  ip: ColumnType<string | null, string | null | undefined, never>;
  user_agent: ColumnType<string | null, string | null | undefined, never>;
  /** The socket's own address (migration 0013): the proxy's behind a trusted proxy; null on older entries. */
  socket_ip: ColumnType<string | null, string | null | undefined, never>;
  /** When the actor last gave a second factor, on an official act (migration 0023); null elsewhere. */
  second_factor_at: ColumnType<string | null, string | null | undefined, never>;
}

export type CategoryCode =
  | 'mining_rock'
  | 'mining_ion_adsorption'
  | 'separation'
  | 'separation_domestic'
  | 'separation_imported'
  | 'separation_monazite';

export interface IndicatorPlanTable {
  id: Generated<string>;
  year: number;
  memo: Json<Record<string, string>>;
  weights: Json<{ capacity: number; technical: number; environment: number; safety: number }>;
  penalty_reduction_ppm: number;
  sub_allocation_working_days: Generated<number>;
  created_by: string;
  created_at: DefaultTimestamp;
}

export type BatchStatus = 'draft' | 'cosigned' | 'submitted' | 'approved' | 'allocated' | 'issued';

export interface IndicatorBatchTable {
  id: Generated<string>;
  plan_id: string;
  seq: number;
  name: string;
  kind: 'regular' | 'reserve';
  status: BatchStatus;
  drafted_by: string;
  submitted_by: string | null;
  submitted_at: Timestamp | null;
  approval_document_no: string | null;
  approval_date: DateOnly | null;
  approval_recorded_by: string | null;
  version: Generated<number>;
  created_at: DefaultTimestamp;
}

export interface BatchCategoryTotalTable {
  batch_id: string;
  category: CategoryCode;
  total_reo_kg: Int8;
}

export interface BatchCosignTable {
  batch_id: string;
  authority_id: 'MNR' | 'NDRC';
  user_id: string;
  signed_at: DefaultTimestamp;
}

export interface AllocationRunTable {
  id: Generated<string>;
  batch_id: string;
  category: CategoryCode;
  level: 'national' | 'group';
  group_id: string | null;
  mode: 'engine' | 'manual';
  status: 'proposed' | 'approved' | 'issued' | 'withdrawn';
  total_reo_kg: Int8;
  input: Json<unknown>;
  created_by: string;
  created_at: DefaultTimestamp;
  approved_by: string | null;
  approved_at: Timestamp | null;
  issued_at: Timestamp | null;
  due_on: DateOnly | null;
  /** Why the shares differ from the engine's result on the plan's parameters (required then; migration 0010). */
  reason: string | null;
}

export interface AllocationShareTable {
  run_id: string;
  holder_kind: 'group' | 'enterprise';
  holder_id: string;
  reo_kg: Int8;
  explanation: Json<unknown>;
}

export type LedgerAccountKind = 'approved' | 'national_pool' | 'group' | 'enterprise' | 'consumed' | 'reduced';

export interface LedgerAccountTable {
  id: Generated<Int8>;
  kind: LedgerAccountKind;
  holder_id: string;
  year: number;
  category: string;
  enterprise_id: string | null;
}

export type LedgerEntryKind = 'approve' | 'issue' | 'adjust' | 'reduce' | 'consume' | 'reverse';

export interface LedgerEntryTable {
  id: Generated<Int8>;
  idempotency_key: string;
  kind: LedgerEntryKind;
  year: number;
  category: string;
  debit_account_id: Int8;
  credit_account_id: Int8;
  reo_kg: Int8;
  reference: string;
  reverses_entry_id: Int8 | null;
  memo: Generated<string>;
  over_balance: Generated<boolean>;
  enterprise_id: string | null;
  created_by: string;
  created_at: DefaultTimestamp;
}

export interface NoticeTable {
  id: Generated<string>;
  run_id: string;
  recipient_kind: 'enterprise' | 'authority';
  recipient_id: string;
  forwarded_from: string | null;
  title: string;
  body: Json<unknown>;
  sent_at: DefaultTimestamp;
  read_at: Timestamp | null;
  read_by: string | null;
}

export interface SchemaMigrationTable {
  name: string;
  applied_at: DefaultTimestamp;
}

export type FlowSource = 'api' | 'file' | 'epcis' | 'cli';
export type FlowKindName = 'produce' | 'transform' | 'ship' | 'receive' | 'import' | 'export' | 'stock_count' | 'loss';

export interface FlowSubmissionTable {
  id: Generated<string>;
  enterprise_id: string;
  source: FlowSource;
  content_sm3: string;
  file_name: string | null;
  event_count: number;
  result: Json<unknown>;
  /** `{ period, on_error }` as submitted; null for submissions stored before they were kept. */
  parameters: ColumnType<unknown, string | undefined, never>;
  created_by: string;
  created_at: DefaultTimestamp;
}

export interface FlowBatchTable {
  id: Generated<Int8>;
  maker_id: string;
  code: string;
  product_code: string;
  origin_kind: 'mine' | 'import' | 'transform';
  made_by_event: string;
  made_at: Timestamp;
  mass_kg: Int8;
  reo_kg: Int8;
}

export interface FlowLineTable {
  enterprise_id: string;
  event_id: string;
  line_no: number;
  submission_id: string;
  kind: FlowKindName;
  direction: number;
  event_time: Timestamp;
  time_offset: string;
  period: DateOnly;
  batch_id: Int8;
  product_code: string;
  mass_kg: Int8;
  grade_ppm: number | null;
  reo_kg: Int8;
  counterparty_id: string | null;
  counterparty_name: string | null;
  country: string | null;
  invoice_no: string | null;
  waybill_no: string | null;
  customs_no: string | null;
  amends: string[] | null;
  reason: string | null;
  content_sm3: string;
}

/** What the live lines of an enterprise-month add up to per product, kind and direction (migration 0018). */
export interface FlowSummaryTable {
  enterprise_id: string;
  period: string;
  product_code: string;
  kind: FlowKindName;
  direction: number;
  /** A transform output's event inputs (sorted product codes); empty otherwise. */
  inputs: string[];
  line_count: Int8;
  mass_kg: Int8;
  reo_kg: Int8;
  superseded_lines: Int8;
}

export interface FlowSupersededTable {
  enterprise_id: string;
  event_id: string;
  by_event_id: string;
  reason: string;
  created_at: DefaultTimestamp;
}

export interface BatchEdgeTable {
  child_id: Int8;
  parent_id: Int8;
  reo_kg: Int8;
}

export interface BatchOriginTable {
  batch_id: Int8;
  origin_id: Int8;
  reo_kg: Int8;
}

export interface BatchHoldingTable {
  batch_id: Int8;
  enterprise_id: string;
  mass_kg: Int8;
  reo_kg: Int8;
}

export interface DeclarationTable {
  id: Generated<string>;
  enterprise_id: string;
  period: DateOnly;
  version: number;
  events_sm3: string;
  event_count: number;
  late: boolean;
  sealed_by: string;
  sealed_at: DefaultTimestamp;
}

export type AnomalyStatus = 'open' | 'explained' | 'confirmed' | 'closed';
export interface AnomalyTable {
  id: Generated<string>;
  key: string;
  rule: string;
  enterprise_id: string;
  period: DateOnly;
  product_code: string | null;
  summary: string;
  details: Json<Record<string, unknown>>;
  evidence: Json<{ enterprise_id: string; event_id: string }[]>;
  status: ColumnType<AnomalyStatus, AnomalyStatus | undefined, AnomalyStatus>;
  version: ColumnType<number, number | undefined, number>;
  detected_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface AnomalyTransitionTable {
  id: Generated<Int8>;
  anomaly_id: string;
  from_status: AnomalyStatus;
  to_status: AnomalyStatus;
  note: string;
  actor: string;
  created_at: DefaultTimestamp;
}

export interface CertificateTable {
  code: string;
  batch_id: Int8;
  content: Json<unknown>;
  content_sm3: string;
  issued_by: string;
  issued_at: DefaultTimestamp;
}

export interface Database extends EpcisTables, ReportingTables, SupervisionTables, OversightTables {
  division: DivisionTable;
  authority: AuthorityTable;
  enterprise_group: EnterpriseGroupTable;
  enterprise: EnterpriseTable;
  designation: DesignationTable;
  product: ProductTable;
  registry_revision: RegistryRevisionTable;
  app_user: AppUserTable;
  account_grant: AccountGrantTable;
  user_session: UserSessionTable;
  recovery_code: RecoveryCodeTable;
  password_history: PasswordHistoryTable;
  login_throttle: LoginThrottleTable;
  api_token: ApiTokenTable;
  idempotency_record: IdempotencyRecordTable;
  audit_entry: AuditEntryTable;
  schema_migration: SchemaMigrationTable;
  indicator_plan: IndicatorPlanTable;
  indicator_batch: IndicatorBatchTable;
  batch_category_total: BatchCategoryTotalTable;
  batch_cosign: BatchCosignTable;
  allocation_run: AllocationRunTable;
  allocation_share: AllocationShareTable;
  ledger_account: LedgerAccountTable;
  ledger_entry: LedgerEntryTable;
  notice: NoticeTable;
  flow_submission: FlowSubmissionTable;
  flow_batch: FlowBatchTable;
  flow_line: FlowLineTable;
  flow_superseded: FlowSupersededTable;
  flow_summary: FlowSummaryTable;
  batch_edge: BatchEdgeTable;
  batch_origin: BatchOriginTable;
  batch_holding: BatchHoldingTable;
  declaration: DeclarationTable;
  anomaly: AnomalyTable;
  anomaly_transition: AnomalyTransitionTable;
  certificate: CertificateTable;
}

export type EnterpriseRow = Selectable<EnterpriseTable>;
export type DesignationRow = Selectable<DesignationTable>;
export type ProductRow = Selectable<ProductTable>;
export type DivisionRow = Selectable<DivisionTable>;
export type AuthorityRow = Selectable<AuthorityTable>;
export type AppUserRow = Selectable<AppUserTable>;
export type AuditEntryRow = Selectable<AuditEntryTable>;
export type NewAuditEntry = Insertable<AuditEntryTable>;
