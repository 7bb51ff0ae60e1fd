import { findWorkday } from 'chinese-days';

/**
 * The date `count` working days after `from` on the official calendar (holidays and adjusted workdays as
 * published by the State Council, from the `chinese-days` package).
 */
export function addWorkingDays(from: string, count: number): string {
  return findWorkday(count, from);
}
