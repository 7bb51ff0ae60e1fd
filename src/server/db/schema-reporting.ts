import type { ColumnType } from 'kysely';
import type { AbsentChild, ReportLine, TotalLine } from '../../contracts/reporting.ts';

/** The implementation-report tables (module reporting), merged into `Database` in schema.ts. */

type Identity = ColumnType<string, never, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateOnly = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string, string>;
type PeriodKind = 'month' | 'year';

export interface ReportDeadlineRuleTable {
  id: Identity;
  level: 'enterprise' | 'county' | 'prefecture' | 'province';
  period_kind: PeriodKind;
  month_offset: number;
  day: number;
  unit: 'calendar_day' | 'working_day';
  set_by: string;
  set_at: DefaultTimestamp;
}

export interface SigningKeyTable {
  owner: string;
  public_key_pem: string;
  private_key_sealed: string;
  created_at: DefaultTimestamp;
}

export interface ReportTable {
  id: ColumnType<string, string | undefined, never>;
  enterprise_id: string;
  domicile_code: string;
  period_kind: PeriodKind;
  period: DateOnly;
  version: number;
  replaces_id: string | null;
  idempotency_key: string;
  lines: Json<ReportLine[]>;
  late: boolean;
  content_sm3: string;
  signature: string;
  signer: string;
  submitted_by: string;
  submitted_at: Timestamp;
}

/** A compiled child: an enterprise report or a lower compilation, with its figures as compiled. */
export interface CompiledChildRecord {
  kind: 'report' | 'compilation';
  id: string;
  version: number;
  code: string;
  name: string;
  late: boolean;
  lines: TotalLine[];
}

export interface CompilationTable {
  id: ColumnType<string, string | undefined, never>;
  division_code: string;
  level: 'county' | 'prefecture' | 'province' | 'nation';
  period_kind: PeriodKind;
  period: DateOnly;
  version: number;
  replaces_id: string | null;
  idempotency_key: string;
  totals: Json<TotalLine[]>;
  children: Json<CompiledChildRecord[]>;
  absent: Json<AbsentChild[]>;
  content_sm3: string;
  signature: string;
  signer: string;
  compiled_by: string;
  compiled_at: Timestamp;
}

export interface CompilationForwardTable {
  compilation_id: string;
  late: boolean;
  forwarded_by: string;
  forwarded_at: Timestamp;
}

export interface ReportReturnTable {
  id: Identity;
  subject_type: 'report' | 'compilation';
  subject_id: string;
  reason: string;
  returned_by: string;
  returned_at: Timestamp;
}

export interface ReportReminderTable {
  id: Identity;
  target_type: 'enterprise' | 'division';
  target_code: string;
  period_kind: PeriodKind;
  period: DateOnly;
  sent_on: DateOnly;
  message: string;
  sent_by: string;
  sent_at: Timestamp;
}

export interface ReportingTables {
  report_deadline_rule: ReportDeadlineRuleTable;
  signing_key: SigningKeyTable;
  report: ReportTable;
  compilation: CompilationTable;
  compilation_forward: CompilationForwardTable;
  report_return: ReportReturnTable;
  report_reminder: ReportReminderTable;
}
