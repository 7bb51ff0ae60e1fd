import { Secret, TOTP } from 'otpauth';
import { loadConfig } from '../../src/server/config.ts';
import type { Executor } from '../../src/server/db/executor.ts';
import { DEMO_TOTP_SECRET } from '../../src/server/demo/demo-data.ts';
import { createSealer, type Sealer } from '../../src/server/shared/signing.ts';

/** The sealer of a server on the default settings: the demo accounts' authenticator secret is sealed with it. */
export function testSealer(): Sealer {
  return createSealer(loadConfig({}).SIGNING_KEY_SECRET);
}

/** Seals the demo accounts' authenticator under another server secret (what the template was sealed with: the default). */
export async function resealDemoAuthenticators(db: Executor, sealer: Sealer): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ totp_secret_sealed: sealer.seal(DEMO_TOTP_SECRET) })
    .where('totp_secret_sealed', 'is not', null)
    .execute();
}

const PERIOD_MS = 30_000;

/**
 * One-time codes for accounts of one database, as an authenticator app would show them. The server accepts a code
 * of the step before, the step of, or the step after now, each step once per account and never an earlier one than
 * the last accepted: so each code given here is of the earliest step still usable. When none is left (a test signs
 * one account in more than three times in half a minute), with the database at hand it lets time pass for that
 * account — it forgets the account's last accepted step, as if the next half-minute had come — and otherwise waits
 * for the next step. The replay rule itself is tested with codes made by `codeAt` (second-factor.db.test.ts).
 */
export class CodeSource {
  private readonly lastStep = new Map<string, number>();
  /** Accounts enrolled with their own authenticator (a test's own accounts); the demo ones share the demo secret. */
  private readonly secrets = new Map<string, string>();

  constructor(private readonly db?: Executor) {}

  /** Remembers the authenticator a test enrolled for an account. */
  enrolled(login: string, secret: string): void {
    this.secrets.set(login, secret);
  }

  async next(login: string, secret = this.secrets.get(login) ?? DEMO_TOTP_SECRET): Promise<string> {
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
      if (this.db) {
        await this.db.updateTable('app_user').set({ totp_last_step: null }).where('login', '=', login).execute();
        this.lastStep.delete(login);
        continue;
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
