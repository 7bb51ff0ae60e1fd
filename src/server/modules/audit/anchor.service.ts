import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Executor } from '../../db/executor.ts';
import { sm3Hex } from '../../shared/canonical-json.ts';
import { generateSm2KeyPair, signText, type Sealer } from '../../shared/signing.ts';
import {
  ANCHOR_KIND,
  anchorLine,
  anchorSignatureProblem,
  anchorSignedText,
  AUDIT_KEY_OWNER,
  describeFinding,
  GENESIS_HASH,
  judgeAnchor,
  parseAnchorLine,
  type AnchorContent,
  type AnchorFinding,
  type AuditAnchor,
} from './audit.rules.ts';
import { ensureSigningKeyOf, signingKeyOf } from '../../shared/signing.repository.ts';
import { chainHead, hashesAt, lastSeq } from './audit.repository.ts';
import { sealPendingAudit } from './audit.sequencer.ts';
import { recordAudit, SYSTEM_ACTOR, verifyAuditChain, type AuditContext, type VerifyResult } from './audit.service.ts';

/**
 * Anchoring the audit chain (docs/security.md, "Anchoring the audit chain"): the head signed with the server's
 * SM2 audit key and appended, one JSON line per anchor, to a log kept where the database's superuser cannot
 * write; and verifying the chain against every anchor of such a log.
 */

/** The server audit key's public key (PEM), or undefined before the first anchor made it. */
export async function auditPublicKey(db: Executor): Promise<string | undefined> {
  return (await signingKeyOf(db, AUDIT_KEY_OWNER))?.public_key_pem;
}

/** Who anchors when nobody is named: the server's own schedule. */
const SCHEDULE: AuditContext = { actor: SYSTEM_ACTOR, requestId: 'audit-anchor' };

/** The server audit key, made (and its making audited, as `context`) on first use. */
async function ensureAuditKey(db: Executor, sealer: Sealer, context: AuditContext) {
  const existing = await signingKeyOf(db, AUDIT_KEY_OWNER);
  if (existing) return existing;
  const pair = generateSm2KeyPair(sealer);
  return db.transaction().execute(async (tx) => {
    const stored = await ensureSigningKeyOf(tx, AUDIT_KEY_OWNER, pair.publicKeyPem, pair.privateKeySealed);
    if (stored.public_key_pem === pair.publicKeyPem)
      await recordAudit(tx, context, {
        action: 'audit.anchor_key',
        objectType: 'signing_key',
        objectId: AUDIT_KEY_OWNER,
        after: { key_sm3: sm3Hex(pair.publicKeyPem) },
      });
    return stored;
  });
}

/** The server audit key's public key (PEM), made on first use: to keep a copy apart from the database. */
export async function ensureAuditPublicKey(
  db: Executor,
  sealer: Sealer,
  context: AuditContext = SCHEDULE,
): Promise<string> {
  return (await ensureAuditKey(db, sealer, context)).public_key_pem;
}

/**
 * Signs the chain's current head with the server audit key (made on first use), having sealed what was pending.
 * Writes nothing else.
 */
export async function makeAnchor(
  db: Executor,
  sealer: Sealer,
  now: Date,
  context: AuditContext = SCHEDULE,
): Promise<AuditAnchor> {
  const key = await ensureAuditKey(db, sealer, context);
  // What is committed is sealed first (the key's making among it), so the anchor covers it (ADR 0011).
  await sealPendingAudit(db);
  const head = await chainHead(db);
  const content: AnchorContent = {
    kind: ANCHOR_KIND,
    version: 1,
    seq: head?.seq ?? 0,
    hash: head?.hash ?? GENESIS_HASH,
    at: head ? head.at.toISOString() : now.toISOString(),
    entries: head?.entries ?? 0,
    anchored_at: now.toISOString(),
    key_owner: AUDIT_KEY_OWNER,
    key_sm3: sm3Hex(key.public_key_pem),
  };
  return { ...content, signature: signText(anchorSignedText(content), key.private_key_sealed, sealer) };
}

/** Anchors the head and appends the anchor as one line to the anchor log (made, with its folder, if need be). */
export async function anchorAuditHead(
  db: Executor,
  sealer: Sealer,
  file: string,
  now: Date,
  context: AuditContext = SCHEDULE,
): Promise<AuditAnchor> {
  const anchor = await makeAnchor(db, sealer, now, context);
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${anchorLine(anchor)}\n`, 'utf8');
  return anchor;
}

export interface AnchorCheck {
  readonly anchor: AuditAnchor;
  readonly finding: AnchorFinding;
  readonly text: string;
}

export interface AnchoredVerifyResult {
  /** The chain's own verification (links and hashes, first to last). */
  readonly chain: VerifyResult;
  readonly anchors: number;
  /** Every anchor that does not hold, the newest first (the newest names the widest cut). */
  readonly problems: readonly AnchorCheck[];
  /** Lines of the log that are not anchors (line number from 1, and why). */
  readonly unreadable: readonly { readonly line: number; readonly error: string }[];
  /** The chain verifies, every anchor holds and every line of the log is an anchor. */
  readonly ok: boolean;
}

/** The anchors of a log, and the lines that are not anchors. Blank lines are skipped. */
export async function readAnchorLog(file: string) {
  const anchors: AuditAnchor[] = [];
  const unreadable: { line: number; error: string }[] = [];
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    const parsed = parseAnchorLine(text);
    if ('anchor' in parsed) anchors.push(parsed.anchor);
    else unreadable.push({ line: index + 1, error: parsed.error });
  });
  return { anchors, unreadable };
}

/**
 * Verifies the chain and every anchor of the log: its signature (with `publicKeyPem` when given — a copy kept
 * apart from the database — else the audit key the database holds), and that the chain holds the anchored hash
 * at the anchored sequence.
 */
export async function verifyAuditChainWithAnchors(
  db: Executor,
  file: string,
  options: { publicKeyPem?: string | undefined } = {},
): Promise<AnchoredVerifyResult> {
  const { anchors, unreadable } = await readAnchorLog(file);
  const chain = await verifyAuditChain(db);
  const publicKeyPem = options.publicKeyPem ?? (await auditPublicKey(db));
  const end = await lastSeq(db);
  const hashes = await hashesAt(
    db,
    anchors.map((anchor) => anchor.seq),
  );
  const problems: AnchorCheck[] = [];
  for (const anchor of anchors) {
    const finding = judgeAnchor(anchor, anchorSignatureProblem(anchor, publicKeyPem), {
      lastSeq: end,
      hashAtSeq: hashes.get(anchor.seq),
    });
    if (finding.kind !== 'holds') problems.push({ anchor, finding, text: describeFinding(anchor, finding) });
  }
  return {
    chain,
    anchors: anchors.length,
    problems: problems.reverse(),
    unreadable,
    ok: chain.ok && problems.length === 0 && unreadable.length === 0,
  };
}
