import type { Role, SessionStage } from '../../db/schema.ts';

/**
 * The second factor (issue 25, docs/security.md): time-based one-time passwords (RFC 6238: HMAC-SHA-1, six digits,
 * 30-second steps), accepted one step either side of now, each step at most once per account; one-time recovery codes.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now a code may come from (the clock of a phone drifts; a code typed takes time). */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** Wrong codes a session may give before it ends (sign in again: the password's throttle then applies). */
export const SECOND_FACTOR_ATTEMPTS = 5;

/** The roles that always need a second factor: every official, oversight and the operators. */
const alwaysRequired: ReadonlySet<Role> = new Set([
  'ministry_official',
  'department_official',
  'oversight',
  'operator',
]);

/**
 * Whether an account must have a second factor: officials, oversight and operators always; an enterprise user when
 * the enterprise's protection level (its security profile) is at or above `enterpriseLevel`.
 */
export function secondFactorRequired(role: Role, protectionLevel: number | null, enterpriseLevel: number): boolean {
  if (alwaysRequired.has(role)) return true;
  return protectionLevel !== null && protectionLevel >= enterpriseLevel;
}

/** The RFC 6238 time step of an instant. */
export function timeStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The steps a code given at `now` may be checked against, earliest first: those within the window that are later
 * than the last step the account used (a code, once accepted, is never accepted again — nor any earlier one).
 */
export function candidateSteps(now: Date, lastStep: number | null): number[] {
  const current = timeStep(now);
  const steps: number[] = [];
  for (let delta = -TOTP_WINDOW; delta <= TOTP_WINDOW; delta += 1) {
    const step = current + delta;
    if (lastStep === null || step > lastStep) steps.push(step);
  }
  return steps;
}

/** The stage a session starts in once the password is right. */
export function stageAfterPassword(account: {
  readonly required: boolean;
  readonly enrolled: boolean;
  readonly passwordExpired: boolean;
}): SessionStage {
  if (account.enrolled) return 'second_factor';
  if (account.required) return 'enrol';
  return account.passwordExpired ? 'password_change' : 'full';
}

/** The stage after the second factor was given (or an authenticator enrolled). */
export function stageAfterSecondFactor(passwordExpired: boolean): SessionStage {
  return passwordExpired ? 'password_change' : 'full';
}

export function passwordExpired(changedAt: Date, maxAgeDays: number, now: Date): boolean {
  return maxAgeDays > 0 && now.getTime() - changedAt.getTime() > maxAgeDays * 86_400_000;
}

/**
 * Whether an official act may go ahead: the account has no second factor and need not have one, or this session
 * gave one within `stepUpMinutes`.
 */
export function stepUpSatisfied(
  account: { readonly required: boolean; readonly enrolled: boolean },
  givenAt: Date | null,
  stepUpMinutes: number,
  now: Date,
): boolean {
  if (!account.required && !account.enrolled) return true;
  return givenAt !== null && now.getTime() - givenAt.getTime() <= stepUpMinutes * 60_000;
}

const RECOVERY_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A recovery code from random bytes: ten characters of an alphabet without look-alikes, shown as XXXXX-XXXXX. */
export function recoveryCodeFrom(bytes: Uint8Array): string {
  if (bytes.length < 10) throw new Error('recoveryCodeFrom needs ten random bytes');
  const chars = Array.from(bytes.subarray(0, 10), (byte) => RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** A recovery code as typed, compared as stored: upper case, no spaces or dashes. */
export function normalisedRecoveryCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}
