import chineseDays from 'chinese-days';

/**
 * The date `count` working days after `from` on the official calendar (holidays and adjusted workdays as
 * published by the State Council, from the `chinese-days` package). A CommonJS package: default import.
 */
export function addWorkingDays(from: string, count: number): string {
  return chineseDays.findWorkday(count, from);
}
