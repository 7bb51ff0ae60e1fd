import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';
import { verifyText } from '../../shared/signing.ts';

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
  /** On an official act (migration 0023): when the actor last gave a second factor. Absent elsewhere. */
  readonly second_factor_at?: string;
}

/** SM3 over the canonical JSON of every field, the previous entry's hash included: a chain. */
export function hashAuditEntry(fields: AuditFields): string {
  return sm3Hex(canonicalJson(fields));
}

/** A recorded entry before it is sealed (ADR 0011): every hashed field but the sequence and the link. */
export type PendingFields = Omit<AuditFields, 'seq' | 'prev_hash'>;

/** What sealing sets on a pending entry. */
export interface Seal {
  readonly seq: number;
  readonly prev_hash: string;
  readonly hash: string;
}

/**
 * Chains pending entries, in the order given, onto the chain's tail (null: an empty chain, the genesis): each gets
 * the next sequence, the previous entry's hash and its own hash. The sequencer gives them in record order.
 */
export function sealInOrder(
  tail: { readonly seq: number; readonly hash: string } | null,
  pending: readonly PendingFields[],
): Seal[] {
  let seq = tail?.seq ?? 0;
  let prev = tail?.hash ?? GENESIS_HASH;
  return pending.map((fields) => {
    seq += 1;
    const seal = { seq, prev_hash: prev, hash: hashAuditEntry({ ...fields, seq, prev_hash: prev }) };
    prev = seal.hash;
    return seal;
  });
}

/**
 * A committed entry still pending after this long is a finding (not a break): the sequencer seals within about a
 * second, so it means no server is sealing (none running, or sealing fails — see the server log).
 */
export const PENDING_STALE_SECONDS = 60;

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

/* ------------------------------------------------------------------------------------------------------------
 * Anchors: the chain's head (sequence, hash, time, entry count) signed with the server's SM2 audit key and kept
 * outside the database. A chain shorter than an anchor says, or holding another hash at an anchored sequence,
 * has lost or rewritten entries — which the chain alone cannot show once its tail is cut.
 * ---------------------------------------------------------------------------------------------------------- */

/** The owner of the server's audit signing key among the SM2 keys (beside the enterprises' and divisions'). */
export const AUDIT_KEY_OWNER = 'server/audit';
export const ANCHOR_KIND = 'monazite.audit.anchor';

/** What an anchor states, all of it covered by the signature. */
export interface AnchorContent {
  readonly kind: typeof ANCHOR_KIND;
  readonly version: 1;
  /** The head: the newest entry's sequence and hash, and when it was written. */
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  /** How many entries the chain held (the sequence when none is missing). */
  readonly entries: number;
  /** When the anchor was made. */
  readonly anchored_at: string;
  readonly key_owner: string;
  /** SM3 of the signing public key's PEM: which key signed. */
  readonly key_sm3: string;
}

export interface AuditAnchor extends AnchorContent {
  /** SM2-with-SM3 over the canonical JSON of the content, DER, base64. */
  readonly signature: string;
}

/** The text an anchor's signature covers: the canonical JSON of every member but the signature. */
export function anchorSignedText(anchor: AnchorContent): string {
  const content: AnchorContent = {
    kind: anchor.kind,
    version: anchor.version,
    seq: anchor.seq,
    hash: anchor.hash,
    at: anchor.at,
    entries: anchor.entries,
    anchored_at: anchor.anchored_at,
    key_owner: anchor.key_owner,
    key_sm3: anchor.key_sm3,
  };
  return canonicalJson(content);
}

/** One line of an anchor log: the anchor as canonical JSON (one line, no white space). */
export function anchorLine(anchor: AuditAnchor): string {
  return canonicalJson(anchor);
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** Reads one line of an anchor log; a line that is not an anchor gives the reason. */
export function parseAnchorLine(line: string): { anchor: AuditAnchor } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  if (record.kind !== ANCHOR_KIND || record.version !== 1) return { error: `not a version 1 ${ANCHOR_KIND}` };
  const { seq, hash, at, entries, anchored_at, key_owner, key_sm3, signature } = record;
  if (!isCount(seq) || seq < 0 || !isCount(entries) || entries < 0) return { error: 'seq or entries is not a count' };
  if (!isText(hash) || !/^[0-9a-f]{64}$/.test(hash)) return { error: 'hash is not 64 hex digits' };
  if (!isText(at) || !isText(anchored_at) || !isText(key_owner) || !isText(key_sm3) || !isText(signature))
    return { error: 'a member is missing or not text' };
  return {
    anchor: { kind: ANCHOR_KIND, version: 1, seq, hash, at, entries, anchored_at, key_owner, key_sm3, signature },
  };
}

/** What the chain holds where an anchor points: its last sequence, and the hash at the anchored one. */
export interface ChainAtAnchor {
  readonly lastSeq: number;
  /** The stored hash at the anchor's sequence; undefined when there is no such entry. */
  readonly hashAtSeq: string | undefined;
}

export type AnchorFinding =
  | { readonly kind: 'holds' }
  | { readonly kind: 'forged'; readonly reason: string }
  | { readonly kind: 'missing'; readonly from: number; readonly to: number; readonly chainEnd: number }
  | { readonly kind: 'differs'; readonly seq: number; readonly anchored: string; readonly stored: string };

/**
 * Why an anchor's signature cannot be trusted with this public key (the server audit key's PEM), or null when it
 * holds: the anchor must name the audit key, that very key (by its SM3), and verify with it.
 */
export function anchorSignatureProblem(anchor: AuditAnchor, publicKeyPem: string | undefined): string | null {
  if (publicKeyPem === undefined) return 'there is no server audit key to check its signature with';
  if (anchor.key_owner !== AUDIT_KEY_OWNER) return `it names the key of ${anchor.key_owner}, not ${AUDIT_KEY_OWNER}`;
  if (anchor.key_sm3 !== sm3Hex(publicKeyPem))
    return `it names key ${anchor.key_sm3.slice(0, 16)}…, not the server audit key ${sm3Hex(publicKeyPem).slice(0, 16)}…`;
  if (!verifyText(anchorSignedText(anchor), anchor.signature, publicKeyPem))
    return 'its signature does not verify with the server audit key (forged or altered)';
  return null;
}

/**
 * Judges one anchor against the chain. `signatureProblem`: from `anchorSignatureProblem`; a forged anchor says
 * nothing about the chain, so it is not compared.
 */
export function judgeAnchor(anchor: AuditAnchor, signatureProblem: string | null, chain: ChainAtAnchor): AnchorFinding {
  if (signatureProblem !== null) return { kind: 'forged', reason: signatureProblem };
  if (anchor.seq === 0) return { kind: 'holds' };
  if (anchor.seq > chain.lastSeq)
    return { kind: 'missing', from: chain.lastSeq + 1, to: anchor.seq, chainEnd: chain.lastSeq };
  if (chain.hashAtSeq === undefined)
    return { kind: 'missing', from: anchor.seq, to: anchor.seq, chainEnd: chain.lastSeq };
  if (chain.hashAtSeq !== anchor.hash)
    return { kind: 'differs', seq: anchor.seq, anchored: anchor.hash, stored: chain.hashAtSeq };
  return { kind: 'holds' };
}

const range = (from: number, to: number) => (from === to ? `entry ${from} is` : `entries ${from}–${to} are`);

/** A finding in words, naming the anchor by when it was made. */
export function describeFinding(anchor: AuditAnchor, finding: AnchorFinding): string {
  const which = `the anchor of ${anchor.anchored_at}`;
  switch (finding.kind) {
    case 'holds':
      return `${which} holds: entry ${anchor.seq} has the anchored hash`;
    case 'forged':
      return `${which} (entry ${anchor.seq}) is not trustworthy: ${finding.reason}`;
    case 'missing':
      return finding.from > finding.chainEnd
        ? `${range(finding.from, finding.to)} missing: the chain ends at ${finding.chainEnd} but ${which} says ${anchor.seq}`
        : `${range(finding.from, finding.to)} missing: ${which} says entry ${anchor.seq} exists`;
    case 'differs':
      return `entry ${finding.seq} differs from ${which}: the chain holds ${finding.stored}, the anchor says ${finding.anchored}`;
  }
}
