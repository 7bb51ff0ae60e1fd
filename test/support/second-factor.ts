import { Secret, TOTP } from 'otpauth';
import { loadConfig } from '../../src/server/config.ts';
import { DEMO_TOTP_SECRET } from '../../src/server/demo/demo-data.ts';
import { createSealer, type Sealer } from '../../src/server/shared/signing.ts';

/** The sealer of a server on the default settings: the demo accounts' authenticator secret is sealed with it. */
export function testSealer(): Sealer {
  return createSealer(loadConfig({}).SIGNING_KEY_SECRET);
}

const PERIOD_MS = 30_000;

/**
 * One-time codes for accounts of one database, as an authenticator app would show them. The server accepts a code
 * of the step before, the step of, or the step after now, each step once per account and never an earlier one than
 * the last accepted: so each code given here is of the earliest step still usable, and when none is left it waits
 * for the next step.
 */
export class CodeSource {
  private readonly lastStep = new Map<string, number>();

  constructor(private readonly secretOf: (login: string) => string = () => DEMO_TOTP_SECRET) {}

  async next(login: string, secret = this.secretOf(login)): Promise<string> {
    for (;;) {
      const now = Date.now();
      const current = Math.floor(now / PERIOD_MS);
      const last = this.lastStep.get(login) ?? -Infinity;
      // The step before now only while its window lasts a few seconds more (a slow request must not outlive it).
      const previousSafe = (current + 1) * PERIOD_MS - now > 5_000;
      const candidates = previousSafe ? [current - 1, current, current + 1] : [current, current + 1];
      const step = candidates.find((candidate) => candidate > last);
      if (step !== undefined) {
        this.lastStep.set(login, step);
        return codeAt(secret, step * PERIOD_MS);
      }
      await new Promise((resolve) => setTimeout(resolve, (current + 1) * PERIOD_MS - now + 50));
    }
  }

  /** Notes a step used by someone else (a code typed by a test itself). */
  used(login: string, at: number = Date.now()): void {
    this.lastStep.set(login, Math.max(this.lastStep.get(login) ?? -Infinity, Math.floor(at / PERIOD_MS)));
  }
}

/** The code of an authenticator secret (base32) at a time. */
export function codeAt(secret: string, timestamp: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp });
}
