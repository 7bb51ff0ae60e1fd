import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The fields of an audit entry that its hash covers: all of them but the hash itself. `ip` and `user_agent`
 * (where the request came from) and `socket_ip` (the socket's own address, recorded since
 * migration 0013) are covered when present; entries written before they were recorded have
 * neither, and canonical JSON leaves absent members out, so those entries hash as they always did.
 */
export interface AuditFields {
  readonly seq: number;
  readonly at: string;
  readonly actor_id: string;
  readonly actor_login: string;
  readonly actor_role: string;
  readonly action: string;
  readonly object_type: string;
  readonly object_id: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly request_id: string;
  readonly prev_hash: string;
  readonly ip?: string;
  readonly socket_ip?: string;
  readonly user_agent?: string;
}

/** SM3 over the canonical JSON of every field, the previous entry's hash included: a chain. */
export function hashAuditEntry(fields: AuditFields): string {
  return sm3Hex(canonicalJson(fields));
}

export type ChainBreak = { readonly seq: number; readonly reason: string };

/**
 * Checks one entry against the one before it (or the genesis). Returns why it breaks the chain, or null.
 * The caller feeds entries in sequence order.
 */
export function checkLink(
  entry: AuditFields & { readonly hash: string },
  previous: { readonly seq: number; readonly hash: string } | null,
): ChainBreak | null {
  const expectedSeq = previous ? previous.seq + 1 : 1;
  if (entry.seq !== expectedSeq) {
    return { seq: entry.seq, reason: `sequence gap: expected ${expectedSeq}, found ${entry.seq}` };
  }
  const expectedPrev = previous ? previous.hash : GENESIS_HASH;
  if (entry.prev_hash !== expectedPrev) {
    return { seq: entry.seq, reason: 'prev_hash does not match the hash of the entry before it' };
  }
  const { hash, ...fields } = entry;
  if (hashAuditEntry(fields) !== hash) {
    return { seq: entry.seq, reason: 'content does not match its hash (the row was changed after it was written)' };
  }
  return null;
}
