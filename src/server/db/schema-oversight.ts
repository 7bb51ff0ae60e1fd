import type { ColumnType } from 'kysely';
import type { OversightRuleName } from '../../contracts/oversight.ts';

/** The oversight tables (module oversight, Art. 15), merged into `Database` in schema.ts. */

type Identity = ColumnType<string, never, never>;
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type SecurityEventKind = 'denied' | 'export' | 'auth';

export interface SecurityEventTable {
  id: Identity;
  kind: SecurityEventKind;
  at: DefaultTimestamp;
  actor_id: string | null;
  actor_login: string | null;
  method: string;
  route: string;
  url: string;
  status: number;
  code: ColumnType<string, string | undefined, never>;
  ip: string;
  user_agent: ColumnType<string, string | undefined, never>;
  request_id: string;
  bytes: Int8 | null;
  /** The socket's own address (migration 0013): the proxy's behind a trusted proxy; null on older rows. */
  socket_ip: ColumnType<string | null, string | null | undefined, never>;
}

export interface OversightThresholdTable {
  name: string;
  value: number;
  version: ColumnType<number, number | undefined, number>;
  updated_by: ColumnType<string, string | undefined, string>;
  updated_at: DefaultTimestamp;
}

export interface OversightAlertTable {
  id: ColumnType<string, string | undefined, never>;
  key: string;
  rule: OversightRuleName;
  subject_type: string;
  subject_id: string;
  actor_id: string | null;
  summary: string;
  evidence: Json<Record<string, unknown>>;
  occurred_at: Timestamp;
  detected_at: DefaultTimestamp;
  status: ColumnType<'open' | 'acknowledged', 'open' | 'acknowledged' | undefined, 'open' | 'acknowledged'>;
  version: ColumnType<number, number | undefined, number>;
  acknowledged_by: string | null;
  acknowledged_at: Timestamp | null;
  note: string | null;
}

export interface OversightTables {
  security_event: SecurityEventTable;
  oversight_threshold: OversightThresholdTable;
  oversight_alert: OversightAlertTable;
}
