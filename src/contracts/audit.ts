import { z } from 'zod';
import { MAX_PAGE_SIZE } from './common.ts';

export const auditEntry = z.object({
  /** The record number, in the order entries were recorded (not the chain's order). */
  id: z.number().int(),
  /** The place in the chain; null while the entry is pending (recorded, committed, not sealed yet: ADR 0011). */
  seq: z.number().int().nullable(),
  at: z.string(),
  actor_id: z.string(),
  actor_login: z.string(),
  actor_role: z.string(),
  action: z.string(),
  object_type: z.string(),
  object_id: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  request_id: z.string(),
  /** The previous entry's hash and this entry's own (SM3); null while pending. */
  prev_hash: z.string().nullable(),
  hash: z.string().nullable(),
  /** When the sequencer sealed it; null while pending and on entries sealed before 2026-12-07 (at once). */
  sealed_at: z.string().nullable(),
  /** From where: the client address and user agent of the request (null on entries from before 2026-11-29). */
  ip: z.string().nullable(),
  /** The socket's own address: the proxy's when `ip` came from a trusted proxy (null before 2026-12-07). */
  socket_ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** On an official act: when the actor last gave a second factor (step-up); null elsewhere and before 2026-12-07. */
  second_factor_at: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const auditQuery = z.strictObject({
  object_type: z.string().max(50).optional(),
  object_id: z.string().max(100).optional(),
  actor_id: z.string().max(100).optional(),
  actor_login: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  /** Every action starting with this, e.g. `allocation.` */
  action_prefix: z.string().max(100).optional(),
  /** The client address the request came from. */
  ip: z.string().max(100).optional(),
  /** At or after this time (ISO 8601 with offset). */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Before this time (ISO 8601 with offset). */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Keyset paging: entries with a sequence number below this one. */
  before_seq: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});

/** `next_before_seq`: the next page's `before_seq` (pending entries come first, on the first page only). */
export const auditPage = z.object({ items: z.array(auditEntry), next_before_seq: z.number().int().nullable() });

export const auditVerification = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  last_seq: z.number().int(),
  last_hash: z.string(),
  first_break: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
  /**
   * Entries committed but not sealed yet: not part of the chain (nor a break). `stale`: the oldest has waited longer
   * than the sequencer ever should (no server seals: see docs/operations.md).
   */
  pending: z.object({ count: z.number().int(), oldest_at: z.string().nullable(), stale: z.boolean() }),
});
