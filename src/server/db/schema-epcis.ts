import type { ColumnType } from 'kysely';

/** The EPCIS repository's tables (module epcis), merged into `Database` in schema.ts. */

/** A bigint the database numbers (GENERATED ALWAYS): read as a string, never written. */
type Identity = ColumnType<string, never, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** One problem of a capture job, in the REST binding's RFC 7807 form, with where it was found. */
export type CaptureProblem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** 0-based position of the event in the document's eventList, when the problem is one event's. */
  eventIndex?: number;
  eventID?: string;
  field?: string;
};

/** What a finished capture did: events received, newly stored, already there, refused; and the flows made. */
export interface CaptureSummary {
  events: number;
  stored: number;
  unchanged: number;
  rejected: number;
  flows: { submissionID: string; accepted: number; unchanged: number; rejected: number; replayed: boolean } | null;
}

export interface EpcisCaptureTable {
  id: string;
  /** Creation order, for keyset paging of the job list. */
  seq: Identity;
  enterprise_id: string;
  created_by: string;
  error_behaviour: 'rollback' | 'proceed';
  running: boolean;
  success: boolean;
  event_count: number;
  errors: Json<CaptureProblem[]>;
  summary: Json<CaptureSummary> | null;
  created_at: DefaultTimestamp;
  finished_at: Timestamp | null;
}

export interface EpcisEventTable {
  id: Identity;
  enterprise_id: string;
  event_id: string;
  capture_id: string;
  event_type: string;
  /** ISO text with its offset, as captured, when written; a Date when read. */
  event_time: Timestamp;
  record_time: DefaultTimestamp;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  epcs: string[];
  other_epcs: string[];
  epc_classes: string[];
  other_epc_classes: string[];
  content_sm3: string;
  document: Json<Record<string, unknown>>;
  context: Json<unknown[]>;
}

export interface EpcisTables {
  epcis_capture: EpcisCaptureTable;
  epcis_event: EpcisEventTable;
}
