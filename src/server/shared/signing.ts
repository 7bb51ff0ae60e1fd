import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'node:crypto';
import { randomBytes, sign, verify } from 'node:crypto';

/**
 * SM2 signatures with SM3 digests (GB/T 32918, GB/T 32905) from `node:crypto`, and the sealing of private keys
 * at rest with SM4 (GB/T 32907) under the server's key-encryption secret. Pure: key storage is the caller's.
 */

export const SIGNATURE_ALGORITHM = 'SM2-with-SM3' as const;

export interface KeyPair {
  readonly publicKeyPem: string;
  /** The PKCS#8 private key, sealed: `iv:ciphertext:mac` (SM4-CBC, then an SM3 MAC over iv and ciphertext). */
  readonly privateKeySealed: string;
}

export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** An SM4 sealer whose keys derive from a secret (one for encryption, one for the MAC). */
export function createSealer(secret: string): Sealer {
  const material = createHash('sm3').update(`monazite-key-encryption:${secret}`).digest();
  const encryptionKey = material.subarray(0, 16);
  const macKey = material.subarray(16, 32);
  const mac = (iv: Buffer, data: Buffer) => createHash('sm3').update(macKey).update(iv).update(data).digest('hex');
  return {
    seal(plain) {
      const iv = randomBytes(16);
      const cipher = createCipheriv('sm4-cbc', encryptionKey, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${iv.toString('base64')}:${data.toString('base64')}:${mac(iv, data)}`;
    },
    open(sealed) {
      const [ivText, dataText, tag] = sealed.split(':');
      const iv = Buffer.from(ivText ?? '', 'base64');
      const data = Buffer.from(dataText ?? '', 'base64');
      if (tag !== mac(iv, data)) throw new Error('signing key: sealed with another secret, or altered');
      const decipher = createDecipheriv('sm4-cbc', encryptionKey, iv);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    },
  };
}

export function generateSm2KeyPair(sealer: Sealer): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeySealed: sealer.seal(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
  };
}

/** Signs a text (UTF-8) with a sealed private key; the signature is DER, base64. */
export function signText(text: string, privateKeySealed: string, sealer: Sealer): string {
  const key = createPrivateKey(sealer.open(privateKeySealed));
  return sign('sm3', Buffer.from(text, 'utf8'), key).toString('base64');
}

export function verifyText(text: string, signature: string, publicKeyPem: string): boolean {
  try {
    return verify('sm3', Buffer.from(text, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
