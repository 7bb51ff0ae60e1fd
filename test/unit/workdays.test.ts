import { describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../src/server/shared/workdays.ts';

describe('working days on the official calendar', () => {
  it('skips the National Day holiday and counts the adjusted workday', () => {
    // 2026-09-25 is a Friday; 1–7 October are holidays and 10 October (a Saturday) is an adjusted workday.
    expect(addWorkingDays('2026-09-25', 10)).toBe('2026-10-15');
  });
  it('counts plain weeks as five days', () => {
    expect(addWorkingDays('2026-03-02', 10)).toBe('2026-03-16');
  });
});
