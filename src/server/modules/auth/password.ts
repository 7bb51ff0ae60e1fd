import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's second recommended profile (m = 19 MiB, t = 2, p = 1).
const options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

let verifications = 0;
/**
 * How many argon2 verifications this process has run: the sign-in tests read it to see that every refusal
 * (unknown login, wrong password, throttled) does the same work as a wrong password.
 */
export function passwordVerifications(): number {
  return verifications;
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  verifications += 1;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of nothing anyone knows, so an unknown login costs the same time as a wrong password. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(`decoy-${Math.random()}`);
  return decoyHash;
}
