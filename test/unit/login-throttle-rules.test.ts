import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockedUntil,
  failedSignInNotice,
  isThrottled,
  throttleDelayMs,
  type ThrottleSettings,
} from '../../src/server/modules/auth/login-throttle.rules.ts';

const settings = fc
  .record({
    freeAttempts: fc.integer({ min: 1, max: 20 }),
    baseDelayMs: fc.integer({ min: 1, max: 3_600_000 }),
    maxDelayMs: fc.integer({ min: 1, max: 86_400_000 }),
  })
  .map((value): ThrottleSettings => ({ ...value, maxDelayMs: Math.max(value.maxDelayMs, value.baseDelayMs) }));

describe('the sign-in throttle delay', () => {
  it('is nothing below the free attempts, then base · 2^(failures − free), capped', () => {
    const s: ThrottleSettings = { freeAttempts: 5, baseDelayMs: 30_000, maxDelayMs: 900_000 };
    expect([0, 1, 4, 5, 6, 7, 8, 9, 10, 1000].map((failures) => throttleDelayMs(failures, s))).toEqual([
      0, 0, 0, 30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000,
    ]);
  });

  it('is monotone in the failures, never negative, and never above the cap', () => {
    fc.assert(
      fc.property(settings, fc.nat({ max: 10_000 }), fc.nat({ max: 10_000 }), (s, a, b) => {
        const [fewer, more] = a <= b ? [a, b] : [b, a];
        const low = throttleDelayMs(fewer, s);
        const high = throttleDelayMs(more, s);
        expect(low).toBeGreaterThanOrEqual(0);
        expect(low).toBeLessThanOrEqual(high);
        expect(high).toBeLessThanOrEqual(s.maxDelayMs);
        expect(Number.isSafeInteger(high)).toBe(true);
      }),
    );
  });

  it('doubles with each failure past the free attempts until it reaches the cap', () => {
    fc.assert(
      fc.property(settings, fc.nat({ max: 200 }), (s, extra) => {
        const failures = s.freeAttempts + extra;
        const delay = throttleDelayMs(failures, s);
        const next = throttleDelayMs(failures + 1, s);
        expect(delay).toBeGreaterThanOrEqual(Math.min(s.baseDelayMs, s.maxDelayMs));
        expect(next).toBe(Math.min(2 * delay, s.maxDelayMs));
      }),
    );
  });

  it('refuses attempts from the failure until the delay has passed, and none when there is no delay', () => {
    fc.assert(
      fc.property(settings, fc.nat({ max: 100 }), fc.integer({ min: 0, max: 2_000_000_000_000 }), (s, failures, at) => {
        const failedAt = new Date(at);
        const until = blockedUntil(failures, failedAt, s);
        const delay = throttleDelayMs(failures, s);
        if (delay === 0) {
          expect(until).toBeNull();
          expect(isThrottled(until, failedAt)).toBe(false);
        } else {
          expect(until?.getTime()).toBe(at + delay);
          expect(isThrottled(until, failedAt)).toBe(true);
          expect(isThrottled(until, new Date(at + delay - 1))).toBe(true);
          expect(isThrottled(until, new Date(at + delay))).toBe(false);
        }
      }),
    );
  });
});

describe('the notice of failed sign-ins', () => {
  it('is null with nothing to report', () => {
    expect(failedSignInNotice([])).toBeNull();
    expect(failedSignInNotice([{ ip: '192.0.2.1', unreported: 0, last_failed_at: new Date() }])).toBeNull();
  });

  it('sums the count, takes the latest time, and lists the addresses latest first', () => {
    const notice = failedSignInNotice([
      { ip: '192.0.2.1', unreported: 3, last_failed_at: new Date('2026-12-07T01:00:00Z') },
      { ip: '192.0.2.2', unreported: 0, last_failed_at: new Date('2026-12-07T05:00:00Z') },
      { ip: '192.0.2.3', unreported: 2, last_failed_at: new Date('2026-12-07T03:00:00Z') },
    ]);
    expect(notice).toEqual({ count: 5, last_at: '2026-12-07T03:00:00.000Z', addresses: ['192.0.2.3', '192.0.2.1'] });
  });

  it('counts every unreported failure and names at most ten addresses', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ip: fc.ipV4(),
            unreported: fc.nat({ max: 50 }),
            last_failed_at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
          }),
          { maxLength: 40 },
        ),
        (rows) => {
          const notice = failedSignInNotice(rows);
          const total = rows.reduce((sum, row) => sum + row.unreported, 0);
          if (total === 0) expect(notice).toBeNull();
          else {
            expect(notice?.count).toBe(total);
            expect(notice?.addresses.length).toBeLessThanOrEqual(10);
            expect(notice?.addresses.length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});
