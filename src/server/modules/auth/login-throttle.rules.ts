/**
 * Sign-in throttling, keyed by the login tried and the client address together (docs/security.md). A run of
 * failures from one address for one login makes that address wait before its next attempt there is checked;
 * nobody else waits, so a stranger cannot lock the real user out. Pure: the service keeps the counts.
 */

export interface ThrottleSettings {
  /** Failures in a row from one address for one login before it has to wait. */
  readonly freeAttempts: number;
  /** The first wait, doubled by each further failure. */
  readonly baseDelayMs: number;
  /** The longest wait. */
  readonly maxDelayMs: number;
}

/** Keeps 2^n finite and exact: far past any cap a deployment would set. */
const MAX_DOUBLINGS = 40;

/**
 * How long an address waits after its `failures`-th failure in a row for a login: nothing below the free
 * attempts, then base · 2^(failures − free), never more than the cap.
 */
export function throttleDelayMs(failures: number, settings: ThrottleSettings): number {
  if (failures < settings.freeAttempts) return 0;
  const doublings = Math.min(failures - settings.freeAttempts, MAX_DOUBLINGS);
  return Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** doublings);
}

/** Until when attempts from the address are refused unchecked after a failure at `failedAt` (null: none). */
export function blockedUntil(failures: number, failedAt: Date, settings: ThrottleSettings): Date | null {
  const delay = throttleDelayMs(failures, settings);
  return delay === 0 ? null : new Date(failedAt.getTime() + delay);
}

export function isThrottled(until: Date | null, now: Date): boolean {
  return until !== null && now.getTime() < until.getTime();
}

/**
 * How long a login/address pair's failures are kept after the last one: past this the pair is forgotten (its
 * count starts afresh, and its failures are no longer told), so logins nobody has cannot fill the table.
 */
export const THROTTLE_RETENTION_MS = 30 * 86_400_000;

export function throttleForgottenBefore(now: Date): Date {
  return new Date(now.getTime() - THROTTLE_RETENTION_MS);
}

/** What the real user is told after signing in: the failed attempts since their last sign-in. */
export interface FailedSignInNotice {
  readonly count: number;
  readonly last_at: string;
  /** Where they came from, the latest first (at most NOTICE_ADDRESSES). */
  readonly addresses: string[];
}

export const NOTICE_ADDRESSES = 10;

export interface UnreportedFailures {
  readonly ip: string;
  readonly unreported: number;
  readonly last_failed_at: Date;
}

export function failedSignInNotice(rows: readonly UnreportedFailures[]): FailedSignInNotice | null {
  const reported = rows
    .filter((row) => row.unreported > 0)
    .sort((a, b) => b.last_failed_at.getTime() - a.last_failed_at.getTime() || a.ip.localeCompare(b.ip));
  const latest = reported[0];
  if (!latest) return null;
  return {
    count: reported.reduce((sum, row) => sum + row.unreported, 0),
    last_at: latest.last_failed_at.toISOString(),
    addresses: reported.slice(0, NOTICE_ADDRESSES).map((row) => row.ip),
  };
}
