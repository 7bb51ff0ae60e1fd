import type { Executor } from '../../db/executor.ts';
import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';
import { generateSm2KeyPair, SIGNATURE_ALGORITHM, signText, verifyText, type Sealer } from '../../shared/signing.ts';
import { ensureSigningKeyOf, signingKeyOf } from '../../shared/signing.repository.ts';

/**
 * Signing submitted reports and compilations (Art. 9): the SM3 of the canonical content is stored, and the
 * content is signed with the submitter's SM2 key (one per enterprise, one per division), made on first use.
 */

export interface Signed {
  readonly content_sm3: string;
  readonly signature: string;
  readonly signer: string;
}

export async function signContent(tx: Executor, sealer: Sealer, signer: string, content: unknown): Promise<Signed> {
  let key = await signingKeyOf(tx, signer);
  if (!key) {
    const pair = generateSm2KeyPair(sealer);
    key = await ensureSigningKeyOf(tx, signer, pair.publicKeyPem, pair.privateKeySealed);
  }
  const text = canonicalJson(content);
  return { content_sm3: sm3Hex(text), signature: signText(text, key.private_key_sealed, sealer), signer };
}

/** The signature block of a stored document: algorithm, digest, signature and the signer's public key. */
export function signatureView(signed: Signed, publicKeyPem: string | undefined) {
  return { algorithm: SIGNATURE_ALGORITHM, ...signed, public_key_pem: publicKeyPem ?? '' };
}

/** Does the stored signature still match the stored content? (Anyone may check it with the public key.) */
export function signatureHolds(content: unknown, signed: Signed, publicKeyPem: string | undefined): boolean {
  const text = canonicalJson(content);
  return (
    publicKeyPem !== undefined &&
    sm3Hex(text) === signed.content_sm3 &&
    verifyText(text, signed.signature, publicKeyPem)
  );
}
